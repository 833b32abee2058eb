package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/tenantsim"
)

const tenantUser = "scanner@contoso.example"

// tenantKit serves a simulated tenant and writes the admin tokens.
func tenantKit(t *testing.T, scenario, variant string) (url, dir string, sim *tenantsim.Server) {
	t.Helper()
	sim = tenantsim.New(tenantsim.ForScenario(scenario, variant, tenantUser, "contoso.onmicrosoft.com", time.Now()))
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	dir = t.TempDir()
	if err := writeAdminTokens(dir, tenantsim.ExchangeToken, tenantsim.GraphToken, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return srv.URL, dir, sim
}

func runTenant(t *testing.T, url, dir, method string, extra ...string) (*report.Report, int, *testApp) {
	t.Helper()
	a := newTestApp(nil)
	args := append([]string{"tenant", "--tenant", "contoso.onmicrosoft.com", "--user", tenantUser, "--auth", method,
		"--admin-tokens", dir, "--exchange-url", url, "--graph-url", url, "--json"}, extra...)
	code := a.runCLI(t, args...)
	var r report.Report
	if err := json.Unmarshal(a.out.Bytes(), &r); err != nil {
		t.Fatalf("tenant --json: %v\n%s%s", err, a.out, a.err)
	}
	return &r, code, a
}

func TestTenantCommandScenarios(t *testing.T) {
	for _, tc := range []struct {
		scenario, variant, method string
		code                      int
		finding                   string
		check                     func(*report.TenantInfo) bool
	}{
		{"ok", "", "oauth2", ExitOK, "", func(ti *report.TenantInfo) bool {
			return ti.SMTPAuth.Effective == "enabled" && ti.SMTPAuth.MailboxDisabled == nil && *ti.SecurityDefaults == false
		}},
		{"mailbox-auth-disabled", "", "oauth2", ExitFail, "tenant.smtp_auth.mailbox_off", func(ti *report.TenantInfo) bool {
			return ti.SMTPAuth.MailboxDisabled != nil && *ti.SMTPAuth.MailboxDisabled && ti.SMTPAuth.Source == "mailbox"
		}},
		{"tenant-auth-disabled", "", "oauth2", ExitFail, "tenant.smtp_auth.org_off", func(ti *report.TenantInfo) bool {
			return *ti.SMTPAuth.OrgDisabled && ti.SMTPAuth.Source == "organization"
		}},
		{"security-defaults", "", "basic", ExitFail, "tenant.security_defaults_on", func(ti *report.TenantInfo) bool { return *ti.SecurityDefaults }},
		{"basic-auth-disabled", "", "basic", ExitFail, "tenant.auth_policy_blocks_basic", func(ti *report.TenantInfo) bool {
			return ti.AuthenticationPolicy != nil && ti.AuthenticationPolicy.Name == "Block Basic Auth"
		}},
		{"conditional-access", "", "basic", ExitFail, "tenant.ca_requires", func(ti *report.TenantInfo) bool {
			return len(ti.SignIns) > 0 && ti.SignIns[0].ErrorCode == 53003 && len(ti.ConditionalAccess) == 2
		}},
		{"ok", tenantsim.VariantNoP1, "oauth2", ExitOK, "tenant.read_failed", func(ti *report.TenantInfo) bool {
			return ti.EmailAppUsage != nil && ti.EmailAppUsage.SMTP && readStatus(ti, "sign-ins") == "unlicensed"
		}},
		{"mailbox-auth-disabled", tenantsim.VariantNoExchangeRole, "oauth2", ExitOK, "tenant.read_failed", func(ti *report.TenantInfo) bool {
			return ti.SMTPAuth.Effective == "unknown" && readStatus(ti, "Get-CASMailbox") == "forbidden"
		}},
		{"mailbox-auth-disabled", tenantsim.VariantMalformed, "oauth2", ExitOK, "", func(ti *report.TenantInfo) bool {
			return ti.SMTPAuth.Effective == "unknown" && readStatus(ti, "Get-CASMailbox") == "unavailable"
		}},
		// Microsoft's managed policies in report-only mode: a warning now,
		// before they are switched on.
		{"ok", "", "basic", ExitWarning, "tenant.ca_report_only", func(ti *report.TenantInfo) bool {
			return reportOnly(ti, "Microsoft-managed: Block legacy authentication", "legacy_auth")
		}},
		{"ok", tenantsim.VariantDeviceCodeReportOnly, "oauth2", ExitWarning, "tenant.ca_report_only", func(ti *report.TenantInfo) bool {
			return reportOnly(ti, "Microsoft-managed: Block device code flow", "device_code")
		}},
	} {
		t.Run(tc.scenario+"/"+tc.variant, func(t *testing.T) {
			url, dir, _ := tenantKit(t, tc.scenario, tc.variant)
			r, code, a := runTenant(t, url, dir, tc.method)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, a.err)
			}
			if r.Tenant == nil || !tc.check(r.Tenant) {
				t.Errorf("tenant object %+v", r.Tenant)
			}
			ids := []string{}
			for _, f := range r.Findings {
				ids = append(ids, f.ID)
				if !strings.HasPrefix(f.ID, "tenant.") {
					t.Errorf("tenant alone raised %s (no probe ran)", f.ID)
				}
			}
			if tc.finding != "" && !slices.Contains(ids, tc.finding) {
				t.Errorf("findings %v lack %s", ids, tc.finding)
			}
		})
	}
}

