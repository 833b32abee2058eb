package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// DefaultAuthority is Entra ID's global sign-in host.
const DefaultAuthority = "https://login.microsoftonline.com"

// Scopes of Exchange Online's delegated permissions, and offline_access for
// a refresh token.
const (
	ScopeSMTPSend      = OutlookResource + "/" + PermSMTPSend
	ScopePOP           = OutlookResource + "/" + PermPOPUser
	ScopeOfflineAccess = "offline_access"
)

// RequestTimeout bounds one HTTP request to Entra ID. Sign-in answers take
// well under a second; 30 s covers a slow proxy without hanging a run.
const RequestTimeout = 30 * time.Second

// maxBody bounds what is read of an Entra answer.
const maxBody = 1 << 20

// DefaultScopes are the scopes a device asks for: SMTP.Send, POP (when the
// device reads mail) and offline_access.
func DefaultScopes(pop bool) []string {
	s := []string{ScopeSMTPSend}
	if pop {
		s = append(s, ScopePOP)
	}
	return append(s, ScopeOfflineAccess)
}

// Endpoint is the Entra ID tenant and app a token comes from.
type Endpoint struct {
	// Authority is https://login.microsoftonline.com unless overridden
	// (national clouds, tests).
	Authority string
	// Tenant is a GUID, a domain, "organizations" or "consumers".
	Tenant   string
	ClientID string
	Scopes   []string
	// HTTPClient makes the requests (default: one with RequestTimeout).
	HTTPClient *http.Client
	// Wait sleeps between device-code polls; nil waits on a timer. Tests
	// pass one that records the interval and returns at once.
	Wait func(ctx context.Context, d time.Duration) error
	// OnPoll, when set, is told each polling answer that means "keep
	// waiting" (authorization_pending, slow_down), for a progress display.
	OnPoll func(code string)
}

func (e Endpoint) base() string {
	a := strings.TrimRight(e.Authority, "/")
	if a == "" {
		a = DefaultAuthority
	}
	t := e.Tenant
	if t == "" {
		t = "organizations"
	}
	return a + "/" + url.PathEscape(t) + "/oauth2/v2.0"
}

// Config is the golang.org/x/oauth2 configuration of the endpoint: a public
// client (no secret) whose client_id travels in the form body.
func (e Endpoint) Config() *oauth2.Config {
	b := e.base()
	return &oauth2.Config{
		ClientID: e.ClientID,
		Scopes:   e.Scopes,
		Endpoint: oauth2.Endpoint{
			DeviceAuthURL: b + "/devicecode",
			TokenURL:      b + "/token",
			AuthURL:       b + "/authorize",
			AuthStyle:     oauth2.AuthStyleInParams,
		},
	}
}

func (e Endpoint) client() *http.Client {
	if e.HTTPClient != nil {
		return e.HTTPClient
	}
	return &http.Client{Timeout: RequestTimeout}
}

// EntraError is an error answer from Entra ID's token or device-code
// endpoint (RFC 6749 section 5.2 plus Microsoft's fields).
type EntraError struct {
	// Code is the OAuth "error": invalid_grant, authorization_pending …
	Code string
	// Description is "error_description" without the Trace ID /
	// Correlation ID / Timestamp lines, e.g. "AADSTS700082: The refresh
	// token has expired due to inactivity. …".
	Description string
	// AADSTS are the numbers from "error_codes", or from the
	// "AADSTSnnnnn:" prefix of the description.
	AADSTS        []int
	TraceID       string
	CorrelationID string
	Timestamp     string
	// HTTPStatus is the answer's status code.
	HTTPStatus int
}

