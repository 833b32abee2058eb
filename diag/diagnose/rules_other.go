package diagnose

import (
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Entries (catalogue/servers.yaml) for mail servers that are not Exchange
// Online.
const (
	idTokenRejected   = "auth.token_rejected"
	idGreetingRefused = "smtp.greeting_refused"
)

// microsoftPlaces are Microsoft's admin portals: no step there helps with
// a server that is not Exchange Online.
var microsoftPlaces = map[string]bool{"m365_admin": true, "exchange_admin": true, "entra_admin": true, "powershell": true, "defender": true}

// otherServerHits reads a server that is not Exchange Online (Dovecot,
// Google, a relay) the way standard servers answer: a refusal instead of
// the greeting is "the server refused the connection"; an OAuth sign-in
// refused after the server's JSON challenge (RFC 7628 3.2.2: {"status":
// "401",…}, then 535 or -ERR) is "the server rejected the token", on SMTP
// and POP3 alike. Exchange Online's own entries stay for Exchange Online.
func otherServerHits(c *ctx, hits []Hit) []Hit {
	if c.exchange || c.provider() == "exo" {
		return hits
	}
	replace := map[report.PhaseName]Hit{}
	for _, ph := range c.phases() {
		if ph.Status != report.StatusFail || ph.Reply == nil {
			continue
		}
		code := ph.Reply.POP3
		if code == "" {
			code = strings.TrimSpace(ph.Reply.Line())
			if i := strings.IndexByte(code, ' '); i > 0 {
				code = code[:i]
			}
		}
		switch ph.Name {
		case report.PhaseBanner, report.PhasePOP3Banner:
			if ph.Reply.POP3 == "-ERR" || ph.Reply.Code >= 400 {
				replace[ph.Name] = Hit{ID: idGreetingRefused, Phase: ph.Name, Evidence: []string{ph.Reply.Line()}, Params: c.with("code", code)}
			}
		case report.PhaseAuth, report.PhasePOP3Auth:
			if ph.ErrorKind == report.KindReply && (ph.Challenge != "" || c.authMethod == "oauth2") {
				ev := []string{ph.Reply.Line()}
				if ph.Challenge != "" {
					ev = append([]string{"challenge: " + ph.Challenge}, ev...)
				}
				replace[ph.Name] = Hit{ID: idTokenRejected, Phase: ph.Name, Evidence: ev, Params: c.with("code", code)}
			}
		}
	}
	if len(replace) == 0 {
		return hits
	}
	out := hits[:0:0]
	for _, h := range hits {
		if _, ok := replace[h.Phase]; !ok {
			out = append(out, h)
		}
	}
	for _, name := range []report.PhaseName{report.PhaseBanner, report.PhaseAuth, report.PhasePOP3Banner, report.PhasePOP3Auth} {
		if h, ok := replace[name]; ok {
			out = append(out, h)
		}
	}
	return out
}

// otherServerSteps drops, for a server that is not Exchange Online, the
// steps that send the user to Microsoft's admin portals or to Exchange
// Online's host: they cannot help there.
func otherServerSteps(c *ctx, findings []report.Finding) {
	if c.exchange {
		return
	}
	service := c.provider()
	if service == "exo" {
		// Not named as Exchange Online, but its greeting is Exchange
		// Online's (outlook.office365.com): its steps apply.
		return
	}
	if service == "" {
		service = "other"
	}
	for i := range findings {
		findings[i].Service = service
		dropExchangeSteps(&findings[i])
	}
}

// dropExchangeSteps removes from a finding about a server that is not
// Exchange Online the steps and places that lead to Microsoft's portals or
// Exchange Online's host. Diagnose and Localize both use it, so a finding
// shown again in another language keeps the same steps.
func dropExchangeSteps(f *report.Finding) {
	steps := f.Steps[:0:0]
	for _, s := range f.Steps {
		if microsoftPlaces[s.Where] || mentionsExchange(s.Text) || mentionsExchange(s.Command) {
			continue
		}
		steps = append(steps, s)
	}
	f.Steps = steps
	where := f.Where[:0:0]
	for _, w := range f.Where {
		if !microsoftPlaces[w] {
			where = append(where, w)
		}
	}
	f.Where = where
}

func mentionsExchange(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "office365.com") || strings.Contains(l, "outlook.office.com") || strings.Contains(l, "microsoft 365 admin")
}
