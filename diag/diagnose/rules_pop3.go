package diagnose

import (
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Catalogue ids of the POP3 rules (catalogue/pop3.yaml).
const (
	idPOP3Generic       = "pop3.err_generic"
	idPOP3NoXOAUTH2     = "pop3.no_xoauth2"
	idPOP3STLSMissing   = "pop3.stls_missing"
	idPOP3BasicDisabled = "pop3.basic_disabled"
)

// pop3Hits reads the POP3 side: a -ERR no entry knows gets the generic
// reading; STLS or XOAUTH2 missing from CAPA, and basic POP3 to Exchange
// Online (off since October 2022), get their own findings instead of the
// SMTP-worded ones kindRule would pick.
func pop3Hits(c *ctx, hits []Hit) []Hit {
	pr := c.r.POP3
	if pr == nil {
		return hits
	}
	out := hits[:0:0]
	for _, h := range hits {
		if h.Phase == report.PhasePOP3STLS || h.Phase == report.PhasePOP3CAPA {
			if h.ID == idNoStartTLS {
				h.ID = idPOP3STLSMissing
			}
		}
		if h.Phase == report.PhasePOP3Auth && h.ID == idAuthNotOffered {
			h.ID = idPOP3NoXOAUTH2
			h.Params = c.with("mechanisms", saslOffered(pr))
		}
		out = append(out, h)
	}
	matched := map[report.PhaseName]bool{}
	for _, h := range out {
		matched[h.Phase] = true
	}
	for _, ph := range pr.Phases {
		if ph.Status == report.StatusFail && ph.Reply != nil && ph.Reply.POP3 == "-ERR" && !matched[ph.Name] {
			out = append(out, Hit{ID: idPOP3Generic, Phase: ph.Name, Evidence: []string{ph.Reply.Line()}, Params: c.with("code", "-ERR")})
		}
	}
	if strings.EqualFold(string(pr.Target.AuthMethod), "basic") && c.exchange {
		out = append(out, Hit{ID: idPOP3BasicDisabled, Phase: report.PhasePOP3Auth,
			Evidence: []string{"pop3 auth_method: basic"}, Params: c.with("mechanisms", saslOffered(pr))})
	}
	return out
}

// saslOffered is the SASL list of the last CAPA ("PLAIN XOAUTH2"), or "-".
func saslOffered(pr *report.POP3Report) string {
	list := "-"
	for _, ph := range pr.Phases {
		if ph.Name != report.PhasePOP3CAPA {
			continue
		}
		for _, c := range ph.Capabilities {
			if f := strings.Fields(c); len(f) > 1 && strings.EqualFold(f[0], "SASL") {
				list = strings.Join(f[1:], " ")
			}
		}
	}
	return list
}
