package sheet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// The tenant section's lists are cut to a sheet's size; the JSON report
// keeps them whole, and the sheet says how many it left out.
const (
	maxTenantCA      = 12
	maxTenantSignIns = 8
	maxTenantReads   = 16
)

// tenantCounts are the lengths of the tenant's lists before the sheet's
// budget (bounded) cut them, so "n more" counts what the report held.
type tenantCounts struct{ ca, signIns, reads int }

func countTenant(t *report.TenantInfo) tenantCounts {
	if t == nil {
		return tenantCounts{}
	}
	return tenantCounts{len(t.ConditionalAccess), len(t.SignIns), len(t.Reads)}
}

// tenantSection shows what the tenant decides, as read with an
// administrator's sign-in (--tenant-check): SMTP AUTH with where its value
// comes from, the authentication policy, security defaults, RejectDirectSend,
// the Conditional Access policies and what they block, the recent sign-ins
// with their error decoded, and how each read went (the unofficial ones
// marked, the failed ones with the role or licence they lacked). The
// findings it leads to are on page 1; this is the evidence.
func (d *doc) tenantSection(t *report.TenantInfo, n tenantCounts) {
	if t == nil {
		return
	}
	T := func(k string) string { return i18n.T(d.lang, "tenant."+k) }
	fill := func(s string) string {
		return strings.NewReplacer("{tenant}", t.Tenant, "{user}", t.User).Replace(s)
	}
	onOff := func(b *bool, on, off string) string { return i18n.TenantBool(d.lang, b, on, off) }
	d.section(T("decides"))
	d.para(fill(T("heading")), column{style: "I"}, rowStyle{})
	d.gap(1)

	a := t.SMTPAuth
	eff := i18n.TenantEffective(d.lang, a.Effective, a.Source)
	org := T("unknown")
	if a.OrgDisabled != nil {
		org = "SmtpClientAuthenticationDisabled = " + pwsBool(*a.OrgDisabled)
	}
	mb := T("unknown")
	switch {
	case a.MailboxDisabled != nil:
		mb = "SmtpClientAuthenticationDisabled = " + pwsBool(*a.MailboxDisabled)
	case d.readOK(t, "Get-CASMailbox"):
		mb = T("empty") + " (" + T("source.organization") + ")"
	}
	policy := T("none")
	if p := t.AuthenticationPolicy; p != nil {
		policy = fmt.Sprintf("%s (%s): %s %s", p.Name, T("policy_source."+p.Source), T("basic_smtp"), onOff(p.AllowBasicAuthSmtp, "allowed", "blocked"))
	} else if !d.readOK(t, "Get-User") || !d.readOK(t, "Get-OrganizationConfig") {
		policy = T("unknown")
	}
	rows := [][2]string{
		{fill(T("smtp_auth")), eff},
		{"  " + T("org") + " (Get-TransportConfig)", org},
		{"  " + T("mailbox") + " (Get-CASMailbox)", mb},
		{T("policy"), policy},
		{T("security_defaults"), onOff(t.SecurityDefaults, "enabled", "disabled")},
		{T("direct_send") + " (RejectDirectSend)", onOff(t.RejectDirectSend, "enabled", "disabled")},
	}
	if u := t.EmailAppUsage; u != nil {
		used := T("unused")
		if u.SMTP {
			used = T("used")
		}
		rows = append(rows, [2]string{T("usage"), join(", ", used, u.LastActivity)})
	}
	d.kv(rows, 62, false)

	d.subhead(T("ca"))
	if len(t.ConditionalAccess) == 0 {
		d.para(d.caNone(t), column{}, rowStyle{})
		d.gap(1)
	} else {
		cols := []column{{w: 62}, {w: 22}, {w: d.width - 62 - 22 - 24}, {w: 24}}
		var rows [][]string
		for _, p := range t.ConditionalAccess[:min(len(t.ConditionalAccess), maxTenantCA)] {
			state := T("enabled")
			if p.State != "enabled" {
				state = T("report_only")
			}
			var effects []string
			for _, b := range p.Blocks {
				effects = append(effects, i18n.TOr(d.lang, "tenant.block."+b, b))
			}
			rows = append(rows, []string{p.Name, state, d.or(strings.Join(effects, "; ")), d.yesNo(p.AppliesToMailbox)})
		}
		d.table(cols, []string{T("col.policy"), T("col.state"), T("col.effect"), T("col.mailbox")}, rows, func(i int) rowStyle {
			if p := t.ConditionalAccess[i]; p.AppliesToMailbox && len(p.Blocks) > 0 {
				return rowStyle{rule: true, fill: 238}
			}
			return rowStyle{rule: true}
		})
		d.more(n.ca, maxTenantCA)
	}

	d.subhead(T("signins"))
	switch {
	case len(t.SignIns) > 0:
		cols := []column{{w: 34}, {w: 30}, {w: 30}, {w: d.width - 34 - 30 - 30 - 32}, {w: 32}}
		var rows [][]string
		for _, s := range t.SignIns[:min(len(t.SignIns), maxTenantSignIns)] {
			result := T("signin_ok")
			if s.ErrorCode != 0 {
				code := strconv.Itoa(s.ErrorCode)
				result = code
				if title := diagnose.SignInError(s.ErrorCode, diagnose.Options{Lang: d.lang}); strings.Contains(title, code) {
					result = title
				} else if title != "" {
					result += ": " + title
				}
				if s.Reason != "" {
					result += "\n" + s.Reason
				}
			}
			ca := i18n.TOr(d.lang, "tenant.ca_result."+s.ConditionalAccess, s.ConditionalAccess)
			if len(s.Policies) > 0 {
				ca = join("\n", ca, strings.Join(s.Policies, "; "))
			}
			rows = append(rows, []string{fmtTime(s.Time.UTC()), d.or(s.App), d.or(s.ClientApp), result, d.or(ca)})
		}
		d.table(cols, []string{T("col.time"), T("col.app"), T("col.client"), T("col.result"), T("ca")}, rows, func(i int) rowStyle {
			if t.SignIns[i].ErrorCode != 0 {
				return rowStyle{rule: true, fill: 238}
			}
			return rowStyle{rule: true}
		})
		d.more(n.signIns, maxTenantSignIns)
	case d.readOK(t, "sign-ins"):
		d.para(T("no_signins"), column{}, rowStyle{})
		d.gap(1)
	default:
		d.para(T("read.unavailable")+d.readDetail(t, "sign-ins"), column{}, rowStyle{})
		d.gap(1)
	}

	d.subhead(T("reads"))
	cols := []column{{w: 48, mono: true}, {w: 30}, {w: d.width - 78}}
	var reads [][]string
	unofficial := false
	for _, r := range t.Reads[:min(len(t.Reads), maxTenantReads)] {
		status := i18n.TOr(d.lang, "tenant.read."+r.Status, r.Status)
		if r.Unofficial {
			status += " (" + T("unofficial_tag") + ")"
			unofficial = true
		}
		reads = append(reads, []string{r.What, status, r.Detail})
	}
	d.table(cols, []string{T("col.read"), T("col.status"), T("col.detail")}, reads, func(i int) rowStyle {
		if t.Reads[i].Status != "ok" {
			return rowStyle{rule: true, fill: 238}
		}
		return rowStyle{rule: true}
	})
	d.more(n.reads, maxTenantReads)
	if unofficial {
		d.para(T("unofficial")+".", column{style: "I", size: smallSize}, rowStyle{})
		d.gap(1)
	}
}

