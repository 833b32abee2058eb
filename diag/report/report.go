// Package report owns mfpcheck's result data: the Report, its phases,
// replies (and how a reply line is decoded), TLS, token and tenant facts,
// findings, and the enums they use.
//
// The probes (package diag/probe) record what happened on the wire as plain
// data; nothing here prints or decides what a reply means. Meaning lives in
// the catalogue (package diag/diagnose), and every renderer (text, JSON,
// PDF, TUI, metrics) only reads a Report.
//
// The JSON form of Report is the documented schema "mfpcheck.report/v1"
// (see README.md). Field names and phase names are stable.
package report

import (
	"encoding/json"
	"strconv"
	"time"
)

// Schema is the value of Report.Schema.
const Schema = "mfpcheck.report/v1"

// Status is the outcome of one phase.
type Status string

// Phase outcomes. StatusRunning is only ever seen on the progress channel,
// never in a finished report.
const (
	StatusOK      Status = "ok"
	StatusWarn    Status = "warn"
	StatusFail    Status = "fail"
	StatusSkipped Status = "skipped"
	StatusRunning Status = "running"
)

// Verdict is the overall result of a report, worst finding first.
type Verdict string

// Verdicts, in increasing order of badness except VerdictError, which means the
// check could not be run at all (usage, profile or internal error).
const (
	VerdictOK      Verdict = "ok"
	VerdictWarning Verdict = "warning"
	VerdictFail    Verdict = "fail"
	VerdictError   Verdict = "error"
)

// Rank orders verdicts: ok < warning < fail < error.
func (v Verdict) Rank() int {
	switch v {
	case VerdictOK:
		return 0
	case VerdictWarning:
		return 1
	case VerdictFail:
		return 2
	case VerdictError:
		return 3
	}
	return 3
}

// Worse returns the worse of two verdicts.
func Worse(a, b Verdict) Verdict {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// Severity of a finding.
type Severity string

// Finding severities. SeverityError makes the verdict "fail", SeverityWarning
// makes it "warning", SeverityInfo leaves it alone.
const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

// PhaseName names a probe phase; the names are part of the JSON schema.
type PhaseName string

// Security is how a connection is secured: STARTTLS on a plain port,
// implicit TLS, or none. The values are part of the JSON schema and the
// profile format.
type Security string

// Security modes.
const (
	SecurityStartTLS Security = "starttls"
	SecurityTLS      Security = "tls"
	SecurityNone     Security = "none"
)

// AuthMethod is how the device signs in: OAuth 2.0 (XOAUTH2), a password
// (LOGIN/PLAIN), or not at all. The values are part of the JSON schema and
// the profile format.
type AuthMethod string

// Authentication methods.
const (
	AuthOAuth2 AuthMethod = "oauth2"
	AuthBasic  AuthMethod = "basic"
	AuthNone   AuthMethod = "none"
)

// Phase names of the SMTP probe, in the order they run.
const (
	PhaseDNS      PhaseName = "dns"
	PhaseConnect  PhaseName = "connect"
	PhaseBanner   PhaseName = "banner"
	PhaseEHLO     PhaseName = "ehlo"
	PhaseStartTLS PhaseName = "starttls"
	PhaseTLS      PhaseName = "tls"
	PhaseEHLOTLS  PhaseName = "ehlo_tls"
	PhaseAuth     PhaseName = "auth"
	PhaseMailFrom PhaseName = "mail_from"
	PhaseRcptTo   PhaseName = "rcpt_to"
	PhaseData     PhaseName = "data"
	PhaseQuit     PhaseName = "quit"
)

// Phase names of the POP3 probe (Report.POP3.Phases).
const (
	PhasePOP3DNS     PhaseName = "pop3_dns"
	PhasePOP3Connect PhaseName = "pop3_connect"
	PhasePOP3Banner  PhaseName = "pop3_banner"
	PhasePOP3STLS    PhaseName = "pop3_stls"
	PhasePOP3TLS     PhaseName = "pop3_tls"
	PhasePOP3CAPA    PhaseName = "pop3_capa"
	PhasePOP3Auth    PhaseName = "pop3_auth"
	PhasePOP3Quit    PhaseName = "pop3_quit"
)

// Duration is a time.Duration that appears in JSON as milliseconds (a number
// with up to three decimals), so reports stay readable by other tools.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes milliseconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	ms := float64(d) / float64(time.Millisecond)
	return strconv.AppendFloat(nil, ms, 'f', 3, 64), nil
}

