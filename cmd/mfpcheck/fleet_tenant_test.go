package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
	"github.com/mfpcheck/mfpcheck/diag/token"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/tenantsim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// tenantFleet is a fleet of five devices whose SMTP side cannot be reached
// (a closed port; the tenant reads run beside the probe all the same):
// three share the scan mailbox tenantUser, one has its own, and one has no
// oauth.tenant.
func tenantFleet(t *testing.T) string {
	t.Helper()
	port := closedPort(t)
	var b strings.Builder
	b.WriteString("devices:\n")
	dev := func(name, user, tenantLine string) {
		fmt.Fprintf(&b, `  - device: {name: %s, vendor: epson, model: WF-C579R}
    email: {service: exchange-online, auth_method: oauth2, sender: %s}
    smtp: {server: 127.0.0.1, port: %d, user: %s}
    oauth: {token_file: missing.json%s}
`, name, user, port, user, tenantLine)
	}
	for _, name := range []string{"hall-a", "hall-b", "hall-c"} {
		dev(name, tenantUser, ", tenant: contoso.onmicrosoft.com")
	}
	dev("annex", "annex@contoso.example", ", tenant: contoso.onmicrosoft.com")
	dev("no-tenant", tenantUser, "")
	return writeFleet(t, b.String())
}

// casReads is how often the simulated tenant was asked Get-CASMailbox.
func casReads(sim *tenantsim.Server) int {
	n := 0
	for _, s := range sim.Seen() {
		if s == "InvokeCommand Get-CASMailbox" {
			n++
		}
	}
	return n
}

func noAdminToken(t *testing.T, what, out string) {
	t.Helper()
	for _, tok := range []string{tenantsim.ExchangeToken, tenantsim.GraphToken} {
		if leak := leakedExcept(out, tok, ""); leak != "" {
			t.Errorf("%s: admin token leaked: %q", what, leak)
		}
	}
}

// TestBatchTenantCheck: batch --tenant-check reads each (tenant, mailbox)
// once and gives every device of it the tenant object (jsonl, json) and
// the tenant columns (csv); a device without a tenant gets reads that say
// so and asks nothing; no admin token in any output.
func TestBatchTenantCheck(t *testing.T) {
	fleet := tenantFleet(t)
	for _, format := range []string{"jsonl", "json", "csv", "openmetrics", "text"} {
		t.Run(format, func(t *testing.T) {
			url, dir, sim := tenantKit(t, "mailbox-auth-disabled", "")
			a := newTestApp(nil)
			code := a.runCLI(t, "batch", "--format", format, "--tenant-check", "--admin-tokens", dir,
				"--exchange-url", url, "--graph-url", url, fleet)
			if code != ExitError { // the devices' token files are missing
				t.Errorf("exit %d, want %d\n%s", code, ExitError, a.err)
			}
			if n := casReads(sim); n != 2 {
				t.Errorf("Get-CASMailbox read %d times for 2 mailboxes of 4 devices, want 2", n)
			}
			noAdminToken(t, format, a.out.String()+a.err.String())
			tenants := map[string]*report.TenantInfo{}
			switch format {
			case "jsonl":
				sc := bufio.NewScanner(strings.NewReader(a.out.String()))
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					var r report.Report
					if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
						t.Fatalf("jsonl: %v", err)
					}
					tenants[r.Device.Name] = r.Tenant
				}
			case "json":
				var doc struct {
					Reports []report.Report `json:"reports"`
				}
				if err := json.Unmarshal(a.out.Bytes(), &doc); err != nil {
					t.Fatalf("json: %v", err)
				}
				for _, r := range doc.Reports {
					tenants[r.Device.Name] = r.Tenant
				}
			case "csv":
				rows, err := csv.NewReader(strings.NewReader(a.out.String())).ReadAll()
				if err != nil || len(rows) != 6 {
					t.Fatalf("csv: %v\n%s", err, a.out)
				}
				col := func(name string) int { return slices.Index(rows[0], name) }
				for _, row := range rows[1:] {
					got := strings.Join([]string{row[col("smtp_auth_effective")], row[col("smtp_auth_source")], row[col("security_defaults")], row[col("tenant_reads_failed")]}, ",")
					want := "disabled,mailbox,false,0"
					if row[0] == "no-tenant" {
						want = "unknown,,,8"
					}
					if got != want {
						t.Errorf("csv %s: tenant columns %s, want %s", row[0], got, want)
					}
				}
				return
			case "openmetrics":
				out := a.out.String()
				for _, want := range []string{
					`(?m)^mfpcheck_tenant_smtp_auth_enabled\{device="hall-a"[^}]*\} 0$`,
					`(?m)^mfpcheck_tenant_security_defaults\{device="annex"[^}]*\} 0$`,
					`(?m)^mfpcheck_tenant_reject_direct_send\{device="hall-c"[^}]*\} 0$`,
				} {
					if !regexp.MustCompile(want).MatchString(out) {
						t.Errorf("openmetrics lacks %s\n%s", want, out)
					}
				}
				if regexp.MustCompile(`(?m)^mfpcheck_tenant_\w+\{device="no-tenant"`).MatchString(out) {
					t.Errorf("openmetrics has tenant samples for the device whose tenant was not read:\n%s", out)
				}
				return
			case "text":
				return // the table's finding column carries the worst finding; nothing tenant-only
			}
			for _, name := range []string{"hall-a", "hall-b", "hall-c", "annex"} {
				ti := tenants[name]
				if ti == nil || ti.SMTPAuth.MailboxDisabled == nil || !*ti.SMTPAuth.MailboxDisabled || ti.SMTPAuth.Effective != "disabled" {
					t.Errorf("%s: tenant %+v", name, ti)
				}
			}
			if ti := tenants["annex"]; ti == nil || ti.User != "annex@contoso.example" {
				t.Errorf("annex's tenant object is another mailbox's: %+v", ti)
			}
			if ti := tenants["no-tenant"]; ti == nil || ti.SMTPAuth.Effective != "unknown" || len(ti.Reads) == 0 ||
				ti.Reads[0].Status != "unavailable" || !strings.Contains(ti.Reads[0].Detail, "no oauth.tenant") {
				t.Errorf("the device without a tenant: %+v", ti)
			}
		})
	}
}

