package diagnose

import (
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestRefreshWithoutAnswerIsNotEntra: a refresh that got no answer is
// "could not reach the token endpoint" on this computer's side, and the
// run could not test (verdict error); a refresh Entra answered stays
// Entra's.
func TestRefreshWithoutAnswerIsNotEntra(t *testing.T) {
	tok := v1Delegated()
	tok.RefreshError = `refresh: Post "http://127.0.0.1:1/contoso/oauth2/v2.0/token": dial tcp 127.0.0.1:1: connect: connection refused`
	tok.RefreshNoAnswer = true
	hits := tokenRules(reportWith(tok), oauthProfile(), tokenNow)
	if findHit(hits, idTokenEndpointUnreachable).ID == "" {
		t.Fatalf("no %s: %+v", idTokenEndpointUnreachable, hits)
	}
	if findHit(hits, "token.refresh_failed").ID != "" {
		t.Errorf("a refresh without an answer read as Entra refusing it: %+v", hits)
	}
	f := FindingFor(Hit{ID: idTokenEndpointUnreachable}, Options{Lang: "de"})
	if f.Side != "local" || f.Severity != report.SeverityError {
		t.Errorf("side %s severity %s", f.Side, f.Severity)
	}
	if !couldNotTest([]report.Finding{f}) {
		t.Error("a run whose only error is the unreachable token endpoint should be 'could not test'")
	}

	tok = v1Delegated()
	tok.RefreshError = "entra id: invalid_grant AADSTS700082: The refresh token has expired"
	tok.RefreshErrorCode, tok.RefreshErrorAADSTS = "invalid_grant", "AADSTS700082"
	hits = tokenRules(reportWith(tok), oauthProfile(), tokenNow)
	if findHit(hits, idTokenEndpointUnreachable).ID != "" {
		t.Errorf("Entra's answer read as no answer: %+v", hits)
	}
}
