package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// The tenant block is compact: a few policies, sign-ins and failed reads;
// the sheet and the JSON report hold the rest.
const (
	tuiTenantCA      = 4
	tuiTenantSignIns = 3
)

// tenantLabel is a tenant.* word of the label table.
func (m *Model) tenantLabel(k string) string { return i18n.T(m.lang, "tenant."+k) }

// tenantSummary is what the tenant decides in one line, beside the token
// line: SMTP AUTH, security defaults when on, an enforced Conditional
// Access policy that blocks the mailbox, the latest sign-in's error and
// how many reads failed.
func (m *Model) tenantSummary(t *report.TenantInfo, w int) string {
	colon := i18n.T(m.lang, "colon")
	eff := i18n.TenantEffective(m.lang, t.SMTPAuth.Effective, t.SMTPAuth.Source)
	switch t.SMTPAuth.Effective {
	case "disabled":
		eff = m.st.Fail.Render(eff)
	case "unknown", "":
		eff = m.st.Warn.Render(eff)
	}
	parts := []string{"SMTP AUTH " + eff}
	if t.SecurityDefaults != nil && *t.SecurityDefaults {
		parts = append(parts, m.st.Fail.Render(m.tenantLabel("security_defaults")+colon+" "+m.tenantLabel("enabled")))
	}
	for _, p := range t.ConditionalAccess {
		if p.AppliesToMailbox && p.State == "enabled" && len(p.Blocks) > 0 {
			parts = append(parts, m.st.Fail.Render(m.tenantLabel("ca")+colon+" "+p.Name))
			break
		}
	}
	if len(t.SignIns) > 0 && t.SignIns[0].ErrorCode != 0 {
		parts = append(parts, m.st.Fail.Render(fmt.Sprintf("%s %d", m.tenantLabel("signins"), t.SignIns[0].ErrorCode)))
	}
	if n := failedReads(t); n > 0 {
		parts = append(parts, m.st.Warn.Render(fmt.Sprintf(tr(m.lang, "tenant_unread"), n)))
	}
	return ansi.Truncate(tr(m.lang, "tenant")+colon+" "+strings.Join(parts, m.st.Dim.Render(" · ")), w, "…")
}

func failedReads(t *report.TenantInfo) int {
	n := 0
	for _, r := range t.Reads {
		if r.Status != "ok" {
			n++
		}
	}
	return n
}