// TestFleetTenantCheckInputErrors: --tenant-check without tokens, tokens
// without --tenant-check and expired tokens with nothing to refresh them
// stop batch, serve and tui before any device, exit 3.
func TestFleetTenantCheckInputErrors(t *testing.T) {
	fleet := tenantFleet(t)
	expired := t.TempDir()
	if err := writeAdminTokens(expired, tenantsim.ExchangeToken, tenantsim.GraphToken, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"batch", "--tenant-check", fleet}, "--tenant-check needs the admin tokens"},
		{[]string{"batch", "--admin-tokens", expired, fleet}, "add --tenant-check"},
		{[]string{"batch", "--tenant-check", "--admin-tokens", expired, fleet}, "expired at"},
		{[]string{"batch", "--tenant-check", "--admin-tokens", t.TempDir(), fleet}, exchangeTokenFile},
		{[]string{"serve", "--fleet", fleet, "--tenant-check", "--admin-tokens", expired}, "expired at"},
		{[]string{"tui", "--fleet", fleet, "--tenant-check"}, "--tenant-check needs the admin tokens"},
		{[]string{"tui", "--fleet", fleet, "--tenant-check", "--admin-tokens", expired}, "expired at"},
	} {
		a := newTestApp(nil)
		if code := a.runCLI(t, tc.args...); code != ExitError {
			t.Errorf("%v: exit %d, want 3", tc.args, code)
		}
		if !strings.Contains(a.err.String(), tc.want) || !strings.Contains(a.err.String(), "mfpcheck: hint:") {
			t.Errorf("%v: stderr lacks %q or a hint:\n%s", tc.args, tc.want, a.err)
		}
		noAdminToken(t, tc.args[0], a.out.String()+a.err.String())
	}
}

