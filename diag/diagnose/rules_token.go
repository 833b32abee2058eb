package diagnose

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// Token rule thresholds. The texts that explain them live in
// catalogue/token.yaml; these are only the lines the rules draw.
const (
	// expiringSoon: an access token with less time left than this may die
	// between the check and the device's next scan.
	expiringSoon = 10 * time.Minute
	// refreshWarnDays: Entra drops a refresh token after 90 days without use
	// (AADSTS700082); warn two weeks before.
	refreshWarnDays = 14
)

var (
	tokenGUIDRe   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	tokenAADSTSRe = regexp.MustCompile(`(?i)AADSTS\s*(\d{4,9})`)
	tokenDigitsRe = regexp.MustCompile(`^\d{4,9}$`)
)

// tokenRules reads r.Token (and r.POP3 for POP scopes) against the profile
// and returns the token findings: expired, expiring, wrong audience, missing
// scope, app-only without SMTP.SendAsApp, user or tenant mismatch, opaque
// token, refresh token close to its 90-day death, refresh errors (AADSTS),
// token file readable by others.
//
// p may be nil. Evidence names claim values and the token's fingerprint,
// never the token.
func tokenRules(r *report.Report, p *profile.Profile, now time.Time) []Hit {
	if r == nil {
		return nil
	}
	t := r.Token
	if t == nil {
		if tokenUsesOAuth(r, p) {
			// Nothing was given to test with: mfpcheck's input, not the
			// device's state (the device keeps its own token).
			return []Hit{{
				ID:       idNoCredentials,
				Evidence: []string{"auth method oauth2, no token given to the check"},
				Params:   map[string]string{"user": tokenAuthUser(r, p)},
			}}
		}
		return nil
	}

	tr := tokenRun{t: t, params: baseParams(r, p, t)}
	tr.fileMode()

	switch t.State {
	case "waiting_for_authorization":
		// The sign-in is not finished: nothing else to read yet.
		tr.add("device.state.waiting", "device token state: waiting for authorization")
		return tr.hits
	case "invalid":
		tr.add("device.state.invalid", "device token state: invalid")
	}

	if t.Format == "none" || t.State == "not_obtained" ||
		(t.Fingerprint == "" && !t.JWT && !t.HasRefreshToken) {
		tr.add("token.not_obtained", fmt.Sprintf("token source %s: no token (format %q, state %q)", tokenOrDash(t.Source), t.Format, t.State))
		return tr.hits
	}

	refreshFailed := tr.refreshError()
	if !refreshFailed {
		tr.refreshLifetime(now)
	}

	if !t.JWT {
		// No claims to read; the expiry may still come from the token
		// file or the token response (expires_in).
		if t.Fingerprint != "" {
			tr.add("token.opaque", fmt.Sprintf("access token %s is not a JWT (format %s)", t.Fingerprint, tokenOrDash(t.Format)))
		}
		tr.lifetime(now)
		return tr.hits
	}
	if !t.SignatureChecked {
		tr.add("token.signature_unverified", "claims read from "+tokenOrDash(t.Fingerprint)+" without checking its signature")
	}
	tr.lifetime(now)
	tr.audience()
	tr.permissions(r, p)
	tr.identity(r, p)
	return tr.hits
}

// tokenRun collects the hits of one token check.
type tokenRun struct {
	t      *report.TokenInfo
	params map[string]string
	hits   []Hit
}

// add appends a hit with a copy of the shared params.
func (tr *tokenRun) add(id string, evidence ...string) *Hit {
	params := make(map[string]string, len(tr.params))
	for k, v := range tr.params {
		params[k] = v
	}
	tr.hits = append(tr.hits, Hit{ID: id, Evidence: evidence, Params: params})
	return &tr.hits[len(tr.hits)-1]
}

// baseParams are the placeholder values every token finding may use.
func baseParams(r *report.Report, p *profile.Profile, t *report.TokenInfo) map[string]string {
	m := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("user", tokenAuthUser(r, p))
	set("audience", t.Audience)
	list := t.Scopes
	if t.AppOnly {
		list = t.Roles
	}
	if len(list) > 0 {
		m["scopes"] = strings.Join(list, " ")
	} else {
		m["scopes"] = "—"
	}
	set("token_user", t.User)
	set("tenant", t.Tenant)
	if p != nil {
		set("expected_tenant", p.OAuth.Tenant)
	}
	set("mode", t.FileMode)
	return m
}

// tokenUsesOAuth reports whether the device signs in with OAuth 2.0.
func tokenUsesOAuth(r *report.Report, p *profile.Profile) bool {
	if p != nil && strings.EqualFold(string(p.Email.AuthMethod), "oauth2") {
		return true
	}
	return strings.EqualFold(string(r.Target.AuthMethod), "oauth2")
}

