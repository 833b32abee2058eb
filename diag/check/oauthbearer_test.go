package check_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
)

// TestOAUTHBEARER: against a server that offers XOAUTH2 and OAUTHBEARER, a
// device whose firmware lists OAUTHBEARER signs in with it, one without a
// list uses XOAUTH2, and a bad token's JSON error challenge is decoded into
// the auth phase while the token stays out of the report.
func TestOAUTHBEARER(t *testing.T) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir(), OAuthBearer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	run := func(mechs []string, token string) *report.Report {
		p := sim.Profile()
		p.Capabilities.Mechanisms = mechs
		cfg := simcheck.ForProfile(sim, p, nil, 5*time.Second)
		if token != "" {
			cfg.TokenFile = ""
			cfg.Probe.Token, cfg.Probe.TokenSource = token, "test"
		}
		return check.Run(context.Background(), cfg)
	}

	r := run([]string{"OAUTHBEARER"}, "")
	if r.Auth == nil || r.Auth.Mechanism != "OAUTHBEARER" || !r.Auth.OK {
		t.Fatalf("OAUTHBEARER device: auth %+v, %s", r.Auth, describe(r))
	}
	if !strings.Contains(transcript(r), "AUTH OAUTHBEARER <redacted") {
		t.Errorf("transcript:\n%s", transcript(r))
	}
	if r := run(nil, ""); r.Auth == nil || r.Auth.Mechanism != "XOAUTH2" || !r.Auth.OK {
		t.Errorf("device without a list: auth %+v", r.Auth)
	}
	if r := run([]string{"LOGIN", "OAUTHBEARER", "XOAUTH2"}, ""); r.Auth == nil || r.Auth.Mechanism != "OAUTHBEARER" {
		t.Errorf("the device's order decides: auth %+v", r.Auth)
	}

	bad := sim.MintToken(exosim.TokenExpired)
	r = run([]string{"OAUTHBEARER"}, bad)
	ph := phase(r.Phases, report.PhaseAuth)
	if ph == nil || ph.Status != report.StatusFail || ph.Reply == nil || ph.Reply.Code != 535 || ph.Reply.Enhanced != "5.7.3" {
		t.Fatalf("bad token: auth phase %+v", ph)
	}
	if !strings.Contains(ph.Challenge, "status invalid_token") || !strings.Contains(ph.Challenge, "scope https://outlook.office.com/SMTP.Send") {
		t.Errorf("challenge %q not decoded", ph.Challenge)
	}
	if r.Verdict != report.VerdictFail {
		t.Errorf("verdict %s", r.Verdict)
	}
	for _, l := range r.Transcript {
		if strings.Contains(l.Text, bad) || strings.Contains(l.Text, bad[:40]) {
			t.Fatalf("token in the transcript: %q", l.Text)
		}
	}
}

func transcript(r *report.Report) string {
	var b strings.Builder
	for _, l := range r.Transcript {
		b.WriteString(l.Service + " " + l.Dir + " " + l.Text + "\n")
	}
	return b.String()
}
