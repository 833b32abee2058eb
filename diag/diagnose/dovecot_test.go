package diagnose_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/dovecot"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testpki"
)

// TestDovecotDiagnosis probes a real Dovecot (submission with STARTTLS,
// POP3 on 995) as a device would and checks the diagnosis: a good token
// passes; a refused token (Dovecot's 334 JSON challenge, then 535 or -ERR)
// is "the server rejected the token"; an expired and a wrong-name
// certificate are named; and no step ever sends the user to
// smtp.office365.com or Microsoft's admin portals, in any language.
func TestDovecotDiagnosis(t *testing.T) {
	t.Parallel()
	dovecot.Require(t)
	if testing.Short() {
		t.Skip("starts Dovecot")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const user = "scanner@example.test"
	now := time.Now()
	pki, err := testpki.New("mfpcheck Dovecot test CA", now, now)
	if err != nil {
		t.Fatal(err)
	}
	servers := map[testpki.Kind]*dovecot.Server{}
	for _, kind := range []testpki.Kind{testpki.Good, testpki.Expired, testpki.WrongHost} {
		srv, err := dovecot.Start(ctx, dovecot.Options{PKI: pki, Cert: kind, Tokens: map[string]string{"good-token": user}})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		servers[kind] = srv
	}
	for _, c := range []struct {
		name  string
		cert  testpki.Kind
		pop3  bool
		token string
		want  string // "" = no error finding, verdict ok
	}{
		{"smtp good token", testpki.Good, false, "good-token", ""},
		{"pop3 good token", testpki.Good, true, "good-token", ""},
		{"smtp refused token", testpki.Good, false, "bad-token", "auth.token_rejected"},
		{"pop3 refused token", testpki.Good, true, "bad-token", "auth.token_rejected"},
		{"smtp expired certificate", testpki.Expired, false, "good-token", "tls.cert_expired"},
		{"pop3 expired certificate", testpki.Expired, true, "good-token", "tls.cert_expired"},
		{"smtp wrong-name certificate", testpki.WrongHost, false, "good-token", "tls.cert_host"},
		{"pop3 wrong-name certificate", testpki.WrongHost, true, "good-token", "tls.cert_host"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := servers[c.cert]
			cfg := check.Config{Lang: "en"}
			if c.pop3 {
				host, port := splitAddr(t, srv.POP3S)
				cfg.POP3Only = true
				cfg.POP3 = &probe.POP3Config{
					Session: probe.Session{Host: host, Port: port, Security: "tls", VerifyCert: true, Roots: srv.RootCAs(),
						AuthMethod: "oauth2", User: user, Token: c.token, PhaseTimeout: 10 * time.Second, Timeout: time.Minute,
					},
				}
				cfg.Probe = probe.Config{Session: probe.Session{Host: host, Port: port, AuthMethod: "oauth2", User: user, Token: c.token}}
			} else {
				host, port := splitAddr(t, srv.Submission)
				cfg.Probe = probe.Config{
					Session: probe.Session{Host: host, Port: port, Security: "starttls", VerifyCert: true, Roots: srv.RootCAs(),
						AuthMethod: "oauth2", User: user, Token: c.token,
						PhaseTimeout: 10 * time.Second, Timeout: time.Minute,
					}, Sender: user, Envelope: true,
				}
			}
			r := check.Run(ctx, cfg)
			var ids []string
			for _, f := range r.Findings {
				ids = append(ids, f.ID+"/"+string(f.Severity))
			}
			switch {
			case c.want == "":
				if r.Verdict != report.VerdictOK && r.Verdict != report.VerdictWarning {
					t.Errorf("verdict %s, findings %v\n%s", r.Verdict, ids, srv.Log())
				}
			case len(r.Findings) == 0 || r.Findings[0].ID != c.want:
				t.Errorf("first finding of %v, want %s\n%s", ids, c.want, srv.Log())
			case r.Verdict != report.VerdictFail:
				t.Errorf("verdict %s, want fail", r.Verdict)
			}
			if c.want == "auth.token_rejected" {
				if f := r.Findings[0]; f.Side != "device" || !strings.Contains(strings.Join(f.Evidence, "\n"), `"status":"401"`) {
					t.Errorf("token finding: side %s, evidence %q", f.Side, f.Evidence)
				}
			}
			for _, lang := range diagnose.Languages {
				diagnose.Diagnose(r, nil, diagnose.Options{Lang: lang})
				for _, f := range r.Findings {
					// Dovecot's replies are read as Dovecot's: no Exchange
					// Online reading, and no password advice for the
					// token the probe signed in with.
					for _, id := range append([]string{f.ID}, f.Alternatives...) {
						if strings.HasPrefix(id, "smtp.auth.") || strings.HasPrefix(id, "smtp.mail.") || id == "auth.bad_password" {
							t.Errorf("%s: %s offered against Dovecot (finding %s)", lang, id, f.ID)
						}
					}
					if strings.Contains(f.Title, "office365.com") {
						t.Errorf("%s %s: title %q names Exchange Online's host", lang, f.ID, f.Title)
					}
					for _, s := range f.Steps {
						if strings.Contains(s.Text, "office365.com") || strings.Contains(strings.ToLower(s.Text), "microsoft 365 admin") ||
							s.Where == "m365_admin" || s.Where == "exchange_admin" || s.Where == "entra_admin" || s.Where == "powershell" {
							t.Errorf("%s %s: step for Exchange Online against Dovecot: %q (%s)", lang, f.ID, s.Text, s.Where)
						}
					}
				}
			}
		})
	}
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}