// tokenAuthUser is the address the device authenticates as (XOAUTH2 user=).
func tokenAuthUser(r *report.Report, p *profile.Profile) string {
	var cands []string
	if p != nil {
		cands = append(cands, p.SMTP.User)
	}
	cands = append(cands, r.Target.User)
	if r.Auth != nil {
		cands = append(cands, r.Auth.User)
	}
	if p != nil {
		cands = append(cands, p.Email.Sender)
	}
	cands = append(cands, r.Target.Sender)
	for _, c := range cands {
		if c = strings.TrimSpace(c); c != "" {
			return c
		}
	}
	return ""
}

// fileMode flags a token file that group or others can read.
func (tr *tokenRun) fileMode() {
	if tr.t.FileMode == "" {
		return
	}
	perm, ok := parseMode(tr.t.FileMode)
	if ok && perm&0o077 != 0 {
		tr.add("token.file_mode", fmt.Sprintf("token file %s has mode %s", tokenOrDash(tr.t.Source), tr.t.FileMode))
	}
}

// parseMode reads "0644", "644", "0o644" or "-rw-r--r--".
func parseMode(s string) (uint32, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 10 && strings.Trim(s[1:], "rwxsStT-") == "" {
		var perm uint32
		for i, c := range s[1:] {
			if c != '-' && c != 'S' && c != 'T' {
				perm |= 1 << (8 - i)
			}
		}
		return perm, true
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return 0, false
	}
	return uint32(v) & 0o777, true
}

// refreshError turns a rejected refresh into a hit on the entra entry for
// its AADSTS number, or on token.refresh_failed. It reports whether there
// was a refresh error.
func (tr *tokenRun) refreshError() bool {
	t := tr.t
	if t.RefreshError == "" && t.RefreshErrorCode == "" && t.RefreshErrorAADSTS == "" {
		return false
	}
	if t.RefreshNoAnswer {
		// No answer came back: this computer or its network could not
		// reach the token endpoint, which is not Entra refusing.
		tr.add(idTokenEndpointUnreachable, "token endpoint: "+tokenFirstLine(t.RefreshError))
		return true
	}
	n := aadstsNumber(t.RefreshErrorAADSTS)
	if n == "" {
		n = aadstsNumber(t.RefreshErrorDescription)
	}
	if n == "" {
		n = aadstsNumber(t.RefreshError)
	}
	ev := "refresh rejected by Entra:"
	for _, s := range []string{t.RefreshErrorCode, tokenFirstLine(t.RefreshErrorDescription)} {
		if s != "" {
			ev += " " + s
		}
	}
	if t.RefreshErrorDescription == "" && t.RefreshError != "" {
		ev += " " + tokenFirstLine(t.RefreshError)
	}
	if n != "" && !strings.Contains(ev, "AADSTS"+n) {
		ev += " (AADSTS" + n + ")"
	}

	var alts []string
	if code := oauthErrorCode(t.RefreshErrorCode); code != "" && cat().byID["oauth."+code] != nil {
		alts = append(alts, "oauth."+code)
	}
	if n != "" {
		tr.params["aadsts"] = "AADSTS" + n
		tr.params["code"] = n
		if id, ok := entraEntryID(n); ok {
			h := tr.add(id, ev)
			h.Alternatives = append([]string{"token.refresh_failed"}, alts...)
			return true
		}
	} else {
		tr.params["aadsts"] = tokenOrDash(t.RefreshErrorCode)
	}
	h := tr.add("token.refresh_failed", ev)
	h.Alternatives = alts
	return true
}

// idTokenEndpointUnreachable is the refresh that got no answer at all.
const idTokenEndpointUnreachable = "local.token_endpoint_unreachable"

// entraEntryID finds the catalogue entry that explains an AADSTS number
// (catalogue/entra.yaml, match.aadsts), so numbers that share an entry
// (50132 and 50133) land on it too.
func entraEntryID(n string) (string, bool) {
	num, err := strconv.Atoi(n)
	if err != nil {
		return "", false
	}
	m, ok := MatchQuery(Query{Protocol: "entra", AADSTS: num})
	if !ok || m.Generic {
		return "", false
	}
	return m.ID, true
}

// aadstsNumber finds the AADSTS number in "AADSTS700082", "700082" or an
// error description.
func aadstsNumber(s string) string {
	s = strings.TrimSpace(s)
	if tokenDigitsRe.MatchString(s) {
		return strings.TrimLeft(s, "0")
	}
	if m := tokenAADSTSRe.FindStringSubmatch(s); m != nil {
		return strings.TrimLeft(m[1], "0")
	}
	return ""
}

