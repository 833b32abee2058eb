// Package tenant reads what Microsoft 365 decides for a scan mailbox, with
// an administrator's tokens: the organisation's and the mailbox's SMTP AUTH
// setting, the authentication policy, RejectDirectSend (Exchange Online's
// admin endpoint), security defaults, Conditional Access, the mailbox's
// recent sign-ins and the email app usage report (Microsoft Graph).
//
// Everything is read-only. Exchange's settings come through the endpoint
// Exchange Online PowerShell itself uses (adminapi/beta/{tenant}/
// InvokeCommand), which Microsoft does not document and may change: every
// read through it is marked unofficial, only the Get- cmdlets of an
// allow-list are ever sent, and any error or unexpected answer becomes
// "could not read", never a value. Each read that fails says which role or
// licence was missing, so the administrator knows what to ask for.
//
// The reader records facts into a report.TenantInfo; the diagnosis decides
// what they mean.
package tenant

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Microsoft's public clients, present in every tenant, so nothing has to be
// registered before an administrator signs in (device-code flow).
const (
	// ExchangeClientID is Exchange Online PowerShell's client ("Microsoft
	// Exchange REST API Based Powershell").
	ExchangeClientID = "fb78d390-0c51-40cd-8e17-fdbfab77341b"
	// ExchangeScope is the admin endpoint's scope.
	ExchangeScope = "https://outlook.office365.com/.default"
	// GraphClientID is Microsoft Graph Command Line Tools.
	GraphClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
)

// GraphScopes are the delegated Graph permissions the reads need:
// Policy.Read.All (security defaults, Conditional Access),
// AuditLog.Read.All + Directory.Read.All (sign-ins; both, a known issue),
// Reports.Read.All (email app usage).
var GraphScopes = []string{
	"https://graph.microsoft.com/Policy.Read.All",
	"https://graph.microsoft.com/AuditLog.Read.All",
	"https://graph.microsoft.com/Directory.Read.All",
	"https://graph.microsoft.com/Reports.Read.All",
	"offline_access",
}

// Default endpoints.
const (
	DefaultExchange = "https://outlook.office365.com"
	DefaultGraph    = "https://graph.microsoft.com"
)

// Limits on what one read takes from a server.
const (
	// MaxBody bounds one answer (a tenant's CA policies are a few hundred
	// KB at most).
	MaxBody = 4 << 20
	// MaxPages bounds @odata.nextLink paging.
	MaxPages = 10
	// DefaultTimeout bounds all reads together.
	DefaultTimeout = 30 * time.Second
)

// Read statuses.
const (
	StatusOK          = "ok"
	StatusForbidden   = "forbidden"
	StatusUnlicensed  = "unlicensed"
	StatusUnavailable = "unavailable"
)

// allowedCmdlets are the only cmdlets ever sent to the admin endpoint:
// Get- cmdlets that change nothing.
var allowedCmdlets = map[string]bool{
	"Get-TransportConfig":      true,
	"Get-CASMailbox":           true,
	"Get-OrganizationConfig":   true,
	"Get-User":                 true,
	"Get-AuthenticationPolicy": true,
}

// Config says whom to ask and with which tokens. A token that is empty
// skips its side's reads (recorded as unavailable).
type Config struct {
	Tenant string
	User   string
	// ExchangeToken is an access token for https://outlook.office365.com;
	// GraphToken one for https://graph.microsoft.com. Neither ever
	// appears in the result.
	ExchangeToken string
	GraphToken    string
	// Exchange and Graph override the endpoints (tests, national clouds).
	Exchange string
	Graph    string
	// HTTPClient makes the requests (default: one with a transport whose
	// dial and TLS steps are bounded); every request is also bound by ctx.
	HTTPClient *http.Client
	Now        func() time.Time
	// Shared, when set, shares this read with every other device of the
	// same tenant and mailbox (batch and serve --tenant-check).
	Shared *Shared
	// Unavailable, when set, says why nothing can be read (a fleet device
	// without a tenant): Read asks nothing and records every read as
	// unavailable with this detail.
	Unavailable string
}

