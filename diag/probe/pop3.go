package probe

import (
	"crypto/x509"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"net"
	"time"
)

// POP3Config is the POP3 probe's configuration (Sharp internet fax, Epson
// POP3 server field). The POP3 probe itself lives in pop3probe.go.
type POP3Config struct {
	Host     string
	Port     int             // default 995 for tls, 110 otherwise
	Security report.Security // tls (995) | starttls (110, STLS) | none
	// ServerName is the name checked against the certificate (default Host).
	ServerName string
	VerifyCert bool
	// Roots verifies the chain instead of the system roots (from --ca).
	Roots     *x509.CertPool
	RootsName string // "system" or the --ca file
	MaxTLS    string // "" or 1.0 … 1.3 (the device's highest)

	AuthMethod report.AuthMethod
	User       string
	// Token is the XOAUTH2 access token, Password the USER/PASS password.
	// Both are registered with Redactor before any I/O.
	Token          string
	TokenSource    string // "file tokens/pop.json", "env MFPCHECK_POP_TOKEN"
	Password       string
	PasswordSource string

	// Timeout bounds the whole probe, PhaseTimeout each step (defaults
	// DefaultTimeout and DefaultPhaseTimeout).
	Timeout      time.Duration
	PhaseTimeout time.Duration

	Resolver *net.Resolver
	Dialer   *net.Dialer
	// Route dials another address for the server (--connect-to) or goes
	// through a proxy; the zero Route connects straight to Host.
	Route Route
	// Progress receives each phase as it starts (status running) and ends.
	Progress chan<- report.Phase
	Redactor *redact.Redactor
	// Transcript receives the session's lines (service "pop3"); share the
	// SMTP probe's to get one transcript per run.
	Transcript *redact.Transcript
	Now        func() time.Time
}
