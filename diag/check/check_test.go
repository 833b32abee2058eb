package check

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

func testProfile(t *testing.T, yaml string) *profile.Profile {
	t.Helper()
	p, err := profile.Parse("p.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const ricoh = `device: {name: Copier, vendor: ricoh}
email: {auth_method: basic, service: exchange-online, sender: user@contoso.com, admin: scan@contoso.com, auto_sender: true}
smtp: {server: smtp.office365.com, user: scan@contoso.com, password_env: PW, timeout: 7s}
pop3: {server: outlook.office365.com, token_file: pop.json}
capabilities: {max_tls: "1.0", mechanisms: [PLAIN]}
`

func TestFromProfileBehavesLikeTheDevice(t *testing.T) {
	cfg := FromProfile(testProfile(t, ricoh), func(k string) string {
		if k == "PW" {
			return "s3cret-password"
		}
		return ""
	})
	pc := cfg.Probe
	if pc.Sender != "scan@contoso.com" {
		t.Errorf("sender = %q: Auto Specify Sender Name sends as the administrator address", pc.Sender)
	}
	if pc.Password != "s3cret-password" || pc.PasswordSource != "env PW" {
		t.Errorf("password from %q", pc.PasswordSource)
	}
	if !pc.AsDevice || pc.MaxTLS != "1.0" || len(pc.Mechanisms) != 1 || pc.Mechanisms[0] != "PLAIN" {
		t.Errorf("device behaviour: %+v", pc)
	}
	if pc.PhaseTimeout != 7*time.Second || !pc.Envelope || pc.Port != 587 || pc.Security != "starttls" {
		t.Errorf("probe settings: %+v", pc)
	}
	if cfg.POP3 == nil || cfg.POP3.Port != 995 || cfg.POP3.User != "scan@contoso.com" || cfg.POP3TokenFile != "pop.json" {
		t.Errorf("POP3: %+v, token %q", cfg.POP3, cfg.POP3TokenFile)
	}
}

func TestHostChecksFollowTheAuthority(t *testing.T) {
	cfg := Config{Probe: probe.Config{Session: probe.Session{Host: "smtp.office365.com", Port: 587, AuthMethod: "oauth2"}}}
	for authority, want := range map[string]string{
		"":                                 "login.microsoftonline.com:443",
		"https://login.microsoftonline.us": "login.microsoftonline.us:443",
		"http://127.0.0.1:8123/":           "127.0.0.1:8123",
		"https://login.partner.microsoftonline.cn/": "login.partner.microsoftonline.cn:443",
	} {
		cfg.Authority = authority
		hs := hostChecks(cfg)
		last := hs[len(hs)-1]
		if got := last.Host + ":" + strconv.Itoa(last.Port); last.Role != "signin" || got != want {
			t.Errorf("authority %q: sign-in check %s, want %s", authority, got, want)
		}
	}
}

// TestRunWithoutTokenFile: a token file that does not exist is mfpcheck's
// input, not the device's state: the check stops before probing with an
// error naming the file, verdict error, and one finding whose side is the
// input; nothing tells the user to sign the device in again.
func TestRunWithoutTokenFile(t *testing.T) {
	cfg := Config{
		Probe:     probe.Config{Session: probe.Session{Host: "127.0.0.1", Port: 1, AuthMethod: "oauth2", User: "scan@contoso.com", PhaseTimeout: time.Second}},
		TokenFile: filepath.Join(t.TempDir(), "missing.json"),
	}
	r := Run(context.Background(), cfg)
	if r.Verdict != report.VerdictError || !strings.Contains(r.Error, "missing.json") || r.ErrorID != "input.token_file_missing" || len(r.Phases) != 0 {
		t.Fatalf("verdict %s, error %q (%s), %d phases", r.Verdict, r.Error, r.ErrorID, len(r.Phases))
	}
	if len(r.Findings) != 1 || r.Findings[0].Side != "input" || r.Findings[0].ID != "input.token_file_missing" {
		t.Fatalf("findings %+v, want one input.token_file_missing", r.Findings)
	}
	for _, f := range r.Findings {
		for _, s := range f.Steps {
			if s.Where == "device" {
				t.Errorf("device-side step for mfpcheck's input: %q", s.Text)
			}
		}
	}
}

// TestRunBasicWithoutPassword: a password sign-in with no password given is
// mfpcheck's input (exit 3), named with the variable the profile reads.
func TestRunBasicWithoutPassword(t *testing.T) {
	r := Run(context.Background(), Config{Probe: probe.Config{
		Session: probe.Session{Host: "127.0.0.1", Port: 1, AuthMethod: "basic",
			User: "scan@contoso.com", PasswordSource: "env SCAN_PW",
		},
	}})
	if r.Verdict != report.VerdictError || r.ErrorID != "input.no_password" || !strings.Contains(r.Error, "SCAN_PW") || len(r.Phases) != 0 {
		t.Fatalf("verdict %s, error %q (%s), %d phases", r.Verdict, r.Error, r.ErrorID, len(r.Phases))
	}
	if len(r.Findings) != 1 || r.Findings[0].Side != "input" {
		t.Fatalf("findings %+v", r.Findings)
	}
}

// TestRunWithBrokenTokenFile: a token file that exists but cannot be read
// stops the check with an error naming the file; nothing is probed.
func TestRunWithBrokenTokenFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token.json")
	if err := os.WriteFile(file, []byte(`{"access_token": "eyJ`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := Run(context.Background(), Config{
		Probe:     probe.Config{Session: probe.Session{Host: "127.0.0.1", Port: 1, AuthMethod: "oauth2", User: "scan@contoso.com"}},
		TokenFile: file,
	})
	if r.Verdict != report.VerdictError || !strings.Contains(r.Error, "token.json") || len(r.Phases) != 0 {
		t.Fatalf("verdict %s, error %q, %d phases", r.Verdict, r.Error, len(r.Phases))
	}
	if b, _ := os.ReadFile(file); string(b) != `{"access_token": "eyJ` {
		t.Error("the broken token file was changed")
	}
}

// TestDurationCoversPOP3: the report's duration is the whole check's, so a
// POP3 side slower than the SMTP probe (here a POP3 server that never
// greets, against an SMTP port that refuses at once) is inside it.
func TestDurationCoversPOP3(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent until the test ends
		}
	}()
	smtpPort := testtool.RefusedPort(t)
	r := Run(context.Background(), Config{
		Probe: probe.Config{Session: probe.Session{Host: "127.0.0.1", Port: smtpPort, AuthMethod: "none", PhaseTimeout: 300 * time.Millisecond}},
		POP3:  &probe.POP3Config{Session: probe.Session{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: "none", AuthMethod: "none"}},
	})
	if c, _ := r.Phase(report.PhaseConnect); c.ErrorKind != report.KindRefused {
		t.Fatalf("smtp connect = %+v", c)
	}
	if r.POP3 == nil {
		t.Fatal("no POP3 report")
	}
	var pop3End report.Duration
	timedOut := false
	for _, ph := range r.POP3.Phases {
		pop3End = max(pop3End, ph.Started+ph.Duration)
		timedOut = timedOut || ph.ErrorKind == report.KindTimeout
	}
	if !timedOut {
		t.Fatalf("no POP3 phase timed out: %+v", r.POP3.Phases)
	}
	if r.Duration < pop3End {
		t.Errorf("duration %s ends before the POP3 side (%s)", r.Duration.D(), pop3End.D())
	}
}
