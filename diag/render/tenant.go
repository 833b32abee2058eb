package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Tenant writes what the tenant decides, as read with an administrator's
// sign-in: SMTP AUTH with where its value comes from, the authentication
// policy, security defaults, Conditional Access, recent sign-ins or the
// usage report, RejectDirectSend, and how each read went.
func Tenant(w io.Writer, t *report.TenantInfo, lang string) {
	if t == nil {
		return
	}
	T := func(k string) string { return i18n.T(lang, "tenant."+k) }
	fill := func(s string) string {
		return strings.NewReplacer("{tenant}", t.Tenant, "{user}", t.User).Replace(s)
	}
	label := func(k string) string { return i18n.Colon(lang, T(k)) }
	onOff := func(b *bool, on, off string) string { return i18n.TenantBool(lang, b, on, off) }
	var b strings.Builder
	fmt.Fprintln(&b, fill(T("heading")))
	a := t.SMTPAuth
	fmt.Fprintf(&b, "  %s %s\n", i18n.Colon(lang, fill(T("smtp_auth"))), i18n.TenantEffective(lang, a.Effective, a.Source))
	mb := T("empty")
	if a.MailboxDisabled != nil {
		mb = fmt.Sprintf("SmtpClientAuthenticationDisabled = %t", *a.MailboxDisabled)
	}
	org := T("unknown")
	if a.OrgDisabled != nil {
		org = fmt.Sprintf("SmtpClientAuthenticationDisabled = %t", *a.OrgDisabled)
	}
	fmt.Fprintf(&b, "    %s %s\n    %s %s\n", label("org"), org, label("mailbox"), mb)
	if p := t.AuthenticationPolicy; p != nil {
		fmt.Fprintf(&b, "  %s %s (%s), %s %s\n", label("policy"), p.Name, p.Source, T("basic_smtp"), onOff(p.AllowBasicAuthSmtp, "allowed", "blocked"))
	}
	fmt.Fprintf(&b, "  %s %s\n", label("security_defaults"), onOff(t.SecurityDefaults, "enabled", "disabled"))
	if t.RejectDirectSend != nil {
		fmt.Fprintf(&b, "  %s %s\n", label("direct_send"), onOff(t.RejectDirectSend, "enabled", "disabled"))
	}
	fmt.Fprintf(&b, "  %s", label("ca"))
	if len(t.ConditionalAccess) == 0 {
		fmt.Fprintf(&b, " %s\n", T("none"))
	} else {
		fmt.Fprintln(&b)
	}
	for _, p := range t.ConditionalAccess {
		state := ""
		if p.State != "enabled" {
			state = ", " + T("report_only")
		}
		applies := T("not_applies")
		if p.AppliesToMailbox {
			applies = T("applies")
		}
		fmt.Fprintf(&b, "    %s: %s (%s%s)\n", p.Name, strings.Join(p.Blocks, ", "), applies, state)
	}
	if len(t.SignIns) > 0 {
		fmt.Fprintf(&b, "  %s\n", label("signins"))
		for i, s := range t.SignIns {
			if i == 5 {
				break
			}
			res := "ok"
			if s.ErrorCode != 0 {
				res = fmt.Sprintf("%d %s", s.ErrorCode, s.Reason)
			}
			fmt.Fprintf(&b, "    %s  %s, %s: %s\n", s.Time.UTC().Format("2006-01-02 15:04Z"), s.App, s.ClientApp, res)
		}
	}
	if u := t.EmailAppUsage; u != nil {
		used := T("unused")
		if u.SMTP {
			used = T("used")
		}
		fmt.Fprintf(&b, "  %s %s\n", label("usage"), used)
	}
	fmt.Fprintf(&b, "  %s\n", label("reads"))
	for _, r := range t.Reads {
		fmt.Fprintf(&b, "    %-26s %s", r.What, T("read."+r.Status))
		if r.Detail != "" {
			fmt.Fprintf(&b, ": %s", r.Detail)
		}
		if r.Unofficial {
			fmt.Fprintf(&b, " [%s]", T("unofficial"))
		}
		fmt.Fprintln(&b)
	}
	io.WriteString(w, b.String())
}
