package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
)

// TestDemoEveryScenario probes every simulator scenario through the real CLI
// path and checks each phase against what the scenario says must happen:
// every phase before the expected failure passes, the failing phase has the
// expected reply or error kind, and every phase after it is skipped.
func TestDemoEveryScenario(t *testing.T) {
	for _, sc := range exosim.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(nil)
			code := a.runCLI(t, "demo", "--scenario", sc.Name, "--json")
			r := a.report(t)
			checkScenario(t, sc, r)
			if want := verdictExit(r.Verdict); code != want {
				t.Errorf("exit = %d, want %d for verdict %s", code, want, r.Verdict)
			}
			if sc.ExpectPhase != "" && code == ExitOK {
				t.Errorf("scenario fails at %s but the exit code is 0", sc.ExpectPhase)
			}
		})
	}
}

func checkScenario(t *testing.T, sc exosim.Scenario, r *report.Report) {
	t.Helper()
	if len(r.Phases) < 10 {
		t.Fatalf("only %d phases recorded", len(r.Phases))
	}
	failed := false
	for _, p := range r.Phases {
		switch {
		case p.Name == sc.ExpectPhase:
			failed = true
			if p.Status != sc.ExpectStatus {
				t.Errorf("%s: status %s, want %s (error %q, reply %v)", p.Name, p.Status, sc.ExpectStatus, p.Error, p.Reply)
			}
			if sc.ExpectCode != 0 {
				if p.Reply == nil || p.Reply.Code != sc.ExpectCode || p.Reply.Enhanced != sc.ExpectEnhanced {
					t.Errorf("%s: reply %+v, want %d %s", p.Name, p.Reply, sc.ExpectCode, sc.ExpectEnhanced)
				}
			}
			if sc.ExpectKind != "" && p.ErrorKind != sc.ExpectKind {
				t.Errorf("%s: error kind %q, want %q (%s)", p.Name, p.ErrorKind, sc.ExpectKind, p.Error)
			}
		case failed && p.Name != report.PhaseQuit && sc.ExpectStatus == report.StatusFail:
			if p.Status != report.StatusSkipped {
				t.Errorf("%s after the failed %s: status %s, want skipped", p.Name, sc.ExpectPhase, p.Status)
			}
		case !failed && p.Status == report.StatusFail:
			t.Errorf("%s failed before the expected phase %q: %s %v", p.Name, sc.ExpectPhase, p.Error, p.Reply)
		}
	}
	if sc.ExpectPhase != "" && !failed {
		t.Errorf("phase %s not in the report", sc.ExpectPhase)
	}
	if sc.ExpectPhase == "" && r.Verdict == report.VerdictFail {
		t.Errorf("scenario expects success, verdict fail: %+v", r.Findings)
	}
	if want := sc.WantVerdict(); want != "" && r.Verdict != want {
		t.Errorf("verdict %s, want %s", r.Verdict, want)
	}
}