// reportOnly reports whether ti has the report-only policy name, applying
// to the mailbox and blocking what.
func reportOnly(ti *report.TenantInfo, name, what string) bool {
	return slices.ContainsFunc(ti.ConditionalAccess, func(p report.TenantCAPolicy) bool {
		return p.Name == name && p.State == "enabledForReportingButNotEnforced" && p.AppliesToMailbox && slices.Contains(p.Blocks, what)
	})
}

func readStatus(ti *report.TenantInfo, what string) string {
	for _, r := range ti.Reads {
		if r.What == what {
			return r.Status
		}
	}
	return ""
}

func TestTenantAdminSignInAndSave(t *testing.T) {
	url, _, _ := tenantKit(t, "mailbox-auth-disabled", "")
	entra := entrasim.New(entrasim.Options{User: "admin@contoso.example", Mint: func(_ string, scopes []string) string {
		if slices.ContainsFunc(scopes, func(s string) bool { return strings.Contains(s, "outlook.office365.com") }) {
			return tenantsim.ExchangeToken
		}
		return tenantsim.GraphToken
	}})
	es := httptest.NewServer(entra)
	defer es.Close()
	save := filepath.Join(t.TempDir(), "admin")
	a := newTestApp(nil)
	code := a.runCLI(t, "tenant", "--tenant", "contoso.onmicrosoft.com", "--user", tenantUser, "--authority", es.URL,
		"--save", save, "--exchange-url", url, "--graph-url", url)
	if code != ExitFail {
		t.Fatalf("exit %d\n%s%s", code, a.out, a.err)
	}
	if strings.Count(a.err.String(), "enter the code") != 2 {
		t.Errorf("two admin sign-ins (Exchange, Graph) expected:\n%s", a.err)
	}
	clients := []string{}
	for _, r := range entra.Requests() {
		if r.Endpoint == "devicecode" {
			clients = append(clients, r.ClientID)
		}
	}
	if !slices.Equal(clients, []string{"fb78d390-0c51-40cd-8e17-fdbfab77341b", "14d82eec-204b-4c2f-b7e8-296a70dab67e"}) {
		t.Errorf("signed in with clients %v, want Exchange Online PowerShell's then Graph CLI's", clients)
	}
	for _, f := range []string{exchangeTokenFile, graphTokenFile} {
		fi, err := os.Stat(filepath.Join(save, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", f, err, fi)
		}
	}
	if !strings.Contains(a.out.String(), "SMTP AUTH for "+tenantUser) {
		t.Errorf("no tenant block:\n%s", a.out)
	}
	// Without --save nothing is kept.
	if strings.Contains(a.out.String()+a.err.String(), tenantsim.ExchangeToken[:20]) || strings.Contains(a.out.String()+a.err.String(), tenantsim.GraphToken[:20]) {
		t.Error("an admin token was printed")
	}
}

func TestRegisterAppTwice(t *testing.T) {
	url, dir, sim := tenantKit(t, "ok", "")
	prof := filepath.Join(t.TempDir(), "p.yaml")
	body := "# the device\ndevice:\n  name: scanner-1\n  vendor: epson\nemail:\n  auth_method: oauth2\n  service: exchange-online\n  sender: " + tenantUser +
		"\nsmtp:\n  server: smtp.office365.com\n  port: 587\n  user: " + tenantUser + "\noauth:\n  tenant: contoso.onmicrosoft.com\n  token_file: t.json\n"
	if err := os.WriteFile(prof, []byte(body), 0o640); err != nil {
		t.Fatal(err)
	}
	// Asked, and answered no: nothing is created.
	a := newTestApp(nil)
	a.stdin = strings.NewReader("n\n")
	if code := a.runCLI(t, "tenant", "register-app", "--profile", prof, "--admin-tokens", dir, "--graph-url", url, "--pop"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, a.err)
	}
	if len(sim.Apps()) != 0 || !strings.Contains(a.out.String(), "POP.AccessAsUser.All") {
		t.Fatalf("declined, yet %d apps; plan:\n%s", len(sim.Apps()), a.out)
	}
	for i := range 2 {
		a := newTestApp(nil)
		if code := a.runCLI(t, "tenant", "register-app", "--profile", prof, "--admin-tokens", dir, "--graph-url", url, "--pop", "--yes"); code != ExitOK {
			t.Fatalf("run %d: exit %d\n%s", i+1, code, a.err)
		}
		if i == 1 && !strings.Contains(a.out.String(), "Nothing to do") {
			t.Errorf("second run:\n%s", a.out)
		}
	}
	apps, grants := sim.Apps(), sim.Grants()
	if len(apps) != 1 || len(grants) != 1 {
		t.Fatalf("%d apps and %d grants after two runs, want 1 and 1", len(apps), len(grants))
	}
	if apps[0]["isFallbackPublicClient"] != true || grants[0]["scope"] != "SMTP.Send POP.AccessAsUser.All" || grants[0]["consentType"] != "AllPrincipals" {
		t.Errorf("app %v grant %v", apps[0], grants[0])
	}
	p, err := profile.Load(prof)
	if err != nil {
		t.Fatal(err)
	}
	if p.OAuth.ClientID != apps[0]["appId"] {
		t.Errorf("profile client_id %q, want %v", p.OAuth.ClientID, apps[0]["appId"])
	}
	if bak, err := os.ReadFile(prof + ".bak"); err != nil || string(bak) != body {
		t.Errorf("the profile as it was is not kept in %s.bak: %v", prof, err)
	}
	data, _ := os.ReadFile(prof)
	fi, _ := os.Stat(prof)
	if !strings.Contains(string(data), "# the device") || fi.Mode().Perm() != 0o640 {
		t.Errorf("the profile lost its comment or mode %v:\n%s", fi.Mode(), data)
	}
}