// UnmarshalJSON reads milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	*d = Duration(ms * float64(time.Millisecond))
	return nil
}

// Report is everything one check of one device found.
type Report struct {
	Schema    string    `json:"schema"`
	Tool      Tool      `json:"tool"`
	Generated time.Time `json:"generated"`
	// Host is the name of the machine the check ran on.
	Host string `json:"host,omitempty"`
	// Lang is the language the findings' texts are in (en, de, fr).
	Lang string `json:"lang"`

	Device  *Device `json:"device,omitempty"`
	Target  Target  `json:"target"`
	Options Options `json:"options"`

	Phases []Phase   `json:"phases"`
	DNS    *DNSInfo  `json:"dns,omitempty"`
	TLS    *TLSInfo  `json:"tls,omitempty"`
	Auth   *AuthInfo `json:"auth,omitempty"`

	POP3    *POP3Report  `json:"pop3,omitempty"`
	Token   *TokenInfo   `json:"token,omitempty"`
	Network *NetworkInfo `json:"network,omitempty"`
	// Tenant is what the tenant decides (read with an admin's sign-in),
	// when the check was asked to read it (--tenant-check).
	Tenant *TenantInfo `json:"tenant,omitempty"`
	// DeviceIdentity is what the device said about itself when the
	// profile gives its address (nil when it was not asked).
	DeviceIdentity *DeviceIdentity `json:"device_identity,omitempty"`

	// Transcript is every line sent and received, secrets replaced at the
	// source.
	Transcript []TranscriptLine `json:"transcript"`

	Findings []Finding `json:"findings"`
	Verdict  Verdict   `json:"verdict"`
	Duration Duration  `json:"duration_ms"`
	// Interrupted is set when the user stopped the check before it finished.
	Interrupted bool `json:"interrupted,omitempty"`
	// Error is set when the check could not run (verdict "error").
	Error string `json:"error,omitempty"`
	// ErrorID is the catalogue entry that explains Error, when there is one
	// (input.token_file_missing, input.no_password …).
	ErrorID string `json:"error_id,omitempty"`
}

// Tool identifies the program that made the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Device is the device as its own web page describes it (from the profile).
type Device struct {
	Name     string `json:"name,omitempty"`
	Vendor   string `json:"vendor,omitempty"`
	Model    string `json:"model,omitempty"`
	Address  string `json:"address,omitempty"`
	Firmware string `json:"firmware,omitempty"`
	// Network is "standard" or "additional" (Epson's second network).
	Network string `json:"network,omitempty"`

	AuthMethod   AuthMethod `json:"auth_method,omitempty"`
	EmailService string     `json:"email_service,omitempty"` // exchange-online | outlook.com | other
	Sender       string     `json:"sender,omitempty"`
	Admin        string     `json:"admin,omitempty"`
	// AutoSender is Ricoh's "Auto Specify Sender Name": the device uses the
	// administrator address as sender by itself.
	AutoSender bool `json:"auto_sender,omitempty"`
	// OAuth2Supported is false when the firmware cannot do OAuth 2.0.
	OAuth2Supported *bool `json:"oauth2_supported,omitempty"`
	// ProfileFile is the profile the device came from.
	ProfileFile string `json:"profile_file,omitempty"`
}

// Target is the SMTP endpoint as configured.
type Target struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// Security is starttls, tls or none.
	Security   Security   `json:"security"`
	VerifyCert bool       `json:"verify_cert"`
	User       string     `json:"user,omitempty"`
	Sender     string     `json:"sender,omitempty"`
	AuthMethod AuthMethod `json:"auth_method"`
	// Mechanism is the SASL mechanism the probe used or meant to use.
	Mechanism string `json:"mechanism,omitempty"`
	// ConnectTo is the HOST:PORT really dialled when it is not Host:Port
	// (--connect-to); Proxy the proxy the connection went through (no
	// password). Host, Port and the certificate check stay the device's.
	ConnectTo string `json:"connect_to,omitempty"`
	Proxy     string `json:"proxy,omitempty"`
}

