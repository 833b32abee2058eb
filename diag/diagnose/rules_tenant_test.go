package diagnose

import (
	"slices"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// authFailed is baseReport with the auth phase refused by reply.
func authFailed(code int, text string) *report.Report {
	r := baseReport()
	r.Phases = append(r.Phases, report.Phase{Name: report.PhaseAuth, Status: report.StatusFail, ErrorKind: report.KindReply, Reply: report.ParseReply(code, text)})
	return r
}

func TestTenantFactAbsorbsTheReplyItExplains(t *testing.T) {
	r := authFailed(535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.")
	r.Tenant = &report.TenantInfo{User: "scan@contoso.com", SMTPAuth: report.TenantSMTPAuth{OrgDisabled: no(), MailboxDisabled: yes(), Effective: "disabled", Source: "mailbox"}}
	Diagnose(r, nil, Options{Lang: "en"})
	f, ok := find(r.Findings, idTenantMailboxOff)
	if !ok {
		t.Fatalf("findings %v lack %s", ids(r.Findings), idTenantMailboxOff)
	}
	if _, dup := find(r.Findings, "smtp.auth.mailbox_disabled"); dup {
		t.Errorf("the reply's finding stayed beside the tenant's: %v", ids(r.Findings))
	}
	ev := strings.Join(f.Evidence, "\n")
	if !strings.Contains(ev, "Get-CASMailbox scan@contoso.com: SmtpClientAuthenticationDisabled = True") || !strings.Contains(ev, "535") {
		t.Errorf("evidence does not carry both sides:\n%s", ev)
	}
	if f.Severity != report.SeverityError || r.Verdict != report.VerdictFail || f.Side != "tenant" {
		t.Errorf("severity %s verdict %s side %s", f.Severity, r.Verdict, f.Side)
	}
	if !strings.Contains(f.Steps[1].Command, "Set-CASMailbox -Identity scan@contoso.com") {
		t.Errorf("steps %+v", f.Steps)
	}
}

func TestTenantFactsBeforeTheDeviceFails(t *testing.T) {
	// Nothing failed yet, but the tenant will refuse: the cause shows now.
	r := baseReport()
	r.Target.AuthMethod = "basic"
	r.Tenant = &report.TenantInfo{User: "scan@contoso.com",
		SMTPAuth:             report.TenantSMTPAuth{OrgDisabled: no(), Effective: "enabled", Source: "organization"},
		AuthenticationPolicy: &report.TenantAuthPolicy{Name: "Block Basic", Source: "user", AllowBasicAuthSmtp: no()},
		ConditionalAccess: []report.TenantCAPolicy{
			{Name: "Block legacy", State: "enabled", Blocks: []string{"legacy_auth"}, AppliesToMailbox: true},
			{Name: "Microsoft-managed: Block legacy authentication", State: "enabledForReportingButNotEnforced", Blocks: []string{"legacy_auth"}, AppliesToMailbox: true},
			{Name: "Not for this mailbox", State: "enabled", Blocks: []string{"legacy_auth"}},
		},
		Reads: []report.TenantRead{{What: "sign-ins", Status: "unlicensed", Detail: "needs Microsoft Entra ID P1 or P2: Neither tenant is B2C or tenant doesn't have premium license"}},
	}
	Diagnose(r, nil, Options{Lang: "de"})
	got := ids(r.Findings)
	for _, want := range []string{idTenantPolicyBasic, idTenantCALegacy, idTenantReadFailed} {
		if !slices.Contains(got, want) {
			t.Errorf("findings %v lack %s", got, want)
		}
	}
	n := 0
	for _, f := range r.Findings {
		if f.ID == idTenantCALegacy {
			n++
			if !strings.Contains(f.Title, "„Block legacy“") {
				t.Errorf("German title %q does not name the policy", f.Title)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d legacy-auth findings, want 1 (the report-only and the other user's policy do not block)", n)
	}
	if f, _ := find(r.Findings, idTenantReadFailed); f.Severity != report.SeverityInfo {
		t.Errorf("a read that failed is %s, want info", f.Severity)
	}
}

func TestTenantOAuthDeviceIsNotToldAboutBasicPolicies(t *testing.T) {
	r := baseReport() // oauth2
	r.Tenant = &report.TenantInfo{User: "scan@contoso.com",
		SMTPAuth:             report.TenantSMTPAuth{Effective: "enabled", Source: "mailbox", MailboxDisabled: no()},
		AuthenticationPolicy: &report.TenantAuthPolicy{Name: "Block Basic", AllowBasicAuthSmtp: no()},
		ConditionalAccess:    []report.TenantCAPolicy{{Name: "Block legacy", State: "enabled", Blocks: []string{"legacy_auth"}, AppliesToMailbox: true}},
		SignIns:              []report.TenantSignIn{{ClientApp: "Authenticated SMTP", App: "Office 365 Exchange Online"}},
	}
	Diagnose(r, nil, Options{Lang: "en"})
	for _, f := range r.Findings {
		if strings.HasPrefix(f.ID, "tenant.") {
			t.Errorf("an OAuth device with a healthy tenant got %s", f.ID)
		}
	}
}

func TestTenantRecentSignInFailure(t *testing.T) {
	r := baseReport()
	r.Tenant = &report.TenantInfo{User: "scan@contoso.com", SMTPAuth: report.TenantSMTPAuth{Effective: "unknown"},
		SignIns: []report.TenantSignIn{{App: "Office 365 Exchange Online", ClientApp: "Authenticated SMTP", ErrorCode: 53003,
			Reason: "Access has been blocked by Conditional Access policies.", ConditionalAccess: "failure", Policies: []string{"Block Exchange"}}}}
	Diagnose(r, nil, Options{Lang: "fr"})
	f, ok := find(r.Findings, idTenantSignInFailed)
	if !ok {
		t.Fatalf("findings %v", ids(r.Findings))
	}
	if !strings.Contains(f.Title, "53003") || !strings.Contains(f.Cause, "Access has been blocked") || len(f.Alternatives) == 0 {
		t.Errorf("finding %+v", f)
	}
}

// A report-only policy that blocks how the device signs in is a warning
// (it blocks once switched on); one that blocks another way is nothing, and
// the same policy switched on keeps its own finding.
func TestTenantReportOnlyPolicy(t *testing.T) {
	legacy := report.TenantCAPolicy{Name: "Microsoft-managed: Block legacy authentication", State: "enabledForReportingButNotEnforced", Blocks: []string{"legacy_auth"}, AppliesToMailbox: true}
	code := report.TenantCAPolicy{Name: "Microsoft-managed: Block device code flow", State: "enabledForReportingButNotEnforced", Blocks: []string{"device_code"}, AppliesToMailbox: true}
	on := code
	on.State = "enabled"
	other := legacy
	other.AppliesToMailbox = false
	for _, tc := range []struct {
		method string
		ca     report.TenantCAPolicy
		want   string // "" for no tenant finding
	}{
		{"basic", legacy, idTenantCAReportOnly},
		{"oauth2", legacy, ""},
		{"oauth2", code, idTenantCAReportOnly},
		{"basic", code, ""},
		{"oauth2", on, idTenantCADeviceCode},
		{"basic", other, ""},
	} {
		r := baseReport()
		r.Target.AuthMethod = report.AuthMethod(tc.method)
		r.Tenant = &report.TenantInfo{User: "scan@contoso.com", SMTPAuth: report.TenantSMTPAuth{Effective: "enabled", Source: "mailbox", MailboxDisabled: no()},
			ConditionalAccess: []report.TenantCAPolicy{tc.ca}}
		Diagnose(r, nil, Options{Lang: "en"})
		var got []string
		for _, f := range r.Findings {
			if strings.HasPrefix(f.ID, "tenant.") {
				got = append(got, f.ID)
				if f.ID == idTenantCAReportOnly && (f.Severity != report.SeverityWarning || !strings.Contains(f.Title, tc.ca.Name)) {
					t.Errorf("%s %s: %s %q", tc.method, tc.ca.Name, f.Severity, f.Title)
				}
			}
		}
		if want := []string{tc.want}; tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Equal(got, want) {
			t.Errorf("%s, %s (%s): tenant findings %v, want %q", tc.method, tc.ca.Name, tc.ca.State, got, tc.want)
		}
	}
}
