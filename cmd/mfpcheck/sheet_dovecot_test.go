package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/dovecot"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testpki"
)

// TestSheetFromDovecotReportInAnotherLanguage checks a real Dovecot with a
// certificate for another name in English, saves the report, and prints
// its sheet in German with sheet --from --lang de: the findings shown in
// the other language keep what the diagnosis knew (the server is not
// Exchange Online), so no step sends the user to smtp.office365.com or
// Microsoft's admin centers.
func TestSheetFromDovecotReportInAnotherLanguage(t *testing.T) {
	t.Parallel()
	dovecot.Require(t)
	if testing.Short() {
		t.Skip("starts Dovecot")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now()
	pki, err := testpki.New("mfpcheck sheet Dovecot CA", now, now)
	if err != nil {
		t.Fatal(err)
	}
	const user = "scanner@example.test"
	srv, err := dovecot.Start(ctx, dovecot.Options{PKI: pki, Cert: testpki.WrongHost, Tokens: map[string]string{"good-token": user}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	host, p, err := net.SplitHostPort(srv.Submission)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	cfg := check.Config{Lang: "en"}
	cfg.Probe = probe.Config{Session: probe.Session{Host: host, Port: port, Security: "starttls", VerifyCert: true, Roots: srv.RootCAs(),
		AuthMethod: "oauth2", User: user, Token: "good-token", PhaseTimeout: 10 * time.Second, Timeout: time.Minute}, Sender: user}
	r := check.Run(ctx, cfg)
	found := false
	for _, f := range r.Findings {
		if f.ID == "tls.cert_host" {
			found = true
			if f.Service == "" {
				t.Errorf("tls.cert_host against Dovecot does not say it was read for another service")
			}
		}
	}
	if !found {
		t.Fatalf("no tls.cert_host finding against the wrong-name certificate:\n%s", srv.Log())
	}
	dir := t.TempDir()
	from := filepath.Join(dir, "report.json")
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(from, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "fr"} {
		out := filepath.Join(dir, "sheet-"+lang+".pdf")
		a := newTestApp(nil)
		if code := a.runCLI(t, "sheet", "--from", from, "--lang", lang, "-o", out); code != ExitOK {
			t.Fatalf("%s: exit %d; stderr:\n%s", lang, code, a.err)
		}
		text := pdfToText(t, out)
		flat := strings.Join(strings.Fields(text), " ")
		title := map[string]string{"de": "Das Zertifikat des Servers lautet auf einen anderen Namen", "fr": "Le certificat du serveur porte un autre nom"}[lang]
		if !strings.Contains(flat, title) {
			t.Errorf("%s: the sheet does not show the certificate finding in its language (%q)", lang, title)
		}
		for _, bad := range []string{"office365.com", "Microsoft 365 Admin", "Exchange Admin", "Entra Admin", "Centre d'administration"} {
			if strings.Contains(flat, bad) {
				t.Errorf("%s: the sheet of a Dovecot report says %q", lang, bad)
			}
		}
	}
}