func (e *EntraError) Error() string {
	var b strings.Builder
	b.WriteString("entra id: ")
	b.WriteString(e.Code)
	if c := e.AADSTSCode(); c != "" && !strings.HasPrefix(e.Description, c) {
		b.WriteString(" " + c)
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	return b.String()
}

// AADSTSCode is the first AADSTS number as "AADSTS700082", or "".
func (e *EntraError) AADSTSCode() string {
	if len(e.AADSTS) == 0 {
		return ""
	}
	return "AADSTS" + strconv.Itoa(e.AADSTS[0])
}

// Has reports whether the error carries AADSTS number n.
func (e *EntraError) Has(n int) bool {
	for _, c := range e.AADSTS {
		if c == n {
			return true
		}
	}
	return false
}

// RecordRefreshError writes a refresh failure into the token data.
func RecordRefreshError(info *report.TokenInfo, err error) {
	if info == nil || err == nil {
		return
	}
	info.RefreshError = err.Error()
	var ee *EntraError
	if errors.As(err, &ee) {
		info.RefreshErrorCode = ee.Code
		info.RefreshErrorAADSTS = ee.AADSTSCode()
		info.RefreshErrorDescription = ee.Description
		return
	}
	info.RefreshNoAnswer = noAnswer(err)
}

// noAnswer reports whether a refresh failed before any HTTP answer came
// back: the connection was refused or reset, the name did not resolve, or
// the request ran out of time. An answer that was not Entra's (a proxy's
// HTML page) is an answer and does not count.
func noAnswer(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ue *url.Error
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &oe) || errors.As(err, &de)
}

var (
	aadstsPrefix = regexp.MustCompile(`^\s*AADSTS(\d{1,9})\b`)
	// Entra appends these lines to error_description.
	traceTail = regexp.MustCompile(`(?s)[\r\n\s]*Trace ID:.*$`)
)

// maxDescription bounds the description kept from an answer.
const maxDescription = 2000