// Options records how the probe was run, so the report says what was skipped
// on purpose (certificate checks off, no mail sent).
type Options struct {
	AsDevice     bool     `json:"as_device"`
	Greeting     string   `json:"greeting"`             // ehlo | helo
	MaxTLS       string   `json:"max_tls,omitempty"`    // "1.0" … "1.3"
	Mechanisms   []string `json:"mechanisms,omitempty"` // the device's
	InsecureTLS  bool     `json:"insecure_tls"`
	CAFile       string   `json:"ca_file,omitempty"`
	SendTo       string   `json:"send_to,omitempty"`
	Envelope     bool     `json:"envelope"`
	Timeout      Duration `json:"timeout_ms"`
	PhaseTimeout Duration `json:"phase_timeout_ms"`
}

// Phase is one step of a probe.
type Phase struct {
	Name     PhaseName `json:"name"`
	Status   Status    `json:"status"`
	Started  Duration  `json:"started_ms"` // offset from the probe's start
	Duration Duration  `json:"duration_ms"`
	// Reply is the server's reply to this step, if one came.
	Reply *Reply `json:"reply,omitempty"`
	// Error is a local failure (timeout, refused, TLS alert), if any.
	Error string `json:"error,omitempty"`
	// ErrorKind classifies Error for the diagnosis: timeout, refused,
	// unreachable, reset, closed, dns, tls_handshake, tls_version, cert_expired,
	// cert_not_yet_valid, cert_host, cert_untrusted, protocol, not_offered,
	// no_credentials, internal.
	ErrorKind ErrorKind `json:"error_kind,omitempty"`
	// Note says why a phase was skipped or adds what a technician should know.
	Note string `json:"note,omitempty"`
	// Capabilities is the EHLO / CAPA list, for the phases that read one.
	Capabilities []string `json:"capabilities,omitempty"`
	// Challenge is a decoded XOAUTH2 334 challenge (JSON from the server).
	Challenge string `json:"challenge,omitempty"`
}

// Reply is one SMTP (or POP3) reply, split into its parts.
type Reply struct {
	Code     int    `json:"code"`               // 250, 535 …; 0 for POP3
	Enhanced string `json:"enhanced,omitempty"` // "5.7.139"
	// Text is the reply text without code, enhanced code and trailer; the
	// lines of a multi-line reply are joined with "\n".
	Text    string   `json:"text"`
	Trailer *Trailer `json:"trailer,omitempty"`
	// POP3 status: "+OK" or "-ERR" (empty for SMTP).
	POP3 string `json:"pop3,omitempty"`
}

// Trailer is Exchange Online's "[host timestamp session]" tag. Microsoft
// support asks for it, so it is kept as evidence.
type Trailer struct {
	Host    string `json:"host,omitempty"`
	Time    string `json:"time,omitempty"`
	Session string `json:"session,omitempty"`
	Raw     string `json:"raw"`
}

// DNSInfo is what the dns phase resolved.
type DNSInfo struct {
	Host      string   `json:"host"`
	Addresses []string `json:"addresses"`
	Used      string   `json:"used,omitempty"`
}

// TLSInfo describes the negotiated TLS session and the server's chain.
type TLSInfo struct {
	Version     string `json:"version"` // "TLS 1.2"
	Cipher      string `json:"cipher"`
	ServerName  string `json:"server_name"`
	Implicit    bool   `json:"implicit"`
	Verified    bool   `json:"verified"`
	HostMatch   bool   `json:"host_match"`
	VerifyError string `json:"verify_error,omitempty"`
	// Roots is "system" or the --ca file.
	Roots string     `json:"roots"`
	Chain []CertInfo `json:"chain"`
}

// CertInfo is one certificate of the server's chain.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	SANs      []string  `json:"sans,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	DaysLeft  int       `json:"days_left"`
	KeyType   string    `json:"key_type,omitempty"` // "RSA 2048", "ECDSA P-256"
}

// AuthInfo is what the auth phase did.
type AuthInfo struct {
	Mechanism string   `json:"mechanism,omitempty"`
	Offered   []string `json:"offered,omitempty"`
	User      string   `json:"user,omitempty"`
	// Secret is where the secret came from (token file, env var, prompt) and
	// its fingerprint; never the secret itself.
	SecretSource      string `json:"secret_source,omitempty"`
	SecretFingerprint string `json:"secret_fingerprint,omitempty"`
	OK                bool   `json:"ok"`
}

