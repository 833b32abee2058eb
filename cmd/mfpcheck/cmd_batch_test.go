package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

// closedPort is a loopback port that refuses connections
// (testtool.RefusedPort).
func closedPort(t *testing.T) int {
	t.Helper()
	return testtool.RefusedPort(t)
}

func writeFleet(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBatchBrokenFleetExits3WithLine: a fleet file that is not one (no
// devices: list) stops the run before any check, naming the file and line.
func TestBatchBrokenFleetExits3WithLine(t *testing.T) {
	path := writeFleet(t, "defaults:\n  smtp: {server: smtp.office365.com}\ndevcies:\n  - device: {name: a, vendor: epson}\n")
	a := newTestApp(nil)
	if code := a.runCLI(t, "batch", path); code != ExitError {
		t.Fatalf("exit %d, want %d", code, ExitError)
	}
	errs := a.err.String()
	for _, want := range []string{
		"mfpcheck: error: " + path + ":3: devcies: unknown key",
		"mfpcheck: hint:",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if a.out.Len() != 0 {
		t.Errorf("stdout: %q", a.out.String())
	}
}

// TestBatchDeadDevices checks a fleet whose servers refuse connections:
// every device fails, the exit code is the worst verdict, and --sheets
// writes one PDF per device plus the fleet summary.
func TestBatchDeadDevices(t *testing.T) {
	port := closedPort(t)
	path := writeFleet(t, fmt.Sprintf(`defaults:
  email: {auth_method: none, service: other}
  smtp: {server: 127.0.0.1, port: %d, security: starttls}
devices:
  - device: {name: "Epson 2/OG", vendor: epson, model: WF-C579R, address: 192.0.2.21}
  - device: {name: ricoh-3f, vendor: ricoh}
`, port))
	sheets := filepath.Join(t.TempDir(), "sheets")
	a := newTestApp(nil)
	code := a.runCLI(t, "batch", path, "--format", "json", "--sheets", sheets, "--lang", "de", "--concurrency", "4")
	var b batch.Batch
	if err := json.Unmarshal(a.out.Bytes(), &b); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s\nstderr: %s", err, a.out.String(), a.err.String())
	}
	if len(b.Reports) != 2 || b.Summary.Checked != 2 {
		t.Fatalf("batch = %+v", b)
	}
	if code != verdictExit(b.Summary.Worst) || code != ExitFail {
		t.Errorf("exit %d, worst %s (stderr %s)", code, b.Summary.Worst, a.err.String())
	}
	for _, r := range b.Reports {
		if r.Verdict != report.VerdictFail || r.Lang != "de" {
			t.Errorf("%s: verdict %s lang %s", r.Device.Name, r.Verdict, r.Lang)
		}
		if p, ok := r.FailedPhase(); !ok || p.Name != report.PhaseConnect {
			t.Errorf("%s: failed phase %+v, want connect", r.Device.Name, p)
		}
	}
	for _, name := range []string{"Epson-2-OG.pdf", "ricoh-3f.pdf", "fleet-summary.pdf"} {
		data, err := os.ReadFile(filepath.Join(sheets, name))
		if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Errorf("%s: %v (%d bytes)", name, err, len(data))
		}
	}
	if !strings.Contains(a.err.String(), "status sheets written to "+sheets) {
		t.Errorf("stderr: %s", a.err.String())
	}

	// --only-problems with text: both fail, both shown, worst first by name.
	a = newTestApp(nil)
	if code := a.runCLI(t, "batch", "--only-problems", path); code != ExitFail {
		t.Errorf("text: exit %d", code)
	}
	lines := strings.Split(a.out.String(), "\n")
	if !strings.HasPrefix(lines[1], "Epson 2/OG") || !strings.HasPrefix(lines[2], "ricoh-3f") || !strings.Contains(a.out.String(), "2 devices: 0 ok, 0 warning, 2 fail, 0 error") {
		t.Errorf("text output:\n%s", a.out.String())
	}
}
