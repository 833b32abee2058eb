package probe_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	hsrv "github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// hsPassword is the LOGIN/PLAIN/USER password of the echo tests.
const hsPassword = "Tr0ub4dor&3-horse-battery"

// secretRuns fails when any 12-character run of any form of any secret
// (raw, base64 at every alignment) appears in text. Runs that are also
// part of a form of the user's address are not counted: a JWT carries the
// address, and so does the XOAUTH2 blob, in the clear.
func secretRuns(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	var public string
	for _, p := range []string{hsUser, "user=" + hsUser + "\x01auth=Bearer ", `"` + hsUser + `"`} {
		public += strings.Join(append(redact.Base64Forms(p), p), " ")
	}
	for _, s := range secrets {
		forms := append([]string{s, base64.StdEncoding.EncodeToString([]byte(s))}, redact.Base64Forms(s)...)
		for _, f := range forms {
			for i := 0; i+12 <= len(f); i++ {
				if strings.Contains(text, f[i:i+12]) && !strings.Contains(public, f[i:i+12]) {
					t.Errorf("%s holds %q, part of a secret's form %q…", where, f[i:i+12], f[:min(len(f), 16)])
					return
				}
			}
		}
	}
}

// TestEchoingServersLeakNothing: servers that quote the token, the
// XOAUTH2 blob or the password back (in a 334 challenge, the 535 text, a
// POP3 -ERR) get every form of it redacted in every field of the report,
// and the rejection is still reported as such.
func TestEchoingServersLeakNothing(t *testing.T) {
	pki, tlsCfg := hsGoodTLS(t)
	cases := []struct {
		name       string
		method     report.AuthMethod
		mechs      []string
		pop3       bool
		wantPhase  report.PhaseName
		wantInText string
	}{
		{"SMTP XOAUTH2", "oauth2", nil, false, report.PhaseAuth, "535"},
		{"SMTP LOGIN", "basic", []string{"LOGIN"}, false, report.PhaseAuth, "535"},
		{"SMTP PLAIN", "basic", []string{"PLAIN"}, false, report.PhaseAuth, "535"},
		{"POP3 XOAUTH2", "oauth2", nil, true, report.PhasePOP3Auth, "-ERR"},
		{"POP3 USER/PASS", "basic", nil, true, report.PhasePOP3Auth, "-ERR"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			smtpSrv, err := hsrv.EchoAuth(tlsCfg)
			if err != nil {
				t.Fatal(err)
			}
			defer smtpSrv.Close()
			cfg := check.Config{
				Probe: probe.Config{
					Session: probe.Session{
						Host: smtpSrv.Host(), Port: smtpSrv.Port(), Security: "starttls",
						VerifyCert: true, Roots: pki.Pool(), RootsName: "hostile test CA",
						AuthMethod: c.method, User: hsUser, Token: hsToken, TokenSource: "test",
						Password: hsPassword, PasswordSource: "test",
						Timeout: hsTimeout, PhaseTimeout: hsPhaseTimeout,
					},
					Mechanisms: c.mechs, AsDevice: c.mechs != nil,
				},
				Lang: "en",
			}
			if c.method == "basic" {
				cfg.Probe.Token = ""
			}
			if c.pop3 {
				popSrv, err := hsrv.POP3Echo(tlsCfg)
				if err != nil {
					t.Fatal(err)
				}
				defer popSrv.Close()
				cfg.POP3 = &probe.POP3Config{
					Session: probe.Session{
						Host: popSrv.Host(), Port: popSrv.Port(), Security: "tls", VerifyCert: true,
						Roots: pki.Pool(), RootsName: "hostile test CA",
						AuthMethod: c.method, User: hsUser, Token: cfg.Probe.Token, TokenSource: "test",
						Password: hsPassword, PasswordSource: "test",
					},
				}
			}
			r := check.Run(context.Background(), cfg)
			ph, _ := r.Phase(c.wantPhase)
			if ph.Status != report.StatusFail || ph.Reply == nil || !strings.Contains(ph.Reply.Line(), c.wantInText) {
				t.Fatalf("%s = %+v, want a failure with the server's %s", c.wantPhase, ph, c.wantInText)
			}
			js, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(js), "redacted sha256:") {
				t.Errorf("no redaction mark in the report: did the echo reach it?\n%s", js)
			}
			if testing.Verbose() {
				t.Log(string(js))
			}
			secretRuns(t, "report JSON", string(js), hsToken, hsPassword)
			hsClean(t, r)
		})
	}
}

// TestEndlessChallenge: a server answering every AUTH response with
// another 334 is recognised after a few rounds, well within the phase
// budget, and reported as such (not as a timeout).
func TestEndlessChallenge(t *testing.T) {
	pki, tlsCfg := hsGoodTLS(t)
	srv, err := hsrv.EndlessChallenge(tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			srv.Close()
		}
	}()
	pc := probe.Config{
		Session: probe.Session{
			Host: srv.Host(), Port: srv.Port(), Security: "starttls",
			VerifyCert: true, Roots: pki.Pool(), RootsName: "hostile test CA",
			AuthMethod: "oauth2", User: hsUser, Token: hsToken, TokenSource: "test",
			// A long phase budget: the loop must be recognised by counting, not
			// by running out of time.
			Timeout: hsTimeout * 10, PhaseTimeout: hsTimeout * 5,
		},
	}
	var r *report.Report
	_, heap := hsMeasure(t, func() { r = check.Run(context.Background(), check.Config{Probe: pc, Lang: "en"}) },
		func() { srv.Close(); closed = true })
	ph, _ := r.Phase(report.PhaseAuth)
	if ph.Status != report.StatusFail || ph.ErrorKind != report.KindProtocol || !strings.Contains(ph.Error, "challenge") {
		t.Fatalf("auth = %+v", ph)
	}
	if ph.Duration.D() >= pc.PhaseTimeout {
		t.Errorf("auth ran its whole budget (%s): the loop was not recognised", ph.Duration.D())
	}
	if heap > hsHeapGrowth {
		t.Errorf("heap grew by %d bytes", heap)
	}
	hsFinding(t, r, "smtp.protocol_error", report.PhaseAuth)
	hsClean(t, r)
}

// hsGoodTLS is a hostile test CA and a server configuration with a good
// certificate from it.
func hsGoodTLS(t *testing.T) (*hsrv.PKI, *tls.Config) {
	t.Helper()
	pki, err := hsrv.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pki.TLSConfig(hsrv.CertGood)
	if err != nil {
		t.Fatal(err)
	}
	return pki, cfg
}
