package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// These tests check that a run that could not test the device blames the
// right side: mfpcheck's input or this computer, exit 3, "mfpcheck: error:"
// and a hint, and never advice to fix the device.

// noDeviceAdvice fails when the report gives the device, tenant or network
// the blame or any step to do on the device.
func noDeviceAdvice(t *testing.T, r *report.Report) {
	t.Helper()
	for _, f := range r.Findings {
		if f.Side == "device" || f.Side == "tenant" || f.Side == "network" {
			t.Errorf("finding %s blames the %s", f.ID, f.Side)
		}
		for _, s := range f.Steps {
			if s.Where == "device" {
				t.Errorf("finding %s: device step %q", f.ID, s.Text)
			}
		}
	}
}

func TestProbeMissingTokenFileBlamesInput(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "scanner.json")
	a := newTestApp(nil)
	code := a.runCLI(t, "probe", "127.0.0.1:1", "--token-file", missing, "--user", "scanner@contoso.com")
	stderr := a.err.String()
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	for _, want := range []string{"mfpcheck: error: token file " + missing + " does not exist", "mfpcheck: hint: Check the path given with --token-file"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(a.out.String(), "The device has no OAuth token") {
		t.Errorf("blames the device:\n%s", a.out.String())
	}
	a = newTestApp(nil)
	a.runCLI(t, "probe", "127.0.0.1:1", "--token-file", missing, "--user", "scanner@contoso.com", "--json")
	r := a.report(t)
	if r.Verdict != report.VerdictError || r.ErrorID != "input.token_file_missing" || len(r.Findings) == 0 || r.Findings[0].Side != "input" {
		t.Errorf("verdict %s, error id %q, findings %+v", r.Verdict, r.ErrorID, r.Findings)
	}
	noDeviceAdvice(t, r)
}

func TestProbeBadInputExits3WithHint(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"probe", ""}, "the host is empty"},
		{[]string{"probe", "127.0.0.1", "--port", "70000", "--auth", "none"}, "port 70000 is out of range"},
		{[]string{"probe", "127.0.0.1:1", "--auth", "basic", "--user", "scanner@contoso.com"}, "mfpcheck was given none"},
	} {
		a := newTestApp(nil)
		code := a.runCLI(t, c.args...)
		stderr := a.err.String()
		if code != ExitError || !strings.Contains(stderr, "mfpcheck: error: ") || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "mfpcheck: hint: ") {
			t.Errorf("%q: exit %d, stderr:\n%s", c.args, code, stderr)
		}
	}
}

// TestProbeTimeoutSpentBlamesInput: mfpcheck's own --timeout running out
// before a silent server answers is exit 3 and says so; it is not read as
// the server's silence.
func TestProbeTimeoutSpentBlamesInput(t *testing.T) {
	t.Parallel()
	srv, err := hostile.Silent()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	a := newTestApp(nil)
	code := a.runCLI(t, "probe", srv.Addr(), "--auth", "none", "--timeout", "300ms", "--json")
	r := a.report(t)
	if code != ExitError || r.Verdict != report.VerdictError || len(r.Findings) == 0 || r.Findings[0].ID != "input.timeout_spent" {
		t.Fatalf("exit %d, verdict %s, findings %+v", code, r.Verdict, r.Findings)
	}
	noDeviceAdvice(t, r)
}

// netnsEnv marks the test binary run again inside a private network
// namespace.
const netnsEnv = "MFPCHECK_TEST_IN_NETNS"

// inPrivateNetns runs the calling test again inside a private network
// namespace (unshare -n: no interface up, no route, no DNS) and reports
// false; inside that run it reports true. Without unshare the test fails
// when CI=true and is skipped loudly otherwise. Nothing a test sends from
// there can leave the namespace.
func inPrivateNetns(t *testing.T) bool {
	t.Helper()
	if os.Getenv(netnsEnv) == "1" {
		return true
	}
	args := []string{"-n"}
	if os.Geteuid() != 0 {
		args = []string{"-r", "-n"}
	}
	if out, err := exec.Command("unshare", append(args, "true")...).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("unshare %s does not work here (%v: %s)", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s", msg)
		}
		t.Skipf("SKIPPED, NOT TESTED offline: %s", msg)
	}
	cmd := exec.Command("unshare", append(args, os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1")...)
	cmd.Env = append(os.Environ(), netnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("inside unshare -n: %v\n%s", err, out)
	}
	return false
}

// TestOfflineCouldNotTest runs a probe and a fleet from a computer with no
// network: each says it could not test from here (verdict error, exit 3),
// never blames the device, and the fleet turns no device red.
func TestOfflineCouldNotTest(t *testing.T) {
	if !inPrivateNetns(t) {
		return
	}
	if probe.HasDefaultRoute() {
		t.Fatal("a default route inside the private namespace")
	}
	a := newTestApp(nil)
	code := a.runCLI(t, "probe", "smtp.office365.com:587", "--auth", "none", "--timeout", "20s")
	stderr := a.err.String()
	if code != ExitError || !strings.Contains(stderr, "mfpcheck: error: Could not test from here") || !strings.Contains(stderr, "mfpcheck: hint: ") {
		t.Errorf("exit %d, stderr:\n%s\nstdout:\n%s", code, stderr, a.out.String())
	}
	a = newTestApp(nil)
	a.runCLI(t, "probe", "smtp.office365.com:587", "--auth", "none", "--timeout", "20s", "--json")
	r := a.report(t)
	if r.Verdict != report.VerdictError || len(r.Findings) == 0 || r.Findings[0].ID != "local.offline" || r.Findings[0].Side != "local" {
		t.Errorf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}
	noDeviceAdvice(t, r)

	fleet := writeFleet(t, `defaults:
  email: {auth_method: none, service: other}
  smtp: {server: mail.example.net, port: 587, security: starttls}
  pop3: {server: mail.example.net, port: 995, security: tls}
devices:
  - device: {name: reception, vendor: epson}
  - device: {name: office, vendor: ricoh}
`)
	a = newTestApp(nil)
	code = a.runCLI(t, "batch", fleet, "--format", "json")
	var b struct {
		Reports []*report.Report `json:"reports"`
	}
	if err := json.Unmarshal(a.out.Bytes(), &b); err != nil {
		t.Fatalf("batch output: %v\n%s", err, a.out.String())
	}
	if code != ExitError || len(b.Reports) != 2 {
		t.Errorf("batch: exit %d, %d reports\n%s", code, len(b.Reports), a.out.String())
	}
	for _, r := range b.Reports {
		if r.Verdict != report.VerdictError {
			t.Errorf("%s: verdict %s, want error (could not test), not a device failure", r.Device.Name, r.Verdict)
		}
		noDeviceAdvice(t, r)
	}
}
