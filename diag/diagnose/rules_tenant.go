package diagnose

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Tenant rule ids (catalogue/tenant.yaml).
const (
	idTenantMailboxOff      = "tenant.smtp_auth.mailbox_off"
	idTenantOrgOff          = "tenant.smtp_auth.org_off"
	idTenantSecurityDefault = "tenant.security_defaults_on"
	idTenantPolicyBasic     = "tenant.auth_policy_blocks_basic"
	idTenantCALegacy        = "tenant.ca_blocks_legacy"
	idTenantCADeviceCode    = "tenant.ca_blocks_device_code"
	idTenantCARequires      = "tenant.ca_requires"
	idTenantCAReportOnly    = "tenant.ca_report_only"
	idTenantSignInFailed    = "tenant.signin_failed"
	idTenantRejectDirect    = "tenant.reject_direct_send"
	idTenantReadFailed      = "tenant.read_failed"
)

// tenantAbsorbs pairs a tenant finding with the reply finding it explains:
// when both are there, the tenant's (the setting, read) keeps the reply as
// evidence and the reply's finding goes, so one finding says both "the
// mailbox has SMTP AUTH off (Get-CASMailbox: True)" and "which is why the
// device gets 535 5.7.139".
var tenantAbsorbs = [...][2]string{
	{idTenantMailboxOff, "smtp.auth.mailbox_disabled"},
	{idTenantOrgOff, "smtp.auth.tenant_disabled"},
	{idTenantSecurityDefault, "smtp.auth.security_defaults"},
	{idTenantPolicyBasic, "smtp.auth.basic_disabled"},
	{idTenantCALegacy, "smtp.auth.conditional_access"},
	{idTenantCARequires, "smtp.auth.conditional_access"},
}

// tenantHits raises the findings of what the tenant decides (r.Tenant,
// read with an admin's sign-in).
func tenantHits(r *report.Report) []Hit {
	t := r.Tenant
	if t == nil {
		return nil
	}
	method := r.Target.AuthMethod
	user := map[string]string{"user": t.User}
	var hits []Hit
	const via = " (read with the administrator's sign-in)"
	switch {
	case t.SMTPAuth.Effective != "disabled":
	case t.SMTPAuth.Source == "security_defaults":
		hits = append(hits, Hit{ID: idTenantSecurityDefault, Evidence: []string{"Microsoft Graph: security defaults isEnabled = true" + via}})
	case t.SMTPAuth.Source == "mailbox":
		hits = append(hits, Hit{ID: idTenantMailboxOff, Params: user,
			Evidence: []string{"Get-CASMailbox " + t.User + ": SmtpClientAuthenticationDisabled = True" + via}})
	case t.SMTPAuth.Source == "organization":
		hits = append(hits, Hit{ID: idTenantOrgOff, Params: user,
			Evidence: []string{"Get-TransportConfig: SmtpClientAuthenticationDisabled = True; Get-CASMailbox " + t.User + ": empty (follows the organisation)" + via}})
	}
	if p := t.AuthenticationPolicy; p != nil && p.AllowBasicAuthSmtp != nil && !*p.AllowBasicAuthSmtp && method == "basic" {
		hits = append(hits, Hit{ID: idTenantPolicyBasic, Params: map[string]string{"user": t.User, "policy": p.Name},
			Evidence: []string{fmt.Sprintf("Get-AuthenticationPolicy %q (%s): AllowBasicAuthSmtp = False", p.Name, p.Source) + via}})
	}
	for _, p := range t.ConditionalAccess {
		if !p.AppliesToMailbox {
			continue
		}
		params := map[string]string{"user": t.User, "policy": p.Name}
		ev := []string{fmt.Sprintf("Conditional Access %q: state %s, blocks/requires %s", p.Name, p.State, strings.Join(p.Blocks, ", "))}
		enforced := p.State == "enabled"
		// What the device's sign-in meets: legacy authentication for a
		// password, the device code flow for OAuth 2.0 (how MFPs get
		// their first token).
		meets := slices.Contains(p.Blocks, "legacy_auth") && method == "basic" ||
			slices.Contains(p.Blocks, "device_code") && method == "oauth2"
		switch {
		case meets && !enforced:
			// Report-only today: it only logs, but it blocks the device
			// once switched on (Microsoft switches its managed policies
			// on itself unless the tenant opts out).
			hits = append(hits, Hit{ID: idTenantCAReportOnly, Params: params,
				Evidence: append(ev, "report-only today: it logs what it would do and blocks nothing; switched on, it blocks the device's sign-in")})
		case slices.Contains(p.Blocks, "legacy_auth") && method == "basic" && enforced:
			hits = append(hits, Hit{ID: idTenantCALegacy, Params: params, Evidence: ev})
		case slices.Contains(p.Blocks, "device_code") && method == "oauth2":
			hits = append(hits, Hit{ID: idTenantCADeviceCode, Params: params, Evidence: ev})
		case enforced && slices.ContainsFunc(p.Blocks, func(b string) bool {
			return b == "all_sign_ins" || b == "compliant_device" || b == "location" || b == "mfa" || b == "sign_in_frequency"
		}):
			hits = append(hits, Hit{ID: idTenantCARequires, Params: params, Evidence: ev})
		}
	}
	if len(t.SignIns) > 0 && t.SignIns[0].ErrorCode != 0 {
		s := t.SignIns[0]
		ev := fmt.Sprintf("sign-in log %s: %s, %s, error %d, Conditional Access %s", s.Time.UTC().Format("2006-01-02 15:04 MST"), s.App, s.ClientApp, s.ErrorCode, orDash(s.ConditionalAccess))
		if len(s.Policies) > 0 {
			ev += " (" + strings.Join(s.Policies, ", ") + ")"
		}
		h := Hit{ID: idTenantSignInFailed, Evidence: []string{ev},
			Params: map[string]string{"user": t.User, "code": strconv.Itoa(s.ErrorCode), "app": s.App, "reason": s.Reason}}
		if id := aadstsEntry(s.ErrorCode); id != "" {
			h.Alternatives = []string{id}
		}
		hits = append(hits, h)
	}
	if t.RejectDirectSend != nil && *t.RejectDirectSend && method == "none" {
		hits = append(hits, Hit{ID: idTenantRejectDirect, Evidence: []string{"Get-OrganizationConfig: RejectDirectSend = True" + via}})
	}
	seen := map[string]bool{}
	for _, rd := range t.Reads {
		if rd.Status != "forbidden" && rd.Status != "unlicensed" || seen[rd.Detail] {
			continue
		}
		seen[rd.Detail] = true
		hits = append(hits, Hit{ID: idTenantReadFailed, Evidence: []string{rd.What + ": " + rd.Detail},
			Params: map[string]string{"what": rd.What, "reason": rd.Detail}})
	}
	return hits
}

