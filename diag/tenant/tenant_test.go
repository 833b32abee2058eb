package tenant

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/tenantsim"
)

const user = "scanner@contoso.example"

func read(t *testing.T, scenario, variant string) (*report.TenantInfo, *tenantsim.Server) {
	t.Helper()
	sim := tenantsim.New(tenantsim.ForScenario(scenario, variant, user, "contoso.onmicrosoft.com", time.Now()))
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	info := Read(context.Background(), Config{Tenant: "contoso.onmicrosoft.com", User: user,
		ExchangeToken: tenantsim.ExchangeToken, GraphToken: tenantsim.GraphToken, Exchange: srv.URL, Graph: srv.URL})
	return info, sim
}

func status(info *report.TenantInfo, what string) string {
	for _, r := range info.Reads {
		if r.What == what {
			return r.Status
		}
	}
	return "not read"
}

func TestReadHealthyTenant(t *testing.T) {
	info, sim := read(t, "ok", "")
	if info.SMTPAuth.Effective != "enabled" || info.SMTPAuth.Source != "organization" {
		t.Errorf("smtp_auth = %+v, want enabled from the organization", info.SMTPAuth)
	}
	if info.SMTPAuth.OrgDisabled == nil || *info.SMTPAuth.OrgDisabled || info.SMTPAuth.MailboxDisabled != nil {
		t.Errorf("org %v mailbox %v, want false and null", info.SMTPAuth.OrgDisabled, info.SMTPAuth.MailboxDisabled)
	}
	if info.SecurityDefaults == nil || *info.SecurityDefaults {
		t.Errorf("security defaults %v", info.SecurityDefaults)
	}
	if len(info.ConditionalAccess) != 1 || !info.ConditionalAccess[0].MicrosoftManaged || info.ConditionalAccess[0].State != "enabledForReportingButNotEnforced" ||
		!slices.Contains(info.ConditionalAccess[0].Blocks, BlocksLegacyAuth) || !info.ConditionalAccess[0].AppliesToMailbox {
		t.Errorf("conditional access = %+v", info.ConditionalAccess)
	}
	if len(info.SignIns) != 1 || info.SignIns[0].ClientApp != "Authenticated SMTP" || info.SignIns[0].ErrorCode != 0 {
		t.Errorf("sign-ins = %+v", info.SignIns)
	}
	if info.RejectDirectSend == nil || *info.RejectDirectSend {
		t.Errorf("reject direct send %v", info.RejectDirectSend)
	}
	for _, r := range info.Reads {
		if r.Status != StatusOK {
			t.Errorf("read %s: %s %s", r.What, r.Status, r.Detail)
		}
		if strings.HasPrefix(r.What, "Get-") != r.Unofficial {
			t.Errorf("read %s: unofficial = %v", r.What, r.Unofficial)
		}
	}
	// Only allow-listed Get- cmdlets were sent.
	for _, s := range sim.Seen() {
		if name, ok := strings.CutPrefix(s, "InvokeCommand "); ok && (!allowedCmdlets[name] || !strings.HasPrefix(name, "Get-")) {
			t.Errorf("sent %s", name)
		}
		if strings.HasPrefix(s, "POST /v1.0/") {
			t.Errorf("a read changed something: %s", s)
		}
	}
}

func TestReadScenarios(t *testing.T) {
	info, _ := read(t, "mailbox-auth-disabled", "")
	if m := info.SMTPAuth.MailboxDisabled; m == nil || !*m || info.SMTPAuth.Effective != "disabled" || info.SMTPAuth.Source != "mailbox" {
		t.Errorf("mailbox-auth-disabled: %+v", info.SMTPAuth)
	}
	info, _ = read(t, "tenant-auth-disabled", "")
	if info.SMTPAuth.Effective != "disabled" || info.SMTPAuth.Source != "organization" {
		t.Errorf("tenant-auth-disabled: %+v", info.SMTPAuth)
	}
	info, _ = read(t, "security-defaults", "")
	if info.SMTPAuth.Effective != "disabled" || info.SMTPAuth.Source != "security_defaults" {
		t.Errorf("security-defaults: %+v", info.SMTPAuth)
	}
	info, _ = read(t, "basic-auth-disabled", "")
	if p := info.AuthenticationPolicy; p == nil || p.Name != "Block Basic Auth" || p.Source != "user" || p.AllowBasicAuthSmtp == nil || *p.AllowBasicAuthSmtp {
		t.Errorf("basic-auth-disabled: policy %+v", p)
	}
	info, _ = read(t, "conditional-access", "")
	if len(info.ConditionalAccess) != 2 || !slices.Contains(info.ConditionalAccess[1].Blocks, BlocksAll) {
		t.Errorf("conditional-access: policies (two pages) %+v", info.ConditionalAccess)
	}
	if len(info.SignIns) == 0 || info.SignIns[0].ErrorCode != 53003 || len(info.SignIns[0].Policies) != 1 {
		t.Errorf("conditional-access: sign-ins %+v", info.SignIns)
	}
}