// caNone is the line for no Conditional Access policy: none read, or the
// read failed.
func (d *doc) caNone(t *report.TenantInfo) string {
	if d.readOK(t, "conditional access") {
		return i18n.T(d.lang, "tenant.none")
	}
	return i18n.T(d.lang, "tenant.read.unavailable") + d.readDetail(t, "conditional access")
}

// more says how many rows of a list the sheet left out.
func (d *doc) more(total, shown int) {
	if total <= shown {
		return
	}
	d.para(strings.ReplaceAll(i18n.T(d.lang, "tenant.more"), "{n}", strconv.Itoa(total-shown)), column{style: "I"}, rowStyle{})
	d.gap(1)
}

// readOK reports whether the read named what succeeded.
func (d *doc) readOK(t *report.TenantInfo, what string) bool {
	for _, r := range t.Reads {
		if r.What == what {
			return r.Status == "ok"
		}
	}
	return false
}

// readDetail is ": detail" of the read named what, if it has one.
func (d *doc) readDetail(t *report.TenantInfo, what string) string {
	for _, r := range t.Reads {
		if r.What == what && r.Detail != "" {
			return ": " + r.Detail
		}
	}
	return ""
}

// pwsBool spells a boolean the way Exchange Online PowerShell prints it.
func pwsBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