// ParseEntraError reads an Entra ID error body. ok is false when body is
// not a JSON object with an "error" field.
func ParseEntraError(body []byte) (e *EntraError, ok bool) {
	if len(body) > maxBody {
		return nil, false
	}
	var raw struct {
		Error         string `json:"error"`
		Description   string `json:"error_description"`
		Codes         []any  `json:"error_codes"`
		TraceID       string `json:"trace_id"`
		CorrelationID string `json:"correlation_id"`
		Timestamp     string `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || raw.Error == "" {
		return nil, false
	}
	e = &EntraError{
		Code:          redact.SafePrefix(raw.Error, 100),
		TraceID:       redact.SafePrefix(raw.TraceID, 100),
		CorrelationID: redact.SafePrefix(raw.CorrelationID, 100),
		Timestamp:     redact.SafePrefix(raw.Timestamp, 100),
	}
	desc := traceTail.ReplaceAllString(raw.Description, "")
	desc = strings.Join(strings.Fields(desc), " ")
	e.Description = redact.SafePrefix(desc, maxDescription)
	for _, c := range raw.Codes {
		if f, ok := c.(float64); ok && f > 0 && f < 1e9 && f == float64(int(f)) {
			e.AADSTS = append(e.AADSTS, int(f))
		}
		if len(e.AADSTS) >= 10 {
			break
		}
	}
	if m := aadstsPrefix.FindStringSubmatch(raw.Description); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && !e.Has(n) {
			e.AADSTS = append([]int{n}, e.AADSTS...)
		}
	}
	return e, true
}

// answerError turns a non-success HTTP answer into an error: *EntraError
// when the body is Entra's JSON, else one naming the status and step.
func answerError(step string, status int, body []byte) error {
	if e, ok := ParseEntraError(body); ok {
		e.HTTPStatus = status
		return e
	}
	return fmt.Errorf("%s: Entra ID answered HTTP %d without an OAuth error", step, status)
}

// ErrNoRefreshToken is returned by Refresh for a set without one.
var ErrNoRefreshToken = errors.New("no refresh token to refresh with")

// Refresh exchanges s's refresh token for a new access token (grant
// refresh_token). Entra replaces the refresh token on every use, so the new
// set carries the rotated one (the old one when none came back) and
// LastUsed = now. When s came from a file, the new set is saved over it
// (atomically, 0600) before Refresh returns; a failed save is returned with
// the new set. Errors are *EntraError when Entra answered.
//
// The request names its scopes (refreshScopes): Microsoft's v2.0 token
// endpoint documents scope as required on a refresh, and without it the
// new token need not be for Exchange Online. golang.org/x/oauth2's token
// source sends no scope on a refresh (golang/oauth2#540), so the form is
// posted here, the same way as the device-code grant's.
func Refresh(ctx context.Context, e Endpoint, s *Set, now time.Time) (*Set, error) {
	if s == nil || s.Refresh == "" {
		return nil, ErrNoRefreshToken
	}
	tokenURL := e.Config().Endpoint.TokenURL
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {e.ClientID},
		"refresh_token": {s.Refresh},
		"scope":         {strings.Join(refreshScopes(e, s), " ")},
	}
	status, body, err := post(ctx, e.client(), tokenURL, form)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("refresh at %s: %w", tokenURL, ctx.Err())
		}
		return nil, fmt.Errorf("refresh at %s: %w", tokenURL, scrub(err))
	}
	if status != http.StatusOK {
		return nil, answerError("refresh", status, body)
	}
	tok, err := parseTokenAnswer(body, now)
	if err != nil {
		// Nothing is kept from a malformed answer: the old file stays.
		return nil, fmt.Errorf("refresh at %s: %w", tokenURL, err)
	}
	ns := tok
	ns.Source, ns.Mode, ns.fromFile = s.Source, 0o600, s.fromFile
	if ns.Refresh == "" {
		ns.Refresh = s.Refresh
	}
	if s.fromFile {
		if err := Save(s.Source, ns); err != nil {
			return ns, err
		}
	}
	return ns, nil
}

// scrub removes anything after a newline from a transport error, which
// may carry part of an answer's body.
func scrub(err error) error {
	msg := err.Error()
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		return errors.New(msg[:i])
	}
	return err
}

// DeviceCode is what the user needs to finish a device-code sign-in. The
// device_code itself stays inside DeviceLogin.
type DeviceCode struct {
	UserCode        string
	VerificationURI string
	// Message is Entra's own instruction text.
	Message   string
	ExpiresIn time.Duration
	Interval  time.Duration
}

// Device-code polling answers (RFC 8628 section 3.5, Microsoft's list).
const (
	ErrAuthorizationPending = "authorization_pending"
	ErrSlowDown             = "slow_down"
	ErrExpiredToken         = "expired_token"
	ErrDeclined             = "authorization_declined"
	ErrBadVerificationCode  = "bad_verification_code"
)

// ErrCodeExpired is returned when the user code ran out before the user
// finished signing in (counted locally; Entra says expired_token).
var ErrCodeExpired = errors.New("the sign-in code expired before the sign-in was finished")

// slowDownStep is RFC 8628's "increase the interval by 5 seconds".
const slowDownStep = 5 * time.Second

// DeviceLogin runs the device authorization grant: it asks Entra for a
// code, hands it to show, then polls the token endpoint at the interval
// Entra asked for until the user signs in, declines, the code expires or
// ctx ends. The result has LastUsed = now. Errors are *EntraError when Entra
// answered with one (expired_token, authorization_declined,
// bad_verification_code, AADSTS7000218, AADSTS65001 …).
func DeviceLogin(ctx context.Context, e Endpoint, show func(DeviceCode), now func() time.Time) (*Set, error) {
	if now == nil {
		now = time.Now
	}
	if e.ClientID == "" {
		return nil, errors.New("device sign-in: no client ID (the app registration's Application ID)")
	}
	cfg := e.Config()
	form := url.Values{"client_id": {e.ClientID}, "scope": {strings.Join(e.Scopes, " ")}}
	status, body, err := post(ctx, e.client(), cfg.Endpoint.DeviceAuthURL, form)
	if err != nil {
		return nil, fmt.Errorf("device sign-in: ask for a code at %s: %w", cfg.Endpoint.DeviceAuthURL, err)
	}
	if status != http.StatusOK {
		return nil, answerError("device sign-in: ask for a code", status, body)
	}
	var dc struct {
		DeviceCode      string `json:"device_code"`
		UserCode        string `json:"user_code"`
		VerificationURI string `json:"verification_uri"`
		VerificationURL string `json:"verification_url"`
		ExpiresIn       any    `json:"expires_in"`
		Interval        any    `json:"interval"`
		Message         string `json:"message"`
	}
	if err := json.Unmarshal(body, &dc); err != nil || dc.DeviceCode == "" || dc.UserCode == "" {
		return nil, errors.New("device sign-in: Entra ID's code answer has no device_code or user_code")
	}
	if dc.VerificationURI == "" {
		dc.VerificationURI = dc.VerificationURL
	}
	expiresIn := seconds(dc.ExpiresIn, 900)
	interval := seconds(dc.Interval, 5)
	start := now()
	deadline := start.Add(expiresIn)
	if show != nil {
		show(DeviceCode{
			UserCode:        redact.SafePrefix(dc.UserCode, 64),
			VerificationURI: redact.SafePrefix(dc.VerificationURI, 300),
			Message:         redact.SafePrefix(dc.Message, 1000),
			ExpiresIn:       expiresIn,
			Interval:        interval,
		})
	}
	wait := e.Wait
	if wait == nil {
		wait = sleep
	}
	poll := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"client_id":   {e.ClientID},
		"device_code": {dc.DeviceCode},
	}
	for {
		if err := wait(ctx, interval); err != nil {
			return nil, fmt.Errorf("device sign-in: %w", err)
		}
		if !now().Before(deadline) {
			return nil, ErrCodeExpired
		}
		status, body, err := post(ctx, e.client(), cfg.Endpoint.TokenURL, poll)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("device sign-in: %w", ctx.Err())
			}
			return nil, fmt.Errorf("device sign-in: poll %s: %w", cfg.Endpoint.TokenURL, err)
		}
		if status == http.StatusOK {
			s, err := parseTokenAnswer(body, now())
			if err != nil {
				return nil, fmt.Errorf("device sign-in: %w", err)
			}
			return s, nil
		}
		err = answerError("device sign-in", status, body)
		var ee *EntraError
		if !errors.As(err, &ee) {
			return nil, err
		}
		switch ee.Code {
		case ErrAuthorizationPending:
		case ErrSlowDown:
			interval += slowDownStep
		default:
			return nil, ee
		}
		if e.OnPoll != nil {
			e.OnPoll(ee.Code)
		}
	}
}

// seconds reads a JSON number or numeric string of seconds, with a default
// for missing or silly values.
func seconds(v any, def int) time.Duration {
	n := def
	switch t := v.(type) {
	case float64:
		n = int(t)
	case string:
		if x, err := strconv.Atoi(t); err == nil {
			n = x
		}
	}
	if n <= 0 || n > 24*3600 {
		n = def
	}
	return time.Duration(n) * time.Second
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// post sends one form to Entra within RequestTimeout and returns the status
// and (bounded) body.
func post(ctx context.Context, hc *http.Client, u string, form url.Values) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, err
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); resp.StatusCode == http.StatusOK && ct != "" && ct != "application/json" {
		return 0, nil, fmt.Errorf("answer is %s, not JSON (a proxy or captive portal?)", ct)
	}
	return resp.StatusCode, body, nil
}

// parseTokenAnswer reads a successful token-endpoint answer.
func parseTokenAnswer(body []byte, now time.Time) (*Set, error) {
	var t struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
		ExpiresIn    any    `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" {
		return nil, errors.New("the token answer from Entra ID has no access_token")
	}
	s := &Set{
		Access: t.AccessToken, Refresh: t.RefreshToken, Scope: t.Scope,
		Format: FormatOAuth2JSON, LastUsed: now.UTC(), modTime: now,
	}
	if err := Validate(s); err != nil {
		return nil, fmt.Errorf("the token answer from Entra ID: %w", err)
	}
	if d := seconds(t.ExpiresIn, 0); d > 0 {
		s.Expiry = now.Add(d).UTC()
	}
	if looksLikeJWT(s.Access) {
		if c, err := DecodeClaims(s.Access); err == nil && c.Exp > 0 {
			s.Expiry = unixTime(c.Exp)
		}
	}
	return s, nil
}

// oidcScopes are the OpenID Connect scopes, which name no resource.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "email": true, ScopeOfflineAccess: true}

// refreshScopes are the scopes a refresh asks for: the endpoint's, else
// the ones the token file records as granted, else SMTP.Send; always with
// offline_access, so a new refresh token comes back.
func refreshScopes(e Endpoint, s *Set) []string {
	scopes := e.Scopes
	if len(scopes) == 0 {
		// A file may record Exchange's permissions by their short names
		// (SMTP.Send); sent bare, Entra would read them as Graph's.
		for _, sc := range strings.Fields(s.Scope) {
			if !strings.Contains(sc, "/") && !oidcScopes[sc] {
				sc = OutlookResource + "/" + sc
			}
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		scopes = []string{ScopeSMTPSend}
	}
	for _, sc := range scopes {
		if sc == ScopeOfflineAccess {
			return scopes
		}
	}
	return append(scopes[:len(scopes):len(scopes)], ScopeOfflineAccess)
}