func TestReadFailuresSayWhatIsMissing(t *testing.T) {
	info, _ := read(t, "ok", tenantsim.VariantNoP1)
	if st := status(info, "sign-ins"); st != StatusUnlicensed {
		t.Errorf("no P1: sign-ins %s", st)
	}
	if info.EmailAppUsage == nil || !info.EmailAppUsage.SMTP || status(info, "email app usage") != StatusOK {
		t.Errorf("no P1: the usage report should stand in: %+v", info.EmailAppUsage)
	}
	for _, r := range info.Reads {
		if r.What == "sign-ins" && !strings.Contains(r.Detail, "P1") {
			t.Errorf("unlicensed detail does not name the licence: %q", r.Detail)
		}
	}

	info, _ = read(t, "mailbox-auth-disabled", tenantsim.VariantNoExchangeRole)
	if st := status(info, "Get-CASMailbox"); st != StatusForbidden {
		t.Errorf("no Exchange role: Get-CASMailbox %s", st)
	}
	if info.SMTPAuth.Effective != "unknown" || info.SMTPAuth.MailboxDisabled != nil {
		t.Errorf("no Exchange role: smtp_auth %+v, want unknown (never a guess)", info.SMTPAuth)
	}
	for _, r := range info.Reads {
		if r.What == "Get-CASMailbox" && !strings.Contains(r.Detail, "View-Only Organization Management") {
			t.Errorf("forbidden detail does not name the role: %q", r.Detail)
		}
	}

	info, _ = read(t, "mailbox-auth-disabled", tenantsim.VariantMalformed)
	if info.SMTPAuth.Effective != "unknown" || status(info, "Get-TransportConfig") != StatusUnavailable {
		t.Errorf("malformed: %+v %s", info.SMTPAuth, status(info, "Get-TransportConfig"))
	}
}

// A token the endpoint does not take (HTTP 401: expired, revoked, for
// another service) is a sign-in to repeat, never a missing role.
func TestRefusedTokenIsNotAMissingRole(t *testing.T) {
	sim := tenantsim.New(tenantsim.ForScenario("ok", "", user, "contoso.onmicrosoft.com", time.Now()))
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	info := Read(context.Background(), Config{Tenant: "contoso.onmicrosoft.com", User: user,
		ExchangeToken: "expired-exchange-token", GraphToken: "expired-graph-token", Exchange: srv.URL, Graph: srv.URL})
	if len(info.Reads) == 0 {
		t.Fatal("no reads recorded")
	}
	for _, r := range info.Reads {
		if r.Status == StatusForbidden || strings.Contains(r.Detail, "needs ") {
			t.Errorf("%s: %s %q, want a sign-in to repeat, not a missing role", r.What, r.Status, r.Detail)
		}
		if r.Status != StatusUnavailable || !strings.Contains(r.Detail, "sign in again") {
			t.Errorf("%s: %s %q", r.What, r.Status, r.Detail)
		}
	}
	if info.SMTPAuth.Effective != "unknown" {
		t.Errorf("smtp_auth %+v, want unknown", info.SMTPAuth)
	}
}

func TestNoTokensReadsNothing(t *testing.T) {
	info := Read(context.Background(), Config{Tenant: "t", User: user, Exchange: "http://127.0.0.1:1", Graph: "http://127.0.0.1:1"})
	if info.SMTPAuth.Effective != "unknown" || len(info.Reads) == 0 {
		t.Errorf("%+v", info)
	}
	for _, r := range info.Reads {
		if r.Status != StatusUnavailable {
			t.Errorf("%s: %s", r.What, r.Status)
		}
	}
}

func TestNextLinkToAnotherHostIsNotFollowed(t *testing.T) {
	var leaked bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = leaked || r.Header.Get("Authorization") != ""
		w.Write([]byte(`{"value":[]}`))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"value":[{"SmtpClientAuthenticationDisabled":false}],"@odata.nextLink":"` + other.URL + `/next"}`))
	}))
	defer srv.Close()
	info := Read(context.Background(), Config{Tenant: "t", User: user, ExchangeToken: "secret-exchange-token", Exchange: srv.URL, Graph: srv.URL})
	if leaked {
		t.Fatal("the admin token was sent to the host a nextLink named")
	}
	if st := status(info, "Get-TransportConfig"); st != StatusUnavailable {
		t.Errorf("Get-TransportConfig %s, want unavailable", st)
	}
}

func TestSilentServerEndsWithTheContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	info := Read(ctx, Config{Tenant: "t", User: user, ExchangeToken: "x", GraphToken: "y", Exchange: srv.URL, Graph: srv.URL})
	for _, r := range info.Reads {
		if r.Status != StatusUnavailable {
			t.Errorf("%s: %s", r.What, r.Status)
		}
	}
	if ctx.Err() == nil {
		t.Error("Read returned before its context ended though the server never answered")
	}
}

func TestAllowListRefusesOtherCmdlets(t *testing.T) {
	r := &reader{cfg: Config{Exchange: "http://127.0.0.1:1", HTTPClient: http.DefaultClient}}
	for _, c := range []string{"Set-CASMailbox", "Set-TransportConfig", "Remove-Mailbox", "New-AuthenticationPolicy"} {
		if _, err := r.invoke(context.Background(), c, nil); err == nil || !strings.Contains(err.Error(), "allow-list") {
			t.Errorf("%s: %v", c, err)
		}
	}
}

func FuzzParsers(f *testing.F) {
	f.Add([]byte(`{"displayName":"x","state":"enabled","conditions":{"applications":{"includeApplications":["All"]},"users":{"includeUsers":["All"]},"clientAppTypes":["other"]},"grantControls":{"builtInControls":["block"]}}`))
	f.Add([]byte("User Principal Name,SMTP App\nscanner@contoso.example,Yes\n"))
	f.Add([]byte(`{"error":{"code":"Authentication_RequestFromNonPremiumTenantOrB2CTenant","message":"Neither tenant is B2C or tenant doesn't have premium license"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw map[string]any
		if err := json.Unmarshal(data, &raw); err == nil {
			caPolicy(raw, "id")
			signIn(raw)
		}
		parseAppUsage(data, user)
		classify(403, data)
		classify(401, data)
		errorMessage(data)
	})
}