// POP3Report is the POP3 side of a check (Sharp internet fax, Epson POP3).
type POP3Report struct {
	Target Target    `json:"target"`
	Phases []Phase   `json:"phases"`
	TLS    *TLSInfo  `json:"tls,omitempty"`
	Auth   *AuthInfo `json:"auth,omitempty"`
}

// TokenInfo is what the token check read from an OAuth token, never the
// token itself.
type TokenInfo struct {
	Source string `json:"source"` // file path or "env:NAME"
	// Format: oauth2-json, token-response, jwt, opaque, none.
	Format      string `json:"format"`
	Fingerprint string `json:"fingerprint,omitempty"` // "sha256:1a2b3c4d… len 1432"
	JWT         bool   `json:"jwt"`
	// SignatureChecked is always false: the signature is not verified.
	SignatureChecked bool `json:"signature_checked"`

	Audience  string    `json:"audience,omitempty"`
	Scopes    []string  `json:"scopes,omitempty"`
	Roles     []string  `json:"roles,omitempty"`
	User      string    `json:"user,omitempty"`
	Tenant    string    `json:"tenant,omitempty"`
	AppID     string    `json:"app_id,omitempty"`
	AppName   string    `json:"app_name,omitempty"`
	Version   string    `json:"version,omitempty"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	NotBefore time.Time `json:"not_before,omitzero"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	AppOnly   bool      `json:"app_only"`

	// State is the device-side state: not_obtained, waiting_for_authorization,
	// obtained, invalid.
	State string `json:"state"`
	// SignedIn is Epson's "Signed in" / "Signed out".
	SignedIn bool `json:"signed_in"`

	HasRefreshToken         bool      `json:"has_refresh_token"`
	RefreshFingerprint      string    `json:"refresh_fingerprint,omitempty"`
	LastUsed                time.Time `json:"last_used,omitzero"`
	RefreshExpiresAt        time.Time `json:"refresh_expires_at,omitzero"`
	AccessMinutesLeft       int       `json:"access_minutes_left"`
	RefreshDaysLeft         int       `json:"refresh_days_left"`
	HasRefreshDaysLeft      bool      `json:"has_refresh_days_left"`
	FileMode                string    `json:"file_mode,omitempty"`
	Refreshed               bool      `json:"refreshed,omitempty"`
	RefreshError            string    `json:"refresh_error,omitempty"`
	RefreshErrorCode        string    `json:"refresh_error_code,omitempty"` // invalid_grant …
	RefreshErrorAADSTS      string    `json:"refresh_aadsts,omitempty"`     // AADSTS700082 …
	RefreshErrorDescription string    `json:"refresh_error_description,omitempty"`
	// RefreshNoAnswer: the refresh got no answer at all (the token
	// endpoint refused the connection, did not answer in time, or its
	// name did not resolve), so Entra refused nothing.
	RefreshNoAnswer bool `json:"refresh_no_answer,omitempty"`
}

// NetworkInfo describes the host the check ran from, for the status sheet.
type NetworkInfo struct {
	Hostname   string          `json:"hostname"`
	Interfaces []InterfaceInfo `json:"interfaces"`
	Gateway    string          `json:"gateway,omitempty"`
	DNSServers []string        `json:"dns_servers,omitempty"`
	Lookups    []HostCheck     `json:"lookups,omitempty"`
}

// InterfaceInfo is one network interface of this host.
type InterfaceInfo struct {
	Name      string   `json:"name"`
	Addresses []string `json:"addresses"`
	MAC       string   `json:"mac,omitempty"`
	Up        bool     `json:"up"`
}

// HostCheck is the DNS answer and reachability of one host the device needs
// (SMTP, POP3, sign-in).
type HostCheck struct {
	Role      string   `json:"role"` // smtp, pop3, signin
	Host      string   `json:"host"`
	Port      int      `json:"port"`
	Addresses []string `json:"addresses,omitempty"`
	Reachable bool     `json:"reachable"`
	Connect   Duration `json:"connect_ms"`
	Error     string   `json:"error,omitempty"`
}