// TestProbeAgainstServeKit runs "probe --profile" against the files
// "demo --serve" writes and expects the same phases as "demo".
func TestProbeAgainstServeKit(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"ok", "tenant-auth-disabled", "bad-token"} {
		t.Run(name, func(t *testing.T) {
			sim, err := exosim.Start(ctx, exosim.Options{Scenario: name, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			profile, err := sim.WriteKit()
			if err != nil {
				t.Fatal(err)
			}
			a := newTestApp(map[string]string{exosim.PasswordEnv: sim.Password()})
			a.runCLI(t, "probe", "--profile", profile, "--ca", sim.CAFile(), "--json")
			viaProbe := a.report(t)

			d := newTestApp(nil)
			d.runCLI(t, "demo", "--scenario", name, "--json")
			viaDemo := d.report(t)

			if len(viaProbe.Phases) != len(viaDemo.Phases) {
				t.Fatalf("probe has %d phases, demo %d", len(viaProbe.Phases), len(viaDemo.Phases))
			}
			for i := range viaProbe.Phases {
				p, q := viaProbe.Phases[i], viaDemo.Phases[i]
				if p.Name != q.Name || p.Status != q.Status || replyCode(p) != replyCode(q) {
					t.Errorf("phase %d: probe %s %s %s, demo %s %s %s", i, p.Name, p.Status, replyCode(p), q.Name, q.Status, replyCode(q))
				}
			}
			if viaProbe.Verdict != viaDemo.Verdict {
				t.Errorf("verdict: probe %s, demo %s", viaProbe.Verdict, viaDemo.Verdict)
			}
		})
	}
}

func replyCode(p report.Phase) string {
	if p.Reply == nil {
		return "-"
	}
	return strings.TrimSpace(p.Reply.Line()[:min(len(p.Reply.Line()), 9)])
}

// TestTarpitEndsWithinTimeout: a server that accepts and never speaks
// fails at banner with a timeout, never a hang.
func TestTarpitEndsWithinTimeout(t *testing.T) {
	t.Parallel()
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "tarpit", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	profile, err := sim.WriteKit()
	if err != nil {
		t.Fatal(err)
	}
	a := newTestApp(nil)
	code := a.runCLI(t, "probe", "--profile", profile, "--ca", sim.CAFile(), "--phase-timeout", "500ms", "--json")
	r := a.report(t)
	if code != ExitFail {
		t.Errorf("exit = %d, want %d", code, ExitFail)
	}
	banner, ok := r.Phase(report.PhaseBanner)
	if !ok || banner.Status != report.StatusFail || banner.ErrorKind != report.KindTimeout {
		t.Fatalf("banner phase = %+v, want a timeout failure", banner)
	}
	// The phase budget, not some library default, ended the wait.
	if time.Duration(banner.Duration) > 30*time.Second {
		t.Errorf("banner waited %s", time.Duration(banner.Duration))
	}
}

func TestBrokenProfileExits3WithLine(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		yaml string
		want string
	}{
		"unknown key": {"device:\n  name: X\n  vendor: epson\n  colour: red\nemail:\n  auth_method: oauth2\n  service: exchange-online\nsmtp:\n  server: smtp.office365.com\n", ":4:"},
		"wrong type":  {"device:\n  name: X\n  vendor: epson\nemail:\n  auth_method: oauth2\n  service: exchange-online\nsmtp:\n  server: smtp.office365.com\n  port: lots\n", ":9:"},
		"missing":     {"device:\n  name: X\n  vendor: epson\nemail:\n  auth_method: oauth2\n  service: exchange-online\nsmtp:\n  port: 587\n", "smtp.server"},
		"bad value":   {"device:\n  name: X\n  vendor: epson\nemail:\n  auth_method: kerberos\n  service: exchange-online\nsmtp:\n  server: s\n", ":5:"},
		"not yaml":    {"device: [\n", "bad.yaml"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			if name == "not yaml" {
				path = filepath.Join(dir, "bad.yaml")
			}
			if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			a := newTestApp(nil)
			if code := a.runCLI(t, "probe", "--profile", path); code != ExitError {
				t.Fatalf("exit = %d, want 3", code)
			}
			msg := a.err.String()
			if !strings.Contains(msg, "mfpcheck: error: ") || !strings.Contains(msg, filepath.Base(path)) || !strings.Contains(msg, c.want) {
				t.Fatalf("stderr = %q, want the file and %q", msg, c.want)
			}
			if a.out.Len() != 0 {
				t.Errorf("stdout not empty: %q", a.out.String())
			}
		})
	}
}

// TestProbeWithoutProfile gives every setting as flags.
func TestProbeWithoutProfile(t *testing.T) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	a := newTestApp(nil)
	code := a.runCLI(t, "probe", sim.SMTPAddr(), "--user", exosim.DeviceUser, "--token-file", sim.TokenFile(), "--ca", sim.CAFile(), "--json")
	r := a.report(t)
	if code != ExitOK && code != ExitWarning {
		t.Fatalf("exit = %d: %s", code, a.err.String())
	}
	auth, _ := r.Phase(report.PhaseAuth)
	if auth.Status != report.StatusOK || r.Auth == nil || r.Auth.Mechanism != "XOAUTH2" {
		t.Fatalf("auth = %+v, %+v", auth, r.Auth)
	}
	if data, _ := r.Phase(report.PhaseData); data.Status != report.StatusSkipped {
		t.Errorf("a probe without --send-to ran DATA: %+v", data)
	}
	if sim.Messages() != 0 {
		t.Errorf("the probe sent %d messages without --send-to", sim.Messages())
	}
}