// TestBatchTenantCheckRefreshesAdminTokens: saved admin tokens that have
// expired are refreshed with their refresh tokens (each with its own
// public client), saved back 0600, and the reads succeed.
func TestBatchTenantCheckRefreshesAdminTokens(t *testing.T) {
	// A refresh request carries no scope (golang.org/x/oauth2), so the
	// simulated Entra tells the two apart by order: Exchange's file is
	// refreshed first.
	minted := 0
	entra := entrasim.New(entrasim.Options{RefreshTokens: []string{"refresh-exchange", "refresh-graph"},
		Mint: func(string, []string) string {
			minted++
			if minted == 1 {
				return tenantsim.ExchangeToken
			}
			return tenantsim.GraphToken
		}})
	authority := httptest.NewServer(entra)
	defer authority.Close()
	url, _, sim := tenantKit(t, "mailbox-auth-disabled", "")
	dir := t.TempDir()
	before := map[string][]byte{}
	for file, rt := range map[string]string{exchangeTokenFile: "refresh-exchange", graphTokenFile: "refresh-graph"} {
		if err := token.Save(filepath.Join(dir, file), &token.Set{Access: "expired-" + rt, Refresh: rt, Expiry: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		before[file], _ = os.ReadFile(filepath.Join(dir, file))
	}
	a := newTestApp(nil)
	a.runCLI(t, "batch", "--format", "jsonl", "--tenant-check", "--admin-tokens", dir, "--authority", authority.URL,
		"--tenant", "contoso.onmicrosoft.com", "--exchange-url", url, "--graph-url", url, tenantFleet(t))
	if n := casReads(sim); n != 2 {
		t.Fatalf("Get-CASMailbox read %d times, want 2\n%s%s", n, a.out, a.err)
	}
	var clients []string
	for _, r := range entra.Requests() {
		clients = append(clients, r.ClientID)
	}
	slices.Sort(clients)
	if want := []string{tenant.GraphClientID, tenant.ExchangeClientID}; !slices.Equal(clients, want) {
		t.Errorf("refreshed with clients %v, want %v", clients, want)
	}
	for _, file := range []string{exchangeTokenFile, graphTokenFile} {
		path := filepath.Join(dir, file)
		s, err := token.Load(path)
		if err != nil || !s.Expiry.After(time.Now()) {
			t.Errorf("%s after the refresh: %v, expiry %v", file, err, s)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", file, fi.Mode(), err)
		}
		// The file as it was is kept, as login and token --refresh keep it.
		bak, err := os.ReadFile(path + ".bak")
		if fi, serr := os.Stat(path + ".bak"); err != nil || serr != nil || !bytes.Equal(bak, before[file]) || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s.bak does not hold the file as it was (mode 0600): %v", file, err)
		}
	}
	// --tenant names the tenant of the device whose profile has none.
	if strings.Contains(a.out.String(), "no oauth.tenant") {
		t.Errorf("--tenant given, a device still has no tenant:\n%s", a.out)
	}
	noAdminToken(t, "refresh", a.out.String()+a.err.String())
}

// TestServeTenantCheck: serve --tenant-check fills the mfpcheck_tenant_*
// series, and two devices of one mailbox scraped within --min-interval
// share one tenant read.
func TestServeTenantCheck(t *testing.T) {
	url, dir, sim := tenantKit(t, "mailbox-auth-disabled", "")
	addr, stderr := startServer(t, nil, "serve", "--fleet", tenantFleet(t), "--listen", "127.0.0.1:0",
		"--tenant-check", "--admin-tokens", dir, "--exchange-url", url, "--graph-url", url)
	for _, target := range []string{"hall-a", "hall-b"} {
		body := httpGet(t, "http://"+addr+"/probe?target="+target)
		for _, want := range []string{
			`(?m)^mfpcheck_tenant_smtp_auth_enabled 0$`,
			`(?m)^mfpcheck_tenant_security_defaults 0$`,
			`(?m)^mfpcheck_tenant_reject_direct_send 0$`,
			`(?m)^mfpcheck_tenant_read_ok\{what="Get-CASMailbox"\} 1$`,
		} {
			if !regexp.MustCompile(want).MatchString(body) {
				t.Errorf("%s: metrics lack %s\n%s", target, want, body)
			}
		}
		noAdminToken(t, target, body)
	}
	if n := casReads(sim); n != 1 {
		t.Errorf("two devices of one mailbox within --min-interval: Get-CASMailbox read %d times, want 1", n)
	}
	if body := httpGet(t, "http://"+addr+"/probe?target=no-tenant"); strings.Contains(body, "mfpcheck_tenant_smtp_auth_enabled") ||
		!strings.Contains(body, `mfpcheck_tenant_read_ok{what="Get-CASMailbox"} 0`) {
		t.Errorf("the device without a tenant: its series say nothing was read?\n%s", body)
	}
	noAdminToken(t, "serve stderr", stderr.String())
}

// TestBatchTenantCheckBadRefreshKeepsAdminTokens: a token endpoint that
// answers a refresh with what is no token (spaces and control characters,
// a megabyte, malformed JSON) ends batch --tenant-check with exit 3 before
// any device, and both admin token files stay as they were.
func TestBatchTenantCheckBadRefreshKeepsAdminTokens(t *testing.T) {
	for name, body := range map[string]string{
		"spaces":    `{"access_token":"abc def\u001b[31m","refresh_token":"new-refresh","token_type":"Bearer","expires_in":3600}`,
		"oversized": `{"access_token":"` + strings.Repeat("A", 1<<20) + `","token_type":"Bearer","expires_in":3600}`,
		"malformed": `{"access_token":`,
	} {
		t.Run(name, func(t *testing.T) {
			ep := hostile.BadTokenEndpoint(body)
			defer ep.Close()
			dir := t.TempDir()
			before := map[string][]byte{}
			for _, file := range []string{exchangeTokenFile, graphTokenFile} {
				if err := token.Save(filepath.Join(dir, file), &token.Set{Access: "expired-access-" + file, Refresh: "refresh-" + file, Expiry: time.Now().Add(-time.Hour)}); err != nil {
					t.Fatal(err)
				}
				before[file], _ = os.ReadFile(filepath.Join(dir, file))
			}
			a := newTestApp(nil)
			code := a.runCLI(t, "batch", "--format", "jsonl", "--tenant-check", "--admin-tokens", dir, "--authority", ep.URL,
				"--tenant", "contoso.onmicrosoft.com", tenantFleet(t))
			if code != ExitError || !strings.Contains(a.err.String(), exchangeTokenFile) || a.out.Len() != 0 {
				t.Errorf("exit %d, want %d with an error naming %s and no device checked\n%s%s", code, ExitError, exchangeTokenFile, a.out, a.err)
			}
			for file, b := range before {
				if after, err := os.ReadFile(filepath.Join(dir, file)); err != nil || !bytes.Equal(after, b) {
					t.Errorf("%s changed by a refused refresh", file)
				}
			}
		})
	}
}
