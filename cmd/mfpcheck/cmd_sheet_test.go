package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

// sheetReport writes a small saved report to dir and returns its path.
func sheetReport(t *testing.T, dir string, mutate func(r *report.Report)) string {
	t.Helper()
	r := &report.Report{
		Schema: report.Schema, Tool: report.Tool{Name: "mfpcheck", Version: "0.1.0"}, Lang: "de",
		Generated: time.Date(2026, 3, 2, 9, 14, 3, 0, time.UTC), Host: "techlaptop-07",
		Device: &report.Device{Name: "Empfang 2. OG", Vendor: "epson", Model: "WF-C879R", AuthMethod: "oauth2"},
		Target: report.Target{Host: "smtp.office365.com", Port: 587, Security: "starttls", VerifyCert: true, AuthMethod: "oauth2"},
		Phases: []report.Phase{{Name: report.PhaseAuth, Status: report.StatusFail,
			Reply: report.ParseReply(535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. [BN9PR03CA0101.namprd03.prod.outlook.com 2026-03-02T09:14:04.123Z 08DE5A1B2C3D4E5F]")}},
		Findings: []report.Finding{{ID: "x", Severity: report.SeverityError, Title: "SMTP AUTH ist für den Mandanten ausgeschaltet",
			Steps: []report.Step{{Text: "Im Exchange Admin Center einschalten."}}}},
		Verdict: report.VerdictFail,
	}
	if mutate != nil {
		mutate(r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func pdfToText(t *testing.T, path string) string {
	t.Helper()
	testtool.Need(t, "pdftotext", "poppler-utils")
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

func TestSheetFromReport(t *testing.T) {
	dir := t.TempDir()
	from := sheetReport(t, dir, nil)
	out := filepath.Join(dir, "out.pdf")
	a := newTestApp(map[string]string{"LANG": "de_DE.UTF-8"})
	if code := a.runCLI(t, "sheet", "--from", from, "-o", out); code != ExitOK {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitOK, a.err)
	}
	if got := strings.TrimSpace(a.out.String()); got != out {
		t.Errorf("stdout = %q, want the path written %q", got, out)
	}
	text := pdfToText(t, out)
	for _, s := range []string{"Netzwerkstatusblatt — E-Mail", "Empfang 2. OG", "FEHLER", "Zertifikatsprüfung",
		"SMTP AUTH ist für den Mandanten ausgeschaltet", "08DE5A1B2C3D4E5F]", "Seite 1 von"} {
		if !strings.Contains(text, s) {
			t.Errorf("sheet text lacks %q", s)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}

	// The file exists now: refused without --force, replaced with it.
	a = newTestApp(nil)
	if code := a.runCLI(t, "sheet", "--from", from, "-o", out, "--lang", "fr"); code != ExitError {
		t.Errorf("existing file: exit %d, want %d", code, ExitError)
	}
	if !strings.Contains(a.err.String(), "already exists") || !strings.Contains(a.err.String(), "--force") {
		t.Errorf("existing file: stderr %q should say it exists and name --force", a.err)
	}
	a = newTestApp(nil)
	if code := a.runCLI(t, "sheet", "--from", from, "-o", out, "--lang", "fr", "--force"); code != ExitOK {
		t.Fatalf("--force: exit %d; stderr:\n%s", code, a.err)
	}
	if text := pdfToText(t, out); !strings.Contains(text, "Feuille d'état réseau — e-mail") {
		t.Error("--force did not replace the sheet with the French one")
	}
}

func TestSheetFixedTimeIsReproducible(t *testing.T) {
	dir := t.TempDir()
	from := sheetReport(t, dir, nil)
	var pdfs [][]byte
	for i, name := range []string{"a.pdf", "b.pdf"} {
		a := newTestApp(nil)
		a.now = func() time.Time { return time.Unix(int64(1e9+i*1000), 0) }
		out := filepath.Join(dir, name)
		if code := a.runCLI(t, "sheet", "--from", from, "-o", out, "--lang", "en", "--paper", "letter",
			"--fixed-time", "2026-03-02T10:00:00Z"); code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, a.err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		pdfs = append(pdfs, b)
	}
	if !bytes.Equal(pdfs[0], pdfs[1]) {
		t.Error("two sheets with the same --fixed-time differ")
	}
	if !bytes.Contains(pdfs[0], []byte("/MediaBox [0 0 612.00 792.00]")) {
		t.Error("--paper letter did not give a Letter page")
	}
}