// TestNoSecretInOutput runs probes with a known token and password and
// checks no run of more than 8 of their characters reaches any output.
func TestNoSecretInOutput(t *testing.T) {
	for _, name := range []string{"ok", "bad-token", "basic-auth-disabled"} {
		t.Run(name, func(t *testing.T) {
			sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: name, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			var tf struct {
				Access  string `json:"access_token"`
				Refresh string `json:"refresh_token"`
			}
			if sim.TokenFile() != "" {
				tok, err := os.ReadFile(sim.TokenFile())
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(tok, &tf); err != nil {
					t.Fatal(err)
				}
			}
			profile, err := sim.WriteKit()
			if err != nil {
				t.Fatal(err)
			}
			for _, format := range [][]string{{"--json"}, {"--transcript"}} {
				a := newTestApp(map[string]string{exosim.PasswordEnv: sim.Password()})
				args := append([]string{"probe", "--profile", profile, "--ca", sim.CAFile()}, format...)
				a.runCLI(t, args...)
				for _, secret := range []string{tf.Access, tf.Refresh, sim.Password()} {
					if leak := leaked(a.out.String()+a.err.String(), secret); leak != "" {
						t.Errorf("%v output contains %q from a secret", format, leak)
					}
				}
			}
		})
	}
}

// leaked returns a run of 9 characters of secret found in out, or "".
func leaked(out, secret string) string {
	for i := 0; i+9 <= len(secret); i++ {
		if strings.Contains(out, secret[i:i+9]) {
			return secret[i : i+9]
		}
	}
	return ""
}

// TestHELODevice: a device that greets with HELO sees no extensions, so no
// AUTH; the probe behaves like it and the diagnosis names the cause.
func TestHELODevice(t *testing.T) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	profile, err := sim.WriteKit()
	if err != nil {
		t.Fatal(err)
	}
	a := newTestApp(nil)
	code := a.runCLI(t, "probe", "--profile", profile, "--ca", sim.CAFile(), "--helo", "--json")
	r := a.report(t)
	if code != ExitFail || r.Options.Greeting != "helo" || !r.Options.AsDevice {
		t.Fatalf("exit %d, options %+v", code, r.Options)
	}
	if ehlo, _ := r.Phase(report.PhaseEHLOTLS); ehlo.Status != report.StatusOK || len(ehlo.Capabilities) != 0 {
		t.Errorf("ehlo_tls = %+v, want ok without capabilities", ehlo)
	}
	if auth, _ := r.Phase(report.PhaseAuth); auth.Status != report.StatusFail || auth.ErrorKind != report.KindNotOffered {
		t.Errorf("auth = %+v, want not_offered", auth)
	}
	found := false
	for _, f := range r.Findings {
		found = found || f.ID == "smtp.helo_device"
	}
	if !found {
		t.Errorf("no smtp.helo_device finding: %+v", r.Findings)
	}
	for _, l := range r.Transcript {
		if strings.HasPrefix(l.Text, "EHLO") {
			t.Errorf("a HELO device sent %q", l.Text)
		}
	}
}

// TestDemoShowsPOP3Side: a simulated Sharp device (internet fax) also
// reads mail by POP3; the demo probes the simulator's POP3 side with the
// same token, in the same report and transcript.
func TestDemoShowsPOP3Side(t *testing.T) {
	a := newTestApp(nil)
	a.runCLI(t, "demo", "--scenario", "mailbox-auth-disabled", "--json")
	r := a.report(t)
	if r.Device == nil || r.Device.Vendor != "sharp" {
		t.Fatalf("device = %+v, want the simulated Sharp", r.Device)
	}
	if r.POP3 == nil {
		t.Fatal("no POP3 side in the report")
	}
	want := map[report.PhaseName]report.Status{report.PhasePOP3TLS: report.StatusOK, report.PhasePOP3CAPA: report.StatusOK, report.PhasePOP3Auth: report.StatusOK}
	for _, p := range r.POP3.Phases {
		if st, ok := want[p.Name]; ok && p.Status != st {
			t.Errorf("%s = %s (%s)", p.Name, p.Status, p.Error)
		}
	}
	pop3Lines := 0
	for _, l := range r.Transcript {
		if l.Service == "pop3" {
			pop3Lines++
			if strings.HasPrefix(l.Text, "AUTH XOAUTH2 ") {
				t.Errorf("POP3 AUTH sent in one line: %q", l.Text)
			}
		}
	}
	if pop3Lines == 0 {
		t.Error("no POP3 lines in the shared transcript")
	}
}
