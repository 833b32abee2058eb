package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/token"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/tenantsim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
	"github.com/mfpcheck/mfpcheck/tui"
)

// secretScan collects every output of every command run with known
// secrets, and fails if any run of more than 8 characters of a secret
// appears in any of them.
type secretScan struct {
	secrets map[string]string // name → value
	outputs map[string]string // where → text
	// public is text that is no secret although a secret may share runs
	// with it: a JWT carries the user's address in base64, and so does an
	// AUTH LOGIN username.
	public string
}

func (s *secretScan) add(where, text string) {
	s.outputs[where] += text
}

func (s *secretScan) check(t *testing.T) {
	t.Helper()
	if len(s.outputs) == 0 {
		t.Fatal("no output collected")
	}
	for where, out := range s.outputs {
		if out == "" {
			t.Errorf("%s: empty output, the scan would prove nothing", where)
		}
		for name, secret := range s.secrets {
			if len(secret) < 9 {
				t.Fatalf("secret %s too short to scan", name)
			}
			if leak := leakedExcept(out, secret, s.public); leak != "" {
				t.Errorf("%s contains %q from the %s", where, leak, name)
			}
		}
	}
}

// leakedExcept is leaked, not counting runs that are part of public.
func leakedExcept(out, secret, public string) string {
	for i := 0; i+9 <= len(secret); i++ {
		if run := secret[i : i+9]; strings.Contains(out, run) && !strings.Contains(public, run) {
			return run
		}
	}
	return ""
}