// TranscriptLine is one line on the wire. Dir is ">" (sent by us), "<"
// (received) or "*" (an event such as "TLS handshake done").
type TranscriptLine struct {
	At      Duration `json:"at_ms"`
	Service string   `json:"service,omitempty"` // smtp | pop3 | entra
	Dir     string   `json:"dir"`
	Text    string   `json:"text"`
}

// Finding is one thing the diagnosis found, with its texts already in the
// report's language. ID keys the catalogue entry, so a renderer can show the
// same finding in another language.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Cause    string   `json:"cause"`
	Steps    []Step   `json:"steps"`
	// Side is whose move the finding is: device, tenant (Microsoft 365 /
	// Entra, or the mail service's administrators), network, local (this
	// computer, the one mfpcheck ran on) or input (mfpcheck's own input).
	Side string `json:"side,omitempty"`
	// Sides, when the evidence does not decide (Alternatives), are whose
	// move each possible cause would be, most likely first, without
	// repeats; set only when they differ, so Side alone would guess.
	Sides []string `json:"sides,omitempty"`
	// Where is where the fix is made (device web page, admin centers…).
	Where []string `json:"where,omitempty"`
	// Delay is how long a fix may take to apply.
	Delay   string   `json:"delay,omitempty"`
	Sources []string `json:"sources,omitempty"`
	// Evidence is what in this report led to the finding (the reply line with
	// its trailer, a claim, a setting).
	Evidence []string  `json:"evidence,omitempty"`
	Phase    PhaseName `json:"phase,omitempty"`
	// Generic marks a reading from the reply class alone (RFC 3463), not a
	// known Exchange Online reply.
	Generic bool `json:"generic,omitempty"`
	// Alternatives lists other catalogue ids that fit the same evidence, most
	// likely first, when the evidence does not decide between them.
	Alternatives []string `json:"alternatives,omitempty"`
	// Params are the values filled into the entry's texts ({user},
	// {minutes} …), so a renderer can show the finding in another language.
	// They never hold a secret.
	Params map[string]string `json:"params,omitempty"`
	// Service is the mail service the finding was read for when it is not
	// Exchange Online ("other", "gmail", "ses", "onprem"); empty for
	// Exchange Online. Its Exchange Online steps were left out, and
	// showing it in another language leaves them out again.
	Service string `json:"service,omitempty"`
}

// Step is one numbered remediation step.
type Step struct {
	Text string `json:"text"`
	// Where names the place the step is done: device, m365_admin,
	// exchange_admin, entra_admin, powershell, defender, other.
	Where string `json:"where,omitempty"`
	// Command is an exact PowerShell cmdlet line, when there is one.
	Command string `json:"command,omitempty"`
}

// Phase returns the named phase and whether it is in the report.
func (r *Report) Phase(name PhaseName) (Phase, bool) {
	for _, p := range r.Phases {
		if p.Name == name {
			return p, true
		}
	}
	if r.POP3 != nil {
		for _, p := range r.POP3.Phases {
			if p.Name == name {
				return p, true
			}
		}
	}
	return Phase{}, false
}

// FailedPhase returns the first failed phase, if any.
func (r *Report) FailedPhase() (Phase, bool) {
	for _, p := range r.Phases {
		if p.Status == StatusFail {
			return p, true
		}
	}
	return Phase{}, false
}

// PhasesVerdict is the least a report's phases imply: a failed phase
// means the device cannot send, a warned phase means it works with a
// problem. A phase that failed on a transient 4xx reply, which the
// diagnosis explains as a warning ("try again later"), implies a warning,
// so verdict and severity agree; every other failed phase is a failure.
func (r *Report) PhasesVerdict() Verdict {
	explained := map[PhaseName]Verdict{}
	for _, f := range r.Findings {
		var fv Verdict
		switch f.Severity {
		case SeverityError:
			fv = VerdictFail
		case SeverityWarning:
			fv = VerdictWarning
		default:
			continue
		}
		if f.Phase == "" {
			continue
		}
		if cur, ok := explained[f.Phase]; ok {
			fv = Worse(cur, fv)
		}
		explained[f.Phase] = fv
	}
	v := VerdictOK
	phases := r.Phases
	if r.POP3 != nil {
		phases = append(append([]Phase(nil), phases...), r.POP3.Phases...)
	}
	for _, p := range phases {
		switch p.Status {
		case StatusFail:
			transient := p.Reply != nil && p.Reply.Code/100 == 4 && explained[p.Name] == VerdictWarning
			if transient {
				v = Worse(v, VerdictWarning)
			} else {
				v = Worse(v, VerdictFail)
			}
		case StatusWarn:
			v = Worse(v, VerdictWarning)
		}
	}
	return v
}