// oauthErrorCode keeps an OAuth error string that can be an entry id part.
func oauthErrorCode(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 40 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return ""
	}
	return s
}

// refreshLifetime applies the 90-day idle rule to the refresh token.
func (tr *tokenRun) refreshLifetime(now time.Time) {
	t := tr.t
	var days int
	switch {
	case !t.RefreshExpiresAt.IsZero():
		days = int(math.Floor(t.RefreshExpiresAt.Sub(now).Hours() / 24))
	case t.HasRefreshDaysLeft:
		days = t.RefreshDaysLeft
	default:
		return
	}
	ev := fmt.Sprintf("refresh token %s: %d days left", tokenOrDash(t.RefreshFingerprint), days)
	if !t.RefreshExpiresAt.IsZero() {
		ev += ", idle limit " + t.RefreshExpiresAt.UTC().Format(time.RFC3339)
	}
	if !t.LastUsed.IsZero() {
		ev += ", last used " + t.LastUsed.UTC().Format(time.RFC3339)
	}
	switch {
	case days <= 0:
		tr.params["days"] = strconv.Itoa(-days)
		tr.add("token.refresh_dead", ev)
	case days <= refreshWarnDays:
		tr.params["days"] = strconv.Itoa(days)
		tr.add("token.refresh_dying", ev)
	}
	delete(tr.params, "days")
}

// lifetime checks exp against now.
func (tr *tokenRun) lifetime(now time.Time) {
	t := tr.t
	if t.ExpiresAt.IsZero() {
		return
	}
	left := t.ExpiresAt.Sub(now)
	exp := "exp " + t.ExpiresAt.UTC().Format(time.RFC3339)
	switch {
	case left <= 0:
		tr.params["minutes"] = strconv.Itoa(int(-left / time.Minute))
		tr.add("token.expired", exp, "checked at "+now.UTC().Format(time.RFC3339))
	case left < expiringSoon:
		tr.params["minutes"] = strconv.Itoa(int((left + time.Minute - 1) / time.Minute))
		tr.add("token.expiring", exp, "checked at "+now.UTC().Format(time.RFC3339))
	}
	delete(tr.params, "minutes")
}

// audience checks aud against the Outlook resource.
func (tr *tokenRun) audience() {
	aud := strings.TrimSpace(tr.t.Audience)
	if aud == "" {
		tr.params["audience"] = "—"
		tr.add("token.audience", "aud claim missing")
		return
	}
	if token.IsOutlookAudience([]string{aud}) {
		return
	}
	tr.add("token.audience", "aud "+aud)
}

// permissions checks scp (delegated) or roles (app-only) for SMTP and, when
// the device also uses POP3, for POP.
func (tr *tokenRun) permissions(r *report.Report, p *profile.Profile) {
	t := tr.t
	pop := r.POP3 != nil || (p != nil && p.POP3 != nil)
	if t.AppOnly {
		roles := "roles " + tokenOrDash(strings.Join(t.Roles, " "))
		if !token.HasPermission(t.Roles, token.RoleSMTPSendApp) {
			tr.add("token.app_only_no_role", roles)
		}
		if pop && !token.HasPermission(t.Roles, token.RolePOPApp) {
			tr.add("token.pop_scope_missing", roles)
		}
		return
	}
	scp := "scp " + tokenOrDash(strings.Join(t.Scopes, " "))
	if !token.HasPermission(t.Scopes, token.PermSMTPSend) {
		tr.add("token.scope_missing", scp)
	}
	if pop && !token.HasPermission(t.Scopes, token.PermPOPUser) {
		tr.add("token.pop_scope_missing", scp)
	}
}

// identity compares the token's user and tenant with the device's.
func (tr *tokenRun) identity(r *report.Report, p *profile.Profile) {
	t := tr.t
	if !t.AppOnly && t.User != "" {
		if want := tokenAuthUser(r, p); want != "" && !sameAddress(t.User, want) {
			tr.add("token.user_mismatch", "token user "+t.User, "authentication address "+want)
		}
	}
	if p != nil {
		want := strings.TrimSpace(p.OAuth.Tenant)
		got := strings.TrimSpace(t.Tenant)
		if tokenGUIDRe.MatchString(want) && tokenGUIDRe.MatchString(got) && !strings.EqualFold(want, got) {
			tr.add("token.tenant_mismatch", "token tid "+got, "profile oauth.tenant "+want)
		}
	}
}

// sameAddress compares two sign-in names, ignoring case and the "live.com#"
// prefix Entra puts on guest accounts' unique_name.
func sameAddress(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		if i := strings.LastIndex(s, "#"); i >= 0 {
			s = s[i+1:]
		}
		return s
	}
	return norm(a) == norm(b)
}

func tokenFirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

func tokenOrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