// TestNoSecretInAnyOutput runs every command that touches a token or a
// password — probe, demo-style checks, token, token --refresh, batch in
// every format, sheet (PDF text), the TUI view and its log — with a known
// access token, refresh token and password, and scans everything they
// wrote.
func TestNoSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oauth, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: filepath.Join(dir, "oauth")})
	if err != nil {
		t.Fatal(err)
	}
	defer oauth.Close()
	basic, err := exosim.Start(context.Background(), exosim.Options{Scenario: "basic-ok", Dir: filepath.Join(dir, "basic")})
	if err != nil {
		t.Fatal(err)
	}
	defer basic.Close()
	oauthProfile, err := oauth.WriteKit()
	if err != nil {
		t.Fatal(err)
	}
	basicProfile, err := basic.WriteKit()
	if err != nil {
		t.Fatal(err)
	}
	set, err := token.Load(oauth.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	scan := &secretScan{
		secrets: map[string]string{
			"access token": set.Access, "refresh token": set.Refresh, "password": basic.Password(),
		},
		outputs: map[string]string{},
	}
	env := map[string]string{exosim.PasswordEnv: basic.Password(), "MFPCHECK_TOKEN": set.Access}

	run := func(where string, args ...string) *testApp {
		a := newTestApp(env)
		a.runCLI(t, args...)
		scan.add(where, a.out.String()+a.err.String())
		return a
	}
	for _, p := range []string{oauthProfile, basicProfile} {
		name := filepath.Base(filepath.Dir(p))
		run("probe text+transcript "+name, "probe", "--profile", p, "--ca", oauth.CAFile(), "--transcript")
		run("probe json "+name, "probe", "--profile", p, "--ca", oauth.CAFile(), "--json")
		run("probe --send-to "+name, "probe", "--profile", p, "--ca", oauth.CAFile(), "--send-to", exosim.DeviceUser, "--transcript")
	}
	run("probe --token-env", "probe", oauth.SMTPAddr(), "--user", exosim.DeviceUser, "--token-env", "MFPCHECK_TOKEN", "--ca", oauth.CAFile(), "--json")
	run("token text", "token", "--profile", oauthProfile)
	run("token json", "token", "--profile", oauthProfile, "--json")

	// A refresh at the simulated Entra ID: the rotated refresh token is a
	// secret too.
	entra := entrasim.New(entrasim.Options{RefreshTokens: []string{set.Refresh}, TenantID: exosim.TenantID,
		Mint: func(string, []string) string { return oauth.MintToken(exosim.TokenGood) }})
	srv := httptest.NewServer(entra)
	defer srv.Close()
	run("token --refresh", "token", "--profile", oauthProfile, "--authority", srv.URL, "--refresh")
	run("token --refresh json", "token", "--profile", oauthProfile, "--authority", srv.URL, "--refresh", "--json")
	for i, rt := range entra.IssuedRefreshTokens() {
		scan.secrets["rotated refresh token "+string(rune('a'+i))] = rt
	}
	if rotated, err := token.Load(oauth.TokenFile()); err == nil {
		scan.secrets["new access token"] = rotated.Access
	}

	// Batch over both devices, every format, with sheets.
	fleet := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(fleet, []byte("devices:\n  - profile: "+oauthProfile+"\n  - profile: "+basicProfile+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "jsonl", "csv", "openmetrics", "nagios"} {
		run("batch "+format, "batch", fleet, "--format", format, "--ca", oauth.CAFile())
	}
	run("probe --nagios", "probe", "--profile", oauthProfile, "--ca", oauth.CAFile(), "--nagios")

	// The Prometheus exporter: every device's metrics, its own metrics and
	// its log.
	addr, serveLog := startServer(t, env, "serve", "--fleet", fleet, "--ca", oauth.CAFile(), "--listen", "127.0.0.1:0")
	for _, name := range targetNames(t, addr) {
		scan.add("serve /probe "+name, httpGet(t, "http://"+addr+"/probe?target="+url.QueryEscape(name)))
	}
	scan.add("serve /metrics", httpGet(t, "http://"+addr+"/metrics"))
	scan.add("serve /targets", httpGet(t, "http://"+addr+"/targets"))
	scan.add("serve log", serveLog.String())
	signedIn := false
	for where, out := range scan.outputs {
		signedIn = signedIn || strings.HasPrefix(where, "serve /probe") && strings.Contains(out, "probe_success 1")
	}
	if !signedIn {
		t.Error("no exporter check signed in: the scan of the exporter proves little")
	}
	sheets := filepath.Join(dir, "sheets")
	run("batch --sheets", "batch", fleet, "--sheets", sheets)

	// The PDF sheet, as text.
	pdf := filepath.Join(dir, "sheet.pdf")
	run("probe --sheet", "probe", "--profile", oauthProfile, "--ca", oauth.CAFile(), "--sheet", pdf)
	pdfs, _ := filepath.Glob(filepath.Join(sheets, "*.pdf"))
	pdfs = append(pdfs, pdf)
	if testtool.Have(t, "pdftotext", "poppler-utils") {
		for _, f := range pdfs {
			text, err := exec.Command("pdftotext", "-layout", f, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext %s: %v", f, err)
			}
			scan.add("pdf "+filepath.Base(f), string(text))
		}
	}
	for _, f := range pdfs {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scan.add("pdf bytes "+filepath.Base(f), string(raw))
	}

	// The TUI: the probe view, the transcript view and the log.
	var logBuf bytes.Buffer
	a := newTestApp(env)
	cfg := a.simCheck(oauth, "en", false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := tui.New(ctx, tui.Options{Devices: []tui.Device{a.tuiDevice(cfg, "test", "en")}, Engine: a.tuiEngine(), Output: &bytes.Buffer{}},
		log.New(&logBuf, "", 0))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 40))
	view := tuiWaitFor(t, tm, "Verdict")
	tm.Send(runes("t"))
	view += tuiWaitFor(t, tm, "XOAUTH2")
	tm.Send(runes("q"))
	tm.WaitFinished(t)
	scan.add("tui view", view)
	scan.add("tui log", logBuf.String()+" ")

	// And the report the TUI holds, as JSON.
	if r := finalTUI(t, tm).Report(0); r != nil {
		b, _ := json.Marshal(r)
		scan.add("tui report json", string(b))
	}
	scan.check(t)
	if !strings.Contains(scan.outputs["probe text+transcript oauth"], "<redacted") {
		t.Errorf("the transcript shows no redaction mark; was AUTH recorded at all?")
	}
}