// TenantInfo is what Exchange Online and Entra ID decide for the scan
// mailbox, read with an administrator's sign-in (mfpcheck tenant). Every
// value that could not be read is nil; Reads says why.
type TenantInfo struct {
	Tenant string `json:"tenant"`
	User   string `json:"user"`
	// SMTPAuth is the effective SMTP AUTH setting of the mailbox.
	SMTPAuth TenantSMTPAuth `json:"smtp_auth"`
	// AuthenticationPolicy is the user's (or the org default) policy.
	AuthenticationPolicy *TenantAuthPolicy `json:"authentication_policy,omitempty"`
	// SecurityDefaults on means SMTP AUTH is off for everyone.
	SecurityDefaults  *bool            `json:"security_defaults"`
	ConditionalAccess []TenantCAPolicy `json:"conditional_access"`
	SignIns           []TenantSignIn   `json:"sign_ins"`
	// EmailAppUsage is the SMTP column of the email app usage report, read
	// where the sign-in log is not available.
	EmailAppUsage    *TenantAppUsage `json:"email_app_usage,omitempty"`
	RejectDirectSend *bool           `json:"reject_direct_send"`
	Reads            []TenantRead    `json:"reads"`
}

// TenantSMTPAuth is Get-TransportConfig and Get-CASMailbox's
// SmtpClientAuthenticationDisabled: the mailbox value overrides the org
// value unless it is null (follows the org).
type TenantSMTPAuth struct {
	OrgDisabled     *bool  `json:"org_disabled"`
	MailboxDisabled *bool  `json:"mailbox_disabled"`
	Effective       string `json:"effective"` // enabled | disabled | unknown
	// Source is where Effective comes from: mailbox, organization,
	// security_defaults or "" when unknown.
	Source string `json:"source"`
}

// TenantAuthPolicy is an Exchange authentication policy.
type TenantAuthPolicy struct {
	Name string `json:"name"`
	// Source is user (Get-User) or organization (the org default).
	Source             string `json:"source"`
	AllowBasicAuthSmtp *bool  `json:"allow_basic_auth_smtp"`
}

// TenantCAPolicy is one Conditional Access policy that is on (or in
// report-only mode).
type TenantCAPolicy struct {
	Name  string `json:"name"`
	State string `json:"state"` // enabled | enabledForReportingButNotEnforced
	// Blocks lists what it blocks: legacy_auth, device_code, all_sign_ins,
	// or requires: compliant_device, location, mfa, sign_in_frequency.
	Blocks           []string `json:"blocks"`
	AppliesToMailbox bool     `json:"applies_to_mailbox"`
	MicrosoftManaged bool     `json:"microsoft_managed,omitempty"`
}

// TenantSignIn is one recent sign-in of the scan mailbox.
type TenantSignIn struct {
	Time      time.Time `json:"time"`
	App       string    `json:"app"`
	ClientApp string    `json:"client_app"`
	ErrorCode int       `json:"error_code"`
	Reason    string    `json:"reason,omitempty"`
	// ConditionalAccess is success, failure or notApplied; Policies the
	// applied policies' names.
	ConditionalAccess string   `json:"conditional_access"`
	Policies          []string `json:"policies,omitempty"`
}

// TenantAppUsage is the mailbox's row of the email app usage report.
type TenantAppUsage struct {
	Period       string `json:"period"`
	SMTP         bool   `json:"smtp"`
	LastActivity string `json:"last_activity,omitempty"`
}

// TenantRead is the outcome of one read.
type TenantRead struct {
	What   string `json:"what"`
	Status string `json:"status"` // ok | forbidden | unlicensed | unavailable
	Detail string `json:"detail,omitempty"`
	// Unofficial marks reads through Exchange's undocumented admin endpoint.
	Unofficial bool `json:"unofficial,omitempty"`
}
