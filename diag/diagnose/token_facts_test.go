package diagnose

import (
	"slices"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// A valid v1 token shows Exchange Online's resource app id as its audience.
// Meeting 535 5.7.3 with it, the diagnosis must not blame the audience (the
// token facts live in package token; issue 11 section 5).
func TestDiagnose5_7_3ValidV1Token(t *testing.T) {
	line := "535 5.7.3 Authentication unsuccessful" + trailer
	for _, aud := range []string{
		"00000002-0000-0ff1-ce00-000000000000",
		"https://outlook.office.com",
		"https://outlook.office365.com/",
	} {
		r := baseReport()
		authFail(r, line)
		r.Token = &report.TokenInfo{JWT: true, Version: "1.0", Audience: aud, Scopes: []string{"SMTP.Send"}, User: "scan@contoso.com", ExpiresAt: now.Add(time.Hour)}
		diagnose(r, nil, Options{}, now, nil)
		f, ok := find(r.Findings, "smtp.auth.rejected_oauth")
		if !ok {
			t.Fatalf("aud %s: %v", aud, ids(r.Findings))
		}
		if _, wrong := find(r.Findings, "token.audience"); wrong {
			t.Errorf("aud %s diagnosed as the wrong audience: %v", aud, ids(r.Findings))
		}
		if !slices.Contains(f.Alternatives, "token.audience") {
			// Still one of the causes the reply cannot tell apart.
			t.Errorf("aud %s: alternatives %v", aud, f.Alternatives)
		}
	}
	// The same token through the token rules: no audience finding either.
	tok := v1Delegated()
	tok.Audience = "00000002-0000-0ff1-ce00-000000000000"
	for _, h := range tokenRules(reportWith(tok), oauthProfile(), tokenNow) {
		if h.ID == "token.audience" {
			t.Errorf("token rules: v1 resource id read as a wrong audience: %+v", h)
		}
	}
	// An app-only v1 token with its role set is not missing a role.
	r := baseReport()
	authFail(r, line)
	r.Token = &report.TokenInfo{JWT: true, Version: "1.0", AppOnly: true, Audience: "00000002-0000-0ff1-ce00-000000000000", Roles: []string{"SMTP.SendAsApp"}, ExpiresAt: now.Add(time.Hour)}
	diagnose(r, nil, Options{}, now, nil)
	if _, wrong := find(r.Findings, "token.audience"); wrong {
		t.Errorf("app-only v1 token: %v", ids(r.Findings))
	}
	if _, wrong := find(r.Findings, "token.app_only_no_role"); wrong {
		t.Errorf("app-only v1 token with SMTP.SendAsApp: %v", ids(r.Findings))
	}
}