// Read reads everything it can and returns it; it never fails as a whole.
func Read(ctx context.Context, cfg Config) *report.TenantInfo {
	if cfg.Shared != nil {
		return cfg.Shared.Read(ctx, cfg)
	}
	if cfg.Exchange == "" {
		cfg.Exchange = DefaultExchange
	}
	if cfg.Graph == "" {
		cfg.Graph = DefaultGraph
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &reader{cfg: cfg, info: &report.TenantInfo{Tenant: cfg.Tenant, User: cfg.User,
		ConditionalAccess: []report.TenantCAPolicy{}, SignIns: []report.TenantSignIn{}, Reads: []report.TenantRead{}}}
	if cfg.Unavailable != "" {
		r.unavailable(exchangeReads, cfg.Unavailable, true)
		r.unavailable(graphReads, cfg.Unavailable, false)
		r.effective()
		return r.info
	}
	r.exchange(ctx)
	r.graph(ctx)
	r.effective()
	return r.info
}

type reader struct {
	cfg  Config
	info *report.TenantInfo
}

func (r *reader) record(what, status, detail string, unofficial bool) {
	r.info.Reads = append(r.info.Reads, report.TenantRead{What: what, Status: status, Detail: detail, Unofficial: unofficial})
}

// exchangeReads and graphReads are what each side reads, in order.
var (
	exchangeReads = []string{"Get-TransportConfig", "Get-CASMailbox", "Get-OrganizationConfig", "Get-User", "Get-AuthenticationPolicy"}
	graphReads    = []string{graphSecurityDefaults, "conditional access", "sign-ins"}
)

// unavailable records each of whats as unavailable for detail.
func (r *reader) unavailable(whats []string, detail string, unofficial bool) {
	for _, what := range whats {
		r.record(what, StatusUnavailable, detail, unofficial)
	}
}

// readError is a read that failed, already classified.
type readError struct {
	status string
	detail string
}

func (e *readError) Error() string { return e.detail }

func failed(err error) (status, detail string) {
	var re *readError
	if errors.As(err, &re) {
		return re.status, re.detail
	}
	return StatusUnavailable, err.Error()
}

// exchange reads the Exchange Online settings through InvokeCommand.
func (r *reader) exchange(ctx context.Context) {
	const role = "an Exchange administrator role (View-Only Organization Management is enough)"
	if r.cfg.ExchangeToken == "" {
		r.unavailable(exchangeReads, "no Exchange Online admin sign-in", true)
		return
	}
	ok := func(what string) { r.record(what, StatusOK, "", true) }
	fail := func(what string, err error) {
		st, d := failed(err)
		if st == StatusForbidden {
			d += "; needs " + role
		}
		r.record(what, st, d, true)
	}

	if objs, err := r.invoke(ctx, "Get-TransportConfig", nil); err != nil {
		fail("Get-TransportConfig", err)
	} else if v, err := boolField(objs, "SmtpClientAuthenticationDisabled", false); err != nil {
		fail("Get-TransportConfig", err)
	} else {
		r.info.SMTPAuth.OrgDisabled = v
		ok("Get-TransportConfig")
	}

	if objs, err := r.invoke(ctx, "Get-CASMailbox", map[string]any{"Identity": r.cfg.User}); err != nil {
		fail("Get-CASMailbox", err)
	} else if v, err := boolField(objs, "SmtpClientAuthenticationDisabled", true); err != nil {
		fail("Get-CASMailbox", err)
	} else {
		r.info.SMTPAuth.MailboxDisabled = v
		ok("Get-CASMailbox")
	}

	var orgPolicy string
	if objs, err := r.invoke(ctx, "Get-OrganizationConfig", nil); err != nil {
		fail("Get-OrganizationConfig", err)
	} else {
		if v, err := boolField(objs, "RejectDirectSend", true); err == nil {
			r.info.RejectDirectSend = v
		}
		orgPolicy, _ = stringField(objs, "DefaultAuthenticationPolicy")
		ok("Get-OrganizationConfig")
	}

	policy, source := orgPolicy, "organization"
	if objs, err := r.invoke(ctx, "Get-User", map[string]any{"Identity": r.cfg.User}); err != nil {
		fail("Get-User", err)
	} else {
		if p, _ := stringField(objs, "AuthenticationPolicy"); p != "" {
			policy, source = p, "user"
		}
		ok("Get-User")
	}
	if policy == "" {
		// No policy at all: Basic SMTP is not blocked by one.
		return
	}
	ap := &report.TenantAuthPolicy{Name: policy, Source: source}
	r.info.AuthenticationPolicy = ap
	if objs, err := r.invoke(ctx, "Get-AuthenticationPolicy", map[string]any{"Identity": policy}); err != nil {
		fail("Get-AuthenticationPolicy", err)
	} else if v, err := boolField(objs, "AllowBasicAuthSmtp", false); err != nil {
		fail("Get-AuthenticationPolicy", err)
	} else {
		ap.AllowBasicAuthSmtp = v
		ok("Get-AuthenticationPolicy")
	}
}

// invoke runs one allow-listed cmdlet and returns its objects.
func (r *reader) invoke(ctx context.Context, cmdlet string, params map[string]any) ([]map[string]any, error) {
	if !allowedCmdlets[cmdlet] {
		return nil, fmt.Errorf("cmdlet %s is not on mfpcheck's read-only allow-list", cmdlet)
	}
	if params == nil {
		params = map[string]any{}
	}
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	u := strings.TrimRight(r.cfg.Exchange, "/") + "/adminapi/beta/" + url.PathEscape(r.cfg.Tenant) + "/InvokeCommand"
	headers := map[string]string{
		"Content-Type":     "application/json",
		"X-ResponseFormat": "json",
		"X-Prefer":         "odata.maxpagesize=1000",
		"X-AnchorMailbox":  "UPN:" + r.cfg.User,
	}
	return r.pages(ctx, "POST", u, body, r.cfg.ExchangeToken, headers)
}

// pages sends one request and follows @odata.nextLink (GET, same host
// only, so the token never goes anywhere else), collecting "value".
func (r *reader) pages(ctx context.Context, method, u string, body []byte, token string, headers map[string]string) ([]map[string]any, error) {
	first, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for page := 0; page < MaxPages; page++ {
		data, err := r.do(ctx, method, u, body, token, headers)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Value    []map[string]any `json:"value"`
			NextLink string           `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(data, &doc); err != nil || doc.Value == nil {
			return nil, &readError{StatusUnavailable, "unexpected answer (not {\"value\": [...]})"}
		}
		out = append(out, doc.Value...)
		if doc.NextLink == "" {
			return out, nil
		}
		next, err := first.Parse(doc.NextLink)
		if err != nil || next.Host != first.Host || next.Scheme != first.Scheme {
			return nil, &readError{StatusUnavailable, "the answer's next page is on another host; not followed"}
		}
		u, method, body = next.String(), "GET", nil
	}
	return nil, &readError{StatusUnavailable, fmt.Sprintf("more than %d pages", MaxPages)}
}

// do makes one request and classifies the answer.
func (r *reader) do(ctx context.Context, method, u string, body []byte, token string, headers map[string]string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := r.cfg.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &readError{StatusUnavailable, "no answer within the time allowed"}
		}
		return nil, &readError{StatusUnavailable, "could not reach " + req.URL.Host + ": " + scrubURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, &readError{StatusUnavailable, "the answer broke off: " + err.Error()}
	}
	if len(data) > MaxBody {
		return nil, &readError{StatusUnavailable, fmt.Sprintf("the answer is larger than %d bytes", MaxBody)}
	}
	if resp.StatusCode/100 == 2 {
		return data, nil
	}
	return nil, classify(resp.StatusCode, data)
}

// classify turns an HTTP error answer into a read status with Graph's or
// Exchange's own message.
func classify(status int, body []byte) *readError {
	msg := errorMessage(body)
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "premium license") || strings.Contains(low, "b2c") && strings.Contains(low, "license"):
		return &readError{StatusUnlicensed, "needs Microsoft Entra ID P1 or P2: " + msg}
	case status == http.StatusUnauthorized:
		// The token itself was not taken (expired, revoked, for another
		// service): no role is missing, so this is not "forbidden".
		d := "HTTP 401: the admin sign-in was not accepted (expired, revoked or for another service); sign in again with mfpcheck tenant"
		if msg != "" {
			d += " (" + msg + ")"
		}
		return &readError{StatusUnavailable, d}
	case status == http.StatusForbidden:
		d := fmt.Sprintf("HTTP %d", status)
		if msg != "" {
			d += ": " + msg
		}
		return &readError{StatusForbidden, d}
	}
	d := fmt.Sprintf("HTTP %d", status)
	if msg != "" {
		d += ": " + msg
	}
	return &readError{StatusUnavailable, d}
}

// errorMessage is Graph's {"error":{"code","message"}} or Exchange's
// {"error":{"message"}} text, cut to one line.
func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	m := strings.TrimSpace(e.Error.Message)
	if e.Error.Code != "" {
		m = strings.TrimSpace(e.Error.Code + ": " + m)
	}
	if i := strings.IndexAny(m, "\r\n"); i >= 0 {
		m = m[:i]
	}
	if len(m) > 300 {
		m = m[:300]
	}
	return m
}

// scrubURLError drops the URL from a transport error (it may carry a
// query, never a token, but keeps lines short).
func scrubURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// boolField reads a boolean property of the first object. nullable allows
// null (the mailbox's "follows the organisation").
func boolField(objs []map[string]any, name string, nullable bool) (*bool, error) {
	if len(objs) == 0 {
		return nil, &readError{StatusUnavailable, "the answer has no object"}
	}
	v, present := objs[0][name]
	switch b := v.(type) {
	case bool:
		return &b, nil
	case nil:
		if nullable {
			_ = present // null and absent both mean "follows the organisation"
			return nil, nil
		}
	}
	return nil, &readError{StatusUnavailable, fmt.Sprintf("unexpected answer: %s is not true or false", name)}
}

func stringField(objs []map[string]any, name string) (string, bool) {
	if len(objs) == 0 {
		return "", false
	}
	s, ok := objs[0][name].(string)
	return s, ok
}

// effective works out the mailbox's effective SMTP AUTH setting.
func (r *reader) effective() {
	a := &r.info.SMTPAuth
	switch {
	case r.info.SecurityDefaults != nil && *r.info.SecurityDefaults:
		a.Effective, a.Source = "disabled", "security_defaults"
	case a.MailboxDisabled != nil:
		a.Effective, a.Source = onOff(*a.MailboxDisabled), "mailbox"
	case a.OrgDisabled != nil && r.read("Get-CASMailbox"):
		a.Effective, a.Source = onOff(*a.OrgDisabled), "organization"
	default:
		a.Effective, a.Source = "unknown", ""
	}
}

// read reports whether what was read successfully.
func (r *reader) read(what string) bool {
	for _, rd := range r.info.Reads {
		if rd.What == what {
			return rd.Status == StatusOK
		}
	}
	return false
}

func onOff(disabled bool) string {
	if disabled {
		return "disabled"
	}
	return "enabled"
}
