package token

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Token states, as the devices show them (Sharp's four states; Epson's
// "Signed in" is StateObtained).
const (
	StateNotObtained = "not_obtained"
	StateWaiting     = "waiting_for_authorization"
	StateObtained    = "obtained"
	StateInvalid     = "invalid"
)

// RefreshLifetime is Entra ID's default refresh-token lifetime, counted from
// its last use: a refresh token not used for 90 days dies (AADSTS700082).
const RefreshLifetime = 90 * 24 * time.Hour

// Want is what the device needs the token for.
type Want struct {
	// User and Tenant are the mailbox and tenant the device is set to. The
	// token check records the token's own user and tenant; comparing them is
	// the diagnosis's work.
	User, Tenant string
	// NeedPOP is set when the device also reads mail over POP3 with this
	// token, so POP.AccessAsUser.All is required.
	NeedPOP bool
}

// Inspect reads s into the report's token data. s may be nil (no token):
// State is then not_obtained. The signature is never checked.
func Inspect(s *Set, want Want, now time.Time) *report.TokenInfo {
	if s == nil {
		return &report.TokenInfo{Format: FormatNone, State: StateNotObtained}
	}
	info := &report.TokenInfo{
		Source:             s.Source,
		Format:             s.Format,
		Fingerprint:        redact.Fingerprint(s.Access),
		HasRefreshToken:    s.Refresh != "",
		RefreshFingerprint: redact.Fingerprint(s.Refresh),
		LastUsed:           s.LastUsed,
		ExpiresAt:          s.Expiry,
	}
	if s.fromFile {
		info.FileMode = fmt.Sprintf("%04o", uint32(s.Mode.Perm()))
	}
	var claims *Claims
	if looksLikeJWT(s.Access) {
		if c, err := DecodeClaims(s.Access); err == nil {
			claims = c
		}
	}
	if claims != nil {
		info.JWT = true
		info.Audience = strings.Join(claims.Audience, " ")
		info.Scopes = strings.Fields(claims.Scope)
		info.Roles = claims.Roles
		info.User = claims.User()
		info.Tenant = claims.TenantID
		info.AppID = claims.App()
		info.AppName = claims.AppDisplayName
		info.Version = claims.Version
		info.IssuedAt = unixTime(claims.IssuedAt)
		info.NotBefore = unixTime(claims.NotBefore)
		if e := unixTime(claims.Exp); !e.IsZero() {
			info.ExpiresAt = e
		}
		info.AppOnly = claims.Scope == "" && len(claims.Roles) > 0
	} else if s.Scope != "" {
		// An opaque token: the token endpoint's "scope" is the next best
		// record of what it may do.
		info.Scopes = strings.Fields(s.Scope)
	}
	if !info.ExpiresAt.IsZero() {
		info.AccessMinutesLeft = int(math.Floor(info.ExpiresAt.Sub(now).Minutes()))
	}

	// The refresh token lives 90 days from its last use. Without a recorded
	// use, the file's modification time (written when the token was saved)
	// or the access token's issue time is the best guess.
	if info.HasRefreshToken {
		base := s.LastUsed
		if base.IsZero() {
			base = s.modTime
		}
		if base.IsZero() {
			base = info.IssuedAt
		}
		if !base.IsZero() {
			info.RefreshExpiresAt = base.Add(RefreshLifetime).UTC()
			info.RefreshDaysLeft = int(math.Floor(info.RefreshExpiresAt.Sub(now).Hours() / 24))
			info.HasRefreshDaysLeft = true
		}
	}

	info.State = state(s, info, claims, want, now)
	info.SignedIn = info.State == StateObtained
	return info
}

func state(s *Set, info *report.TokenInfo, claims *Claims, want Want, now time.Time) string {
	if s.Access == "" && s.Refresh == "" {
		return StateNotObtained
	}
	expired := s.Access == "" || (!info.ExpiresAt.IsZero() && !now.Before(info.ExpiresAt))
	if expired && !info.HasRefreshToken {
		return StateInvalid
	}
	// A refresh token unused for 90 days (by the recorded last use, not a
	// guess) cannot bring the expired access token back.
	if expired && !s.LastUsed.IsZero() && !now.Before(s.LastUsed.Add(RefreshLifetime)) {
		return StateInvalid
	}
	if claims != nil && !usable(claims, want) {
		return StateInvalid
	}
	return StateObtained
}

// usable reports whether the token's audience and permissions let it sign in
// to Exchange Online's SMTP (and POP3 when wanted).
func usable(c *Claims, want Want) bool {
	if !IsOutlookAudience(c.Audience) {
		return false
	}
	appOnly := c.Scope == ""
	perms := c.Roles
	if !appOnly {
		perms = strings.Fields(c.Scope)
	}
	for _, n := range Needed(appOnly, want.NeedPOP) {
		if !HasPermission(perms, n) {
			return false
		}
	}
	return true
}

// Waiting is the token data while a device-code sign-in waits for the user.
func Waiting(source string) *report.TokenInfo {
	return &report.TokenInfo{Source: source, Format: FormatNone, State: StateWaiting}
}
