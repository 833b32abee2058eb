package probe

import (
	"crypto/x509"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"net"
	"time"
)

// ProbeConfig is everything the SMTP probe needs. check.FromProfile builds
// it from a profile; flags then override fields.
type Config struct {
	Session

	Sender string
	// SendTo, when set, makes the probe send a short test message (data
	// phase). Without it no mail is ever sent.
	SendTo string
	// Envelope runs mail_from and rcpt_to (then QUIT) without sending.
	Envelope bool

	// Device behaviour (--as-device or the profile's capabilities); the
	// device's highest TLS version is Session.MaxTLS.
	AsDevice   bool
	Greeting   string   // ehlo | helo
	Mechanisms []string // the device's SASL mechanisms, in its order
	LocalName  string   // EHLO/HELO name (default "mfpcheck.local")
}

// Session is what the SMTP and the POP3 probe share: the server and how
// the device secures and signs in to it, the budget, the network path,
// and where the session is reported and recorded. Config and POP3Config
// embed it, so a check sets these once for both protocols.
type Session struct {
	Host     string
	Port     int             // POP3: default 995 for tls, 110 otherwise
	Security report.Security // starttls | tls | none (POP3: starttls is STLS)
	// ServerName is the name checked against the certificate (default Host).
	ServerName string
	VerifyCert bool
	// Roots verifies the chain instead of the system roots (from --ca).
	Roots     *x509.CertPool
	RootsName string // "system" or the --ca file
	MaxTLS    string // "" or 1.0 … 1.3 (the device's highest)

	AuthMethod report.AuthMethod
	User       string
	// Token is the XOAUTH2 access token; Password the LOGIN/PLAIN (POP3:
	// USER/PASS) password. Both are registered with Redactor before any I/O.
	Token          string
	TokenSource    string // "file tokens/x.json", "env MFPCHECK_TOKEN"
	Password       string
	PasswordSource string

	// Timeout bounds the whole probe; PhaseTimeout each step (defaults
	// DefaultTimeout and DefaultPhaseTimeout).
	Timeout      time.Duration
	PhaseTimeout time.Duration

	Resolver *net.Resolver
	Dialer   *net.Dialer
	// Route dials another address for the server (--connect-to) or goes
	// through a proxy; the zero Route connects straight to Host.
	Route Route
	// Progress receives each phase as it starts (status running) and when it
	// ends. Sends never block the probe for long: a full channel drops the
	// "running" events, never the final ones.
	Progress chan<- report.Phase
	Redactor *redact.Redactor
	// Transcript, when set, is shared (POP3 probe and SMTP probe in one
	// run); each line names its service.
	Transcript *redact.Transcript
	Now        func() time.Time
}

// Default timeouts. A phase's budget is short enough that a silent server
// fails fast, long enough for Exchange's slowest normal step (AUTH takes up
// to a few seconds on a busy frontend).
const (
	DefaultTimeout      = 60 * time.Second
	DefaultPhaseTimeout = 15 * time.Second
)

// setDefaults fills what both protocols default alike (the clock, the
// budgets, the certificate's name and roots, the redactor with the
// session's secrets) once the protocol has set Security and Port, and
// returns the transcript to record into.
func (s *Session) setDefaults() *redact.Transcript {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Timeout <= 0 {
		s.Timeout = DefaultTimeout
	}
	if s.PhaseTimeout <= 0 {
		s.PhaseTimeout = DefaultPhaseTimeout
	}
	if s.ServerName == "" {
		s.ServerName = s.Host
	}
	if s.RootsName == "" {
		s.RootsName = "system"
	}
	if s.Redactor == nil {
		s.Redactor = &redact.Redactor{}
	}
	s.Redactor.Add(s.Token)
	s.Redactor.Add(s.Password)
	if s.Route.Proxy != nil {
		s.Redactor.Add(s.Route.Proxy.Password)
	}
	if s.Transcript != nil {
		return s.Transcript
	}
	return redact.NewTranscript(time.Now(), s.Redactor)
}