func TestDemoTenantCheckCombinesBothSides(t *testing.T) {
	a := newTestApp(nil)
	code := a.runCLI(t, "demo", "--scenario", "mailbox-auth-disabled", "--tenant-check", "--json")
	if code != ExitFail {
		t.Fatalf("exit %d\n%s", code, a.err)
	}
	r := a.report(t)
	if r.Tenant == nil || r.Tenant.SMTPAuth.MailboxDisabled == nil || !*r.Tenant.SMTPAuth.MailboxDisabled {
		t.Fatalf("tenant %+v", r.Tenant)
	}
	var f *report.Finding
	for i := range r.Findings {
		if r.Findings[i].ID == "tenant.smtp_auth.mailbox_off" {
			f = &r.Findings[i]
		}
		if r.Findings[i].ID == "smtp.auth.mailbox_disabled" {
			t.Error("the reply's finding stands beside the tenant's")
		}
	}
	if f == nil || !strings.Contains(strings.Join(f.Evidence, "\n"), "535 5.7.139") {
		t.Fatalf("no combined finding: %+v", r.Findings)
	}
	out := a.out.String() + a.err.String()
	for _, tok := range []string{tenantsim.ExchangeToken, tenantsim.GraphToken} {
		if leak := leakedExcept(out, tok, ""); leak != "" {
			t.Errorf("admin token leaked: %q", leak)
		}
	}
}