// absorbTenant applies tenantAbsorbs.
func absorbTenant(hits []Hit) []Hit {
	for _, pair := range tenantAbsorbs {
		k := slices.IndexFunc(hits, func(h Hit) bool { return h.ID == pair[0] })
		d := slices.IndexFunc(hits, func(h Hit) bool { return h.ID == pair[1] })
		if k < 0 || d < 0 {
			continue
		}
		for _, ev := range hits[d].Evidence {
			if !slices.Contains(hits[k].Evidence, ev) {
				hits[k].Evidence = append(hits[k].Evidence, ev)
			}
		}
		if hits[k].Phase == "" {
			hits[k].Phase = hits[d].Phase
		}
		hits = slices.Delete(hits, d, d+1)
	}
	return hits
}

// aadstsEntry is the catalogue entry that explains Entra error n, if any.
func aadstsEntry(n int) string {
	for _, e := range cat().entries {
		if e.Match != nil && slices.Contains(e.Match.AADSTS, n) {
			return e.ID
		}
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// DiagnoseTenant is Diagnose for a report that holds only what the tenant
// decides (mfpcheck tenant): no probe ran and no token was read, so only
// the tenant's findings are raised, with the verdict they imply.
func DiagnoseTenant(r *report.Report, opts Options) {
	if r == nil {
		return
	}
	diagnose(r, nil, opts, r.Generated, nil)
}

// SignInError is what the catalogue calls Entra error code (a sign-in log
// entry's status.errorCode) in opts' language: the title of the entry
// that explains it, or "" when the catalogue does not know the code.
// Renderers show it beside Microsoft's own failureReason.
func SignInError(code int, opts Options) string {
	if code == 0 {
		return ""
	}
	id := aadstsEntry(code)
	if id == "" {
		return ""
	}
	f, ok := ExplainID(id, opts)
	if !ok {
		return ""
	}
	return f.Title
}
