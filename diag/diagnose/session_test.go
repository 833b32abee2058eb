package diagnose_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
)

// passwordAdvice are the readings of a 535 that blame a password.
var passwordAdvice = []string{"auth.bad_password", "smtp.auth.rejected_password", "smtp.auth.bad_credentials"}

// TestProbeXOAUTH2RejectedIsNotThePassword probes the simulator with an
// XOAUTH2 token it refuses (535 5.7.3) and that carries no claims to
// reason about (not a JWT): the reply is read for the OAuth sign-in the
// probe made, so neither a finding nor an alternative says the password
// is wrong, in any language.
func TestProbeXOAUTH2RejectedIsNotThePassword(t *testing.T) {
	if testing.Short() {
		t.Skip("probes the simulator over loopback")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, err := exosim.Start(ctx, exosim.Options{Scenario: "bad-token"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	cfg := simcheck.Config(sim, nil, 5*time.Second)
	cfg.Probe.Token = "opaque-token-the-simulator-refuses"
	r := check.Run(ctx, cfg)
	ph, ok := r.Phase(report.PhaseAuth)
	if !ok || ph.Reply == nil || ph.Reply.Code != 535 {
		t.Fatalf("auth phase %+v", ph)
	}
	for _, lang := range diagnose.Languages {
		diagnose.Diagnose(r, sim.Profile(), diagnose.Options{Lang: lang})
		var ids []string
		for _, f := range r.Findings {
			ids = append(ids, f.ID)
			for _, id := range append([]string{f.ID}, f.Alternatives...) {
				if slices.Contains(passwordAdvice, id) || id == "smtp.auth.rejected" {
					t.Errorf("%s: %s offered for an XOAUTH2 sign-in (finding %s)", lang, id, f.ID)
				}
			}
		}
		if !slices.Contains(ids, "smtp.auth.rejected_oauth") {
			t.Errorf("%s: findings %v, want smtp.auth.rejected_oauth", lang, ids)
		}
	}
	if r.Verdict != report.VerdictFail {
		t.Errorf("verdict %s", r.Verdict)
	}
}

// TestOtherServerRepliesGetNoExchangeReading reads a session with a server
// that greeted as something other than Exchange Online: its replies are
// matched as that server's, so no Exchange Online entry (a 5.7.3 token
// reading, SmtpClientAuthentication, Send As) is offered, and the method
// the probe used still steers the reading.
func TestOtherServerRepliesGetNoExchangeReading(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	banner, _ := report.ParseReplyLines("220 mail.example.org ESMTP Postfix (Debian/GNU)")
	for _, c := range []struct {
		name, method, mech, reply string
		phase                     report.PhaseName
	}{
		{"535 5.7.3 to XOAUTH2", "oauth2", "XOAUTH2", "535 5.7.3 Authentication unsuccessful", report.PhaseAuth},
		{"535 5.7.8 to PLAIN", "basic", "PLAIN", "535 5.7.8 Error: authentication failed: authentication failure", report.PhaseAuth},
		{"554 relay refused", "basic", "LOGIN", "554 5.7.1 <x@example.com>: Relay access denied", report.PhaseRcptTo},
		{"550 5.7.60 send as", "oauth2", "XOAUTH2", "550 5.7.60 SMTP; Client does not have permissions to send as this sender", report.PhaseMailFrom},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep, ok := report.ParseReplyLines(c.reply)
			if !ok {
				t.Fatalf("bad reply %q", c.reply)
			}
			r := &report.Report{
				Generated: now,
				Target:    report.Target{Host: "mail.example.org", Port: 587, Security: "starttls", VerifyCert: true, User: "scan@example.org", AuthMethod: report.AuthMethod(c.method), Mechanism: c.mech},
				Phases: []report.Phase{
					{Name: report.PhaseBanner, Status: report.StatusOK, Reply: banner},
					{Name: report.PhaseEHLOTLS, Status: report.StatusOK, Capabilities: []string{"AUTH PLAIN LOGIN XOAUTH2", "SIZE 10240000"}},
					{Name: c.phase, Status: report.StatusFail, Reply: rep, ErrorKind: report.KindReply},
				},
			}
			for _, lang := range diagnose.Languages {
				diagnose.Diagnose(r, nil, diagnose.Options{Lang: lang})
				if len(r.Findings) == 0 {
					t.Fatalf("%s: no finding", lang)
				}
				for _, f := range r.Findings {
					for _, id := range append([]string{f.ID}, f.Alternatives...) {
						if strings.HasPrefix(id, "smtp.") || strings.HasPrefix(id, "token.") {
							t.Errorf("%s: Exchange Online reading %s for a Postfix server (finding %s)", lang, id, f.ID)
						}
						if c.method == "oauth2" && slices.Contains(passwordAdvice, id) {
							t.Errorf("%s: %s for an XOAUTH2 sign-in", lang, id)
						}
					}
					for _, s := range f.Steps {
						if strings.Contains(s.Text, "office365.com") || s.Where == "exchange_admin" || s.Where == "m365_admin" || s.Where == "powershell" {
							t.Errorf("%s %s: Exchange Online step %q", lang, f.ID, s.Text)
						}
					}
				}
			}
		})
	}
}

// TestLocalizeKeepsTheService: a finding about a server that is not
// Exchange Online, saved as JSON and shown in another language (the TUI's
// language switch, sheet --from --lang), has the same steps as the
// diagnosis made in that language: Localize does not bring back Exchange
// Online's.
func TestLocalizeKeepsTheService(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	banner, _ := report.ParseReplyLines("220 mail.example.org ESMTP Postfix (Debian/GNU)")
	mk := func() *report.Report {
		return &report.Report{
			Generated: now,
			Target:    report.Target{Host: "mail.example.org", Port: 587, Security: "starttls", VerifyCert: true, User: "scan@example.org", AuthMethod: "oauth2"},
			Phases: []report.Phase{
				{Name: report.PhaseBanner, Status: report.StatusOK, Reply: banner},
				{Name: report.PhaseTLS, Status: report.StatusFail, ErrorKind: report.KindCertHost, Error: "x509: certificate is valid for other.example.net, not mail.example.org"},
			},
		}
	}
	r := mk()
	diagnose.Diagnose(r, nil, diagnose.Options{Lang: "en"})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var saved report.Report
	if err := json.Unmarshal(b, &saved); err != nil {
		t.Fatal(err)
	}
	// The entry itself does carry an Exchange Online step, or this test
	// would prove nothing.
	raw := diagnose.Localize(report.Finding{ID: "tls.cert_host"}, diagnose.Options{Lang: "de"})
	if !stepsMention(raw.Steps, "office365.com") {
		t.Fatalf("tls.cert_host has no Exchange Online step any more: %+v", raw.Steps)
	}
	for _, lang := range []string{"de", "fr"} {
		fresh := mk()
		diagnose.Diagnose(fresh, nil, diagnose.Options{Lang: lang})
		if len(fresh.Findings) != len(saved.Findings) {
			t.Fatalf("%s: %d findings, saved %d", lang, len(fresh.Findings), len(saved.Findings))
		}
		for i, f := range saved.Findings {
			if f.Service == "" {
				t.Errorf("%s: saved finding %s has no service", lang, f.ID)
			}
			l := diagnose.Localize(f, diagnose.Options{Lang: lang})
			if stepsMention(l.Steps, "office365.com") || slices.Contains(l.Where, "exchange_admin") || slices.Contains(l.Where, "m365_admin") {
				t.Errorf("%s: %s shown again with Exchange Online steps: %+v", lang, f.ID, l.Steps)
			}
			if len(l.Steps) != len(fresh.Findings[i].Steps) || l.Title != fresh.Findings[i].Title {
				t.Errorf("%s: %s localized %+v, diagnosed %+v", lang, f.ID, l.Steps, fresh.Findings[i].Steps)
			}
		}
	}
}

func stepsMention(steps []report.Step, s string) bool {
	for _, st := range steps {
		if strings.Contains(st.Text, s) || strings.Contains(st.Command, s) {
			return true
		}
	}
	return false
}