func TestTenantInputErrors(t *testing.T) {
	for _, args := range [][]string{
		{"tenant"},
		{"tenant", "--tenant", "x"},
		{"tenant", "--tenant", "x", "--user", "u@x", "--admin-tokens", "/does/not/exist"},
		{"probe", "--profile", "../../fixtures/profiles/epson-wf-c879r.yaml", "--tenant-check"},
	} {
		a := newTestApp(nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := a.app.run(ctx, args)
		cancel()
		if code != ExitError || !strings.Contains(a.err.String(), "mfpcheck: error:") || !strings.Contains(a.err.String(), "mfpcheck: hint:") {
			t.Errorf("%v: exit %d\n%s", args, code, a.err)
		}
	}
}

// TestDemoReportOnlyPolicyWarns: the demo's basic-auth device works today,
// and the tenant's report-only "Block legacy authentication" policy (the
// simulated tenant has Microsoft's managed one) is a warning that says it
// blocks the device once switched on, in each language, on the sheet too.
func TestDemoReportOnlyPolicyWarns(t *testing.T) {
	for _, lang := range []string{"en", "de", "fr"} {
		a := newTestApp(nil)
		code := a.runCLI(t, "demo", "--scenario", "basic-ok", "--tenant-check", "--json", "--lang", lang)
		if code != ExitWarning {
			t.Fatalf("%s: exit %d, want %d (warning)\n%s", lang, code, ExitWarning, a.err)
		}
		r := a.report(t)
		f, ok := findingByID(r.Findings, "tenant.ca_report_only")
		if !ok {
			t.Fatalf("%s: no report-only finding: %v", lang, r.Findings)
		}
		want := map[string]string{"en": "if switched on it blocks the device", "de": "eingeschaltet sperrt sie das Gerät", "fr": "activée, elle bloque l'appareil"}[lang]
		if f.Severity != report.SeverityWarning || f.Side != "tenant" || !strings.Contains(f.Title, want) ||
			!strings.Contains(f.Title, "Microsoft-managed: Block legacy authentication") {
			t.Errorf("%s: finding %s %s %q", lang, f.Severity, f.Side, f.Title)
		}
	}
}

func findingByID(fs []report.Finding, id string) (report.Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return report.Finding{}, false
}

// TestSheetProfileTenantCheck: sheet --profile --tenant-check reads the
// tenant beside the check and prints it on the sheet (issue 12: the sheet
// has a tenant section), like probe --tenant-check --sheet; without
// --profile the option is refused, and no admin token reaches the output.
func TestSheetProfileTenantCheck(t *testing.T) {
	url, dir, sim := tenantKit(t, "mailbox-auth-disabled", "")
	prof := filepath.Join(t.TempDir(), "device.yaml")
	os.WriteFile(prof, []byte(fmt.Sprintf(`device: {name: hall-a, vendor: epson, model: WF-C579R}
email: {service: exchange-online, auth_method: oauth2, sender: %s}
smtp: {server: 127.0.0.1, port: %d, user: %s}
oauth: {token_file: missing.json, tenant: contoso.onmicrosoft.com}
`, tenantUser, closedPort(t), tenantUser)), 0o644)
	pdf := filepath.Join(t.TempDir(), "sheet.pdf")
	a := newTestApp(nil)
	a.runCLI(t, "sheet", "--profile", prof, "--tenant-check", "--admin-tokens", dir,
		"--exchange-url", url, "--graph-url", url, "-o", pdf, "--lang", "en")
	if n := casReads(sim); n != 1 {
		t.Errorf("Get-CASMailbox read %d times, want 1\n%s", n, a.err)
	}
	text := pdfToText(t, pdf)
	for _, want := range []string{"What the tenant decides", "Get-CASMailbox"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	noAdminToken(t, "sheet", a.out.String()+a.err.String()+text)

	a = newTestApp(nil)
	if code := a.runCLI(t, "sheet", "--from", "report.json", "--tenant-check", "-o", pdf); code != ExitError || !strings.Contains(a.err.String(), "--tenant-check needs --profile") {
		t.Errorf("--tenant-check with --from: exit %d\n%s", code, a.err)
	}
}