// tenantView is the device screen's tenant block, each line cut to w:
// SMTP AUTH with the organisation's and the mailbox's values, the
// authentication policy, security defaults and RejectDirectSend, the
// Conditional Access policies that touch the mailbox, the latest sign-ins
// and the reads that failed (with the role or licence they lacked).
func (m *Model) tenantView(t *report.TenantInfo, w int) string {
	colon := i18n.T(m.lang, "colon")
	label := func(k string) string { return m.tenantLabel(k) + colon + " " }
	var b strings.Builder
	line := func(s string) { b.WriteString(ansi.Truncate(s, w, "…") + "\n") }
	fill := strings.NewReplacer("{tenant}", t.Tenant, "{user}", t.User)

	line(m.st.Section.Render(m.tenantLabel("decides")))
	line(m.st.Dim.Render(fill.Replace(m.tenantLabel("heading"))))
	a := t.SMTPAuth
	line(fill.Replace(m.tenantLabel("smtp_auth")) + colon + " " + m.st.Bold.Render(i18n.TenantEffective(m.lang, a.Effective, a.Source)))
	org, mb := m.tenantLabel("unknown"), m.tenantLabel("unknown")
	if a.OrgDisabled != nil {
		org = fmt.Sprintf("%t", *a.OrgDisabled)
	}
	if a.MailboxDisabled != nil {
		mb = fmt.Sprintf("%t", *a.MailboxDisabled)
	} else if a.Effective != "unknown" && a.Source != "mailbox" {
		mb = m.tenantLabel("empty")
	}
	line(m.st.Dim.Render("  SmtpClientAuthenticationDisabled: " + label("org") + org + " · " + label("mailbox") + mb))
	policy := m.tenantLabel("none")
	if p := t.AuthenticationPolicy; p != nil {
		policy = p.Name + " · " + m.tenantLabel("basic_smtp") + " " + i18n.TenantBool(m.lang, p.AllowBasicAuthSmtp, "allowed", "blocked")
	}
	line(label("policy") + policy)
	line(label("security_defaults") + i18n.TenantBool(m.lang, t.SecurityDefaults, "enabled", "disabled") + " · " +
		label("direct_send") + i18n.TenantBool(m.lang, t.RejectDirectSend, "enabled", "disabled"))

	var touching []report.TenantCAPolicy
	for _, p := range t.ConditionalAccess {
		if p.AppliesToMailbox && len(p.Blocks) > 0 {
			touching = append(touching, p)
		}
	}
	if len(touching) == 0 {
		line(label("ca") + m.tenantLabel("none"))
	} else {
		line(label("ca"))
		for _, p := range touching[:min(len(touching), tuiTenantCA)] {
			var effects []string
			for _, e := range p.Blocks {
				effects = append(effects, i18n.TOr(m.lang, "tenant.block."+e, e))
			}
			icon, st := "✗", m.st.Fail
			state := ""
			if p.State != "enabled" {
				icon, st, state = "!", m.st.Warn, " ("+m.tenantLabel("report_only")+")"
			}
			line("  " + st.Render(icon) + " " + p.Name + state + m.st.Dim.Render(" — "+strings.Join(effects, "; ")))
		}
		m.moreLine(&b, len(touching), tuiTenantCA, w)
	}

	if len(t.SignIns) > 0 {
		line(label("signins"))
		for _, s := range t.SignIns[:min(len(t.SignIns), tuiTenantSignIns)] {
			res := m.st.OK.Render("✓") + " " + m.tenantLabel("signin_ok")
			if s.ErrorCode != 0 {
				res = m.st.Fail.Render(fmt.Sprintf("✗ %d", s.ErrorCode)) + " " + s.Reason
			}
			line(fmt.Sprintf("  %s  %s  %s", s.Time.UTC().Format("2006-01-02 15:04Z"), s.ClientApp, res))
		}
		m.moreLine(&b, len(t.SignIns), tuiTenantSignIns, w)
	}
	if u := t.EmailAppUsage; u != nil {
		line(label("usage") + i18n.TenantBool(m.lang, &u.SMTP, "used", "unused"))
	}

	ok, unofficial := 0, false
	var failed []report.TenantRead
	for _, r := range t.Reads {
		unofficial = unofficial || r.Unofficial
		if r.Status == "ok" {
			ok++
		} else {
			failed = append(failed, r)
		}
	}
	reads := label("reads") + fmt.Sprintf("%d %s", ok, m.tenantLabel("read.ok"))
	if unofficial {
		reads += m.st.Dim.Render(" · " + m.tenantLabel("unofficial"))
	}
	line(reads)
	for _, r := range failed {
		tag := ""
		if r.Unofficial {
			tag = " [" + m.tenantLabel("unofficial_tag") + "]"
		}
		line("  " + m.st.Warn.Render("✗ "+r.What) + tag + colon + " " + i18n.TOr(m.lang, "tenant.read."+r.Status, r.Status) + m.st.Dim.Render(" — "+r.Detail))
	}
	return b.String()
}

// moreLine says how many entries of a list the block left out.
func (m *Model) moreLine(b *strings.Builder, total, shown, w int) {
	if total <= shown {
		return
	}
	s := strings.ReplaceAll(m.tenantLabel("more"), "{n}", fmt.Sprint(total-shown))
	b.WriteString(ansi.Truncate("  "+m.st.Dim.Render(s), w, "…") + "\n")
}
