package diagnose

import (
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// sessionMethod is how the probe signed in, in the matcher's words:
// "oauth" (XOAUTH2, OAUTHBEARER), "password" (LOGIN, PLAIN), or "" when
// the report does not say. The mechanism really used wins over the
// configured auth method.
func (c *ctx) sessionMethod() string {
	if m := signInMethod(c.r.Target.Mechanism); m != "" {
		return m
	}
	if c.r.Auth != nil {
		if m := signInMethod(c.r.Auth.Mechanism); m != "" {
			return m
		}
	}
	switch c.authMethod {
	case report.AuthOAuth2:
		return "oauth"
	case report.AuthBasic:
		return "password"
	}
	return ""
}

// provider is the mail service the probe talked to, in the matcher's
// words, decided the way the pasted-text path decides it: Exchange Online
// when the target is (host name or profile); otherwise what the greeting
// and the EHLO lines show (Gmail's "gsmtp", Exchange Server's XEXCH50,
// Exchange Online's "outlook.office365.com" from a relay's address);
// "other" for a server that greeted without any of those (Dovecot,
// Postfix, a relay); "" when no greeting was read, so nothing is ruled
// out.
func (c *ctx) provider() string {
	if c.exchange {
		return "exo"
	}
	var seen strings.Builder
	greeted := false
	for _, name := range []report.PhaseName{report.PhaseBanner, report.PhaseEHLO, report.PhaseEHLOTLS} {
		ph, ok := c.r.Phase(name)
		if !ok {
			continue
		}
		if ph.Reply != nil {
			seen.WriteString(ph.Reply.Line() + "\n")
			if name == report.PhaseBanner && ph.Reply.Code == 220 {
				greeted = true
			}
		}
		seen.WriteString(strings.Join(ph.Capabilities, "\n") + "\n")
	}
	ps := providersIn(seen.String())
	switch {
	case len(ps) == 1:
		return ps[0]
	case containsExact(ps, "onprem"):
		// An Exchange Server behind a name in outlook.com's style is
		// still on premises: only it offers XEXCH50.
		return "onprem"
	case len(ps) > 1:
		return ""
	case greeted && !strings.Contains(strings.ToLower(seen.String()), "microsoft esmtp"):
		return "other"
	}
	return ""
}
