package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

func when(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// TokenSummary prints the token data as a technician reads it ("mfpcheck
// token" and "login"), the token state in the vendor's own words (the
// label table's vendor states). It only formats the recorded fields.
func TokenSummary(w io.Writer, info *report.TokenInfo, vendor string) {
	row := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-15s %s\n", label, fmt.Sprintf(format, args...))
	}
	src := info.Source
	if src == "" {
		src = "(none)"
	}
	fmt.Fprintf(w, "Token %s\n", src)
	row("state", "%s", i18n.VendorState("en", vendor, info.State))
	format := info.Format
	if info.FileMode != "" {
		format += ", file mode " + info.FileMode
	}
	row("format", "%s", format)
	if info.Audience != "" {
		row("audience", "%s", info.Audience)
	}
	if len(info.Scopes) > 0 {
		row("scopes", "%s", strings.Join(info.Scopes, " "))
	}
	if len(info.Roles) > 0 {
		row("roles", "%s (app-only: %v)", strings.Join(info.Roles, " "), info.AppOnly)
	}
	if info.User != "" {
		row("user", "%s", info.User)
	}
	if info.Tenant != "" {
		row("tenant", "%s", info.Tenant)
	}
	if info.AppID != "" || info.AppName != "" {
		row("app", "%s %s", info.AppName, info.AppID)
	}
	if info.Version != "" {
		row("token version", "%s", info.Version)
	}
	if !info.IssuedAt.IsZero() {
		row("issued", "%s", when(info.IssuedAt))
	}
	if !info.ExpiresAt.IsZero() {
		left := fmt.Sprintf("%d minutes left", info.AccessMinutesLeft)
		if info.AccessMinutesLeft < 0 {
			left = fmt.Sprintf("expired %d minutes ago", -info.AccessMinutesLeft)
		}
		row("expires", "%s (%s)", when(info.ExpiresAt), left)
	}
	if info.HasRefreshToken {
		if info.HasRefreshDaysLeft {
			base := "last use"
			if info.LastUsed.IsZero() {
				base = "last use (estimated)"
			}
			row("refresh token", "%d days left (90 days after %s on %s)", info.RefreshDaysLeft, base,
				when(info.RefreshExpiresAt.Add(-token.RefreshLifetime)))
		} else {
			row("refresh token", "present (last use unknown)")
		}
	} else {
		row("refresh token", "none")
	}
	if info.Refreshed {
		row("refreshed", "yes, new tokens saved")
	}
	if info.RefreshError != "" {
		row("refresh failed", "%s", firstNonEmpty(info.RefreshErrorAADSTS, info.RefreshErrorCode, info.RefreshError))
		if info.RefreshErrorDescription != "" {
			row("", "%s", info.RefreshErrorDescription)
		}
	}
	if info.Fingerprint != "" {
		row("access token", "%s", info.Fingerprint)
	}
	if info.RefreshFingerprint != "" {
		row("refresh token", "%s", info.RefreshFingerprint)
	}
	if info.JWT {
		row("signature", "not verified (claims read as the token states them)")
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