// TestSecretScanCatchesLeak: the scan above would fail on a partial leak.
func TestSecretScanCatchesLeak(t *testing.T) {
	secret := "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.payload"
	if leaked("… token ends in "+secret[20:30]+" …", secret) == "" {
		t.Fatal("a 10-character run of the secret was not found")
	}
	if leaked("only "+secret[:8]+" here", secret) != "" {
		t.Fatal("8 characters must not count as a leak")
	}
}

// TestEchoedSecretsNeverPrinted: a token endpoint whose error quotes the
// refresh token (raw and URL-encoded), and SMTP and POP3 servers that
// quote the token, the XOAUTH2 blob and the password in their 334
// challenges, 535 texts and -ERR lines: token --refresh, probe --refresh
// and probe print none of it in any form, in text or JSON.
func TestEchoedSecretsNeverPrinted(t *testing.T) {
	dir := t.TempDir()
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	profile, err := sim.WriteKit()
	if err != nil {
		t.Fatal(err)
	}
	set, err := token.Load(sim.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	const password = "Corr3ct-Horse-Battery-Staple"
	scan := &secretScan{secrets: map[string]string{"access token": set.Access, "refresh token": set.Refresh, "password": password},
		outputs: map[string]string{}}
	for _, p := range []string{exosim.DeviceUser, "user=" + exosim.DeviceUser + "\x01auth=Bearer "} {
		scan.public += strings.Join(append(redact.Base64Forms(p), base64.StdEncoding.EncodeToString([]byte(p))), " ")
	}
	for name, s := range map[string]string{"access token": set.Access, "refresh token": set.Refresh, "password": password} {
		for i, f := range redact.Base64Forms(s) {
			scan.secrets[fmt.Sprintf("%s base64 form %d", name, i)] = f
		}
		scan.secrets[name+" URL-encoded"] = url.QueryEscape(s)
	}
	env := map[string]string{"MFPCHECK_PW": password}
	run := func(where string, args ...string) {
		a := newTestApp(env)
		a.runCLI(t, args...)
		scan.add(where, a.out.String()+a.err.String())
	}

	echo := hostile.EchoTokenEndpoint()
	defer echo.Close()
	before, _ := os.ReadFile(sim.TokenFile())
	run("token --refresh", "token", "--profile", profile, "--authority", echo.URL, "--refresh")
	run("token --refresh --json", "token", "--profile", profile, "--authority", echo.URL, "--refresh", "--json")
	run("probe --refresh", "probe", "--profile", profile, "--ca", sim.CAFile(), "--authority", echo.URL, "--refresh", "--json")
	if after, _ := os.ReadFile(sim.TokenFile()); !bytes.Equal(before, after) {
		t.Errorf("a refused refresh changed the token file")
	}
	if !strings.Contains(scan.outputs["token --refresh --json"], "AADSTS70000") {
		t.Errorf("the endpoint's answer is not reported:\n%s", scan.outputs["token --refresh --json"])
	}

	pki, err := hostile.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "hostile-ca.pem")
	if err := os.WriteFile(caFile, pki.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.TLSConfig(hostile.CertGood)
	if err != nil {
		t.Fatal(err)
	}
	smtpEcho, err := hostile.EchoAuth(tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer smtpEcho.Close()
	tokFile := filepath.Join(dir, "tok.txt")
	if err := os.WriteFile(tokFile, []byte(set.Access), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := smtpEcho.Addr()
	run("probe XOAUTH2 echo", "probe", addr, "--user", exosim.DeviceUser, "--token-file", tokFile, "--ca", caFile, "--transcript")
	run("probe XOAUTH2 echo json", "probe", addr, "--user", exosim.DeviceUser, "--token-file", tokFile, "--ca", caFile, "--json")
	run("probe LOGIN echo", "probe", addr, "--user", exosim.DeviceUser, "--password-env", "MFPCHECK_PW", "--ca", caFile, "--transcript")
	run("probe LOGIN echo json", "probe", addr, "--user", exosim.DeviceUser, "--password-env", "MFPCHECK_PW", "--ca", caFile, "--json")
	if !strings.Contains(scan.outputs["probe XOAUTH2 echo"], "535") || !strings.Contains(scan.outputs["probe LOGIN echo"], "535") {
		t.Errorf("the echoing server's 535 is not reported:\n%s", scan.outputs["probe XOAUTH2 echo"])
	}
	scan.check(t)
}

// TestNoAdminTokenInAnyOutput: a tenant whose every answer quotes the admin
// token it was sent (raw and URL-encoded) in a 403: tenant (text, JSON),
// probe --tenant-check, batch --tenant-check in every format with sheets
// (PDF text and bytes) and serve --tenant-check (metrics, log) print none
// of it; the reads are reported as refused.
func TestNoAdminTokenInAnyOutput(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": "Forbidden",
			"message": "token " + tok + " (" + url.QueryEscape(tok) + ") may not run this"}})
	}))
	defer echo.Close()
	dir := t.TempDir()
	admin := t.TempDir()
	if err := writeAdminTokens(admin, tenantsim.ExchangeToken, tenantsim.GraphToken, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	scan := &secretScan{secrets: map[string]string{}, outputs: map[string]string{}}
	for name, s := range map[string]string{"exchange admin token": tenantsim.ExchangeToken, "graph admin token": tenantsim.GraphToken} {
		scan.secrets[name] = s
		scan.secrets[name+" URL-encoded"] = url.QueryEscape(s)
	}
	ends := []string{"--admin-tokens", admin, "--exchange-url", echo.URL, "--graph-url", echo.URL}
	run := func(where string, args ...string) *testApp {
		a := newTestApp(nil)
		a.runCLI(t, append(args, ends...)...)
		scan.add(where, a.out.String()+a.err.String())
		return a
	}
	run("tenant text", "tenant", "--tenant", "contoso.onmicrosoft.com", "--user", tenantUser)
	if out := run("tenant json", "tenant", "--tenant", "contoso.onmicrosoft.com", "--user", tenantUser, "--json").out.String(); !strings.Contains(out, `"forbidden"`) ||
		!strings.Contains(out, "may not run this") {
		t.Errorf("the refusing tenant's answer is not reported:\n%s", out)
	}

	sim, profile := simWithKit(t, "ok")
	run("probe --tenant-check", "probe", "--profile", profile, "--ca", sim.CAFile(), "--tenant-check", "--json")
	fleet := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(fleet, []byte("devices:\n  - profile: "+profile+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "jsonl", "csv", "openmetrics"} {
		run("batch --tenant-check "+format, "batch", fleet, "--format", format, "--ca", sim.CAFile(), "--tenant-check")
	}
	for _, format := range []string{"jsonl", "csv"} {
		if out := scan.outputs["batch --tenant-check "+format]; !strings.Contains(out, "may not run this") && !strings.Contains(out, ",unknown,,") {
			t.Errorf("batch --format %s carries no tenant read:\n%s", format, out)
		}
	}
	sheets := filepath.Join(dir, "sheets")
	run("batch --tenant-check --sheets", "batch", fleet, "--ca", sim.CAFile(), "--tenant-check", "--sheets", sheets)
	pdfs, _ := filepath.Glob(filepath.Join(sheets, "*.pdf"))
	if len(pdfs) == 0 {
		t.Fatal("batch --sheets wrote no sheet")
	}
	for _, f := range pdfs {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scan.add("pdf bytes "+filepath.Base(f), string(raw))
		if testtool.Have(t, "pdftotext", "poppler-utils") {
			text, err := exec.Command("pdftotext", "-layout", f, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext %s: %v", f, err)
			}
			scan.add("pdf "+filepath.Base(f), string(text))
		}
	}

	addr, serveLog := startServer(t, nil, append([]string{"serve", "--fleet", fleet, "--ca", sim.CAFile(), "--listen", "127.0.0.1:0", "--tenant-check"}, ends...)...)
	for _, name := range targetNames(t, addr) {
		body := httpGet(t, "http://"+addr+"/probe?target="+url.QueryEscape(name))
		if !strings.Contains(body, `mfpcheck_tenant_read_ok{what="Get-CASMailbox"} 0`) {
			t.Errorf("serve: the refused read is not in the metrics:\n%s", body)
		}
		scan.add("serve /probe "+name, body)
	}
	scan.add("serve log", serveLog.String())
	scan.check(t)
}

// TestNoAdminRefreshTokenInAnyOutput: batch, serve and tui --tenant-check
// with expired admin tokens refresh them at start; a token endpoint whose
// refusal quotes the refresh token it was sent (raw and URL-encoded) gets
// none of it (nor the access tokens, in any encoding) printed, the run
// ends with exit 3, and the admin token files are left as they were.
func TestNoAdminRefreshTokenInAnyOutput(t *testing.T) {
	dir := t.TempDir()
	admin := t.TempDir()
	secrets := map[string]string{
		"exchange admin token": tenantsim.ExchangeToken, "graph admin token": tenantsim.GraphToken,
		"exchange admin refresh token": "0.AXchangeRefresh-Admin_Secret.4711abcdefghij",
		"graph admin refresh token":    "0.AGraphRefresh-Admin_Secret.0815klmnopqrst",
	}
	files := map[string][2]string{
		exchangeTokenFile: {tenantsim.ExchangeToken, secrets["exchange admin refresh token"]},
		graphTokenFile:    {tenantsim.GraphToken, secrets["graph admin refresh token"]},
	}
	before := map[string][]byte{}
	for file, tok := range files {
		p := filepath.Join(admin, file)
		if err := token.Save(p, &token.Set{Access: tok[0], Refresh: tok[1], Expiry: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		before[p], _ = os.ReadFile(p)
	}
	scan := &secretScan{secrets: map[string]string{}, outputs: map[string]string{}}
	for name, s := range secrets {
		scan.secrets[name] = s
		scan.secrets[name+" URL-encoded"] = url.QueryEscape(s)
		for i, f := range redact.Base64Forms(s) {
			scan.secrets[fmt.Sprintf("%s base64 form %d", name, i)] = f
		}
	}
	echo := hostile.EchoTokenEndpoint()
	defer echo.Close()
	sim, profile := simWithKit(t, "ok")
	fleet := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(fleet, []byte("devices:\n  - profile: "+profile+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ends := []string{"--tenant-check", "--admin-tokens", admin, "--authority", echo.URL, "--tenant", "contoso.onmicrosoft.com"}
	for _, c := range []struct {
		where string
		args  []string
	}{
		{"batch text", []string{"batch", fleet, "--ca", sim.CAFile()}},
		{"batch json", []string{"batch", fleet, "--ca", sim.CAFile(), "--format", "json"}},
		{"serve", []string{"serve", "--fleet", fleet, "--ca", sim.CAFile(), "--listen", "127.0.0.1:0"}},
		{"tui", []string{"tui", "--fleet", fleet}},
	} {
		a := newTestApp(nil)
		if code := a.runCLI(t, append(c.args, ends...)...); code != ExitError {
			t.Errorf("%s: exit %d, want %d\n%s", c.where, code, ExitError, a.err.String())
		}
		if !strings.Contains(a.err.String(), "AADSTS70000") {
			t.Errorf("%s: the token endpoint's refusal is not reported:\n%s", c.where, a.err.String())
		}
		scan.add(c.where, a.out.String()+a.err.String())
	}
	for p, b := range before {
		if after, _ := os.ReadFile(p); !bytes.Equal(after, b) {
			t.Errorf("a refused refresh changed %s", p)
		}
	}
	scan.check(t)
}
