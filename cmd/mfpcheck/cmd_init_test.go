package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/profile"
)

// TestInitAsksInTheVendorsWords: on a terminal, init asks each question
// with the maker's own menu name, writes a profile that loads, and never
// overwrites it without --force.
func TestInitAsksInTheVendorsWords(t *testing.T) {
	out := filepath.Join(t.TempDir(), "epson.yaml")
	// vendor, name, model, address, auth, server, port, security,
	// verify, user, sender, tenant, client id, token file, pop3.
	answers := "epson\nReception\nWF-C879R\n192.0.2.21\n\n\n\n\nno\nscan@contoso.com\n\ncontoso.onmicrosoft.com\n\n\n\n"
	a := newTestApp(nil)
	a.stdin, a.stdinTTY = strings.NewReader(answers), true
	if code := a.runCLI(t, "init", "-o", out, "--lang", "de"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, a.err)
	}
	for _, want := range []string{"Authentifiziertes Konto", "SMTP-Server (SMTP-Serveradresse) [smtp.office365.com]", "Epson Web Config: Netzwerk > eMail-Server > Grundlegend"} {
		if !strings.Contains(a.err.String(), want) {
			t.Errorf("questions lack %q:\n%s", want, a.err)
		}
	}
	data, _ := os.ReadFile(out)
	for _, want := range []string{"server: smtp.office365.com  # SMTP-Serveradresse", "verify_cert: false", "user: scan@contoso.com  # Authentifiziertes Konto", "tenant: contoso.onmicrosoft.com"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("profile lacks %q:\n%s", want, data)
		}
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if p.Device.Name != "Reception" || p.SMTP.Port != 587 || p.SMTP.VerifyCertOn() || p.OAuth.TokenFile != filepath.Join(filepath.Dir(out), "token.json") {
		t.Errorf("profile %+v", p)
	}

	a = newTestApp(nil)
	if code := a.runCLI(t, "init", "--vendor", "sharp", "-o", out); code != ExitError || !strings.Contains(a.err.String(), "--force") {
		t.Errorf("existing file: exit %d, %q", code, a.err)
	}
	a = newTestApp(nil)
	if code := a.runCLI(t, "init", "--vendor", "sharp", "-o", out, "--force", "--user", "fax@contoso.com", "--pop3-server", "outlook.office365.com"); code != ExitOK {
		t.Fatalf("--force: exit %d %s", code, a.err)
	}
	if p, err := profile.Load(out); err != nil || p.Device.Vendor != "sharp" || p.POP3 == nil || p.POP3.Port != 995 {
		t.Errorf("after --force: %+v %v", p, err)
	}
	a = newTestApp(nil)
	if code := a.runCLI(t, "init", "-o", filepath.Join(t.TempDir(), "x.yaml")); code != ExitError || !strings.Contains(a.err.String(), "--vendor") {
		t.Errorf("no vendor, no terminal: exit %d, %q", code, a.err)
	}
}
