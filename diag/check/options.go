package check

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/hostport"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Options is one check as a user asks for it: a device profile and/or a
// server address, and the overrides given beside them (the flags of
// "mfpcheck probe"). Config turns it into the check's Config: every
// profile field can be given or overridden, so a check needs no profile.
type Options struct {
	// ProfileFile is the device profile (YAML); "" for none.
	ProfileFile string
	// Args are the positional arguments: at most one server address,
	// HOST[:PORT] or smtp://, smtps://, pop3://, pop3s://.
	Args []string
	Overrides

	// Getenv reads the variables the overrides and the profile name
	// (--token-env, --password-env, the profile's password variable).
	Getenv func(string) string
	// AskPassword, when set, asks for the password (--password-prompt).
	AskPassword func() (string, error)
	Redactor    *redact.Redactor
	Lang        string
	ToolVersion string
	Now         func() time.Time
	// Network collects this host's network facts (for the status sheet).
	Network bool
	// NoDeviceRead leaves the device's own identity unread
	// (--no-device-read), even when the profile gives its address.
	NoDeviceRead bool
}

// Overrides are the settings given beside (or instead of) a profile. A
// zero value leaves the profile's (or the default) as it is.
type Overrides struct {
	POP3        string // probe this POP3 server (HOST[:PORT]) instead of SMTP
	Security    string // starttls | tls | none
	Port        int
	User        string
	Sender      string
	AuthMethod  string // oauth2 | basic | none
	TokenFile   string
	TokenEnv    string // the name of the variable that holds the token
	PasswordEnv string // the name of the variable that holds the password
	CAFile      string
	Insecure    bool
	SendTo      string
	NoEnvelope  bool
	AsDevice    bool
	MaxTLS      string
	HELO        bool
	Mechanisms  string // comma separated
	// Timeout and PhaseTimeout are always taken (the flags' defaults are
	// probe.DefaultTimeout and probe.DefaultPhaseTimeout).
	Timeout      time.Duration
	PhaseTimeout time.Duration
	Refresh      bool
	Authority    string
	ConnectTo    string
	Proxy        string
}

// HintError is an error of mfpcheck's input with the hint that fixes it.
type HintError struct {
	Err  error
	Hint string
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }

// Config builds the check: the profile (or the server address), then the
// overrides, then the checks of the result. Errors name the flag or the
// file at fault.
func (o Options) Config() (Config, error) {
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	pop, cfg, err := o.base()
	if err != nil {
		return cfg, err
	}
	cfg.Probe.Redactor = o.Redactor
	for _, step := range []func(*Config) error{o.endpoint, o.secrets, o.authMethod, o.tls, o.device, o.validate} {
		if err := step(&cfg); err != nil {
			return cfg, err
		}
	}
	if pop != nil {
		o.pop3Only(&cfg, pop)
	}
	cfg.Refresh = o.Refresh
	if o.Authority != "" {
		cfg.Authority = o.Authority
	}
	cfg.Lang, cfg.ToolVersion, cfg.Now, cfg.Network = o.Lang, o.ToolVersion, o.Now, o.Network
	if o.NoDeviceRead {
		cfg.DeviceRead = nil
	}
	return cfg, nil
}

// base starts the check from the profile, the SMTP address or the POP3
// server to probe alone (returned, nil for none).
func (o Options) base() (*probe.POP3Config, Config, error) {
	var cfg Config
	pos := o.Args
	pop, err := pop3Target(o.POP3, o.Security, &pos)
	if err != nil {
		return nil, cfg, err
	}
	switch {
	case pop != nil && len(pos) > 0:
		return nil, cfg, fmt.Errorf("give either a POP3 server (--pop3 or pop3://) or an SMTP server, not both")
	case o.ProfileFile != "" && len(pos) > 0:
		return nil, cfg, fmt.Errorf("give either --profile or HOST[:PORT], not both")
	case len(pos) > 1:
		return nil, cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(pos[1:], " "))
	case o.ProfileFile != "":
		p, err := profile.Load(o.ProfileFile)
		if err != nil {
			return nil, cfg, err
		}
		cfg = FromProfile(p, o.Getenv)
	case len(pos) == 1:
		host, port, security, err := smtpTarget(pos[0])
		if err != nil {
			return nil, cfg, err
		}
		cfg.Probe = probe.Config{Session: probe.Session{Host: host, Port: port, Security: security, VerifyCert: true}, Envelope: true}
	case pop != nil:
		cfg.Probe = probe.Config{Session: probe.Session{Host: pop.Host, VerifyCert: true}}
	default:
		return nil, cfg, fmt.Errorf("nothing to probe: give --profile FILE or HOST[:PORT] (e.g. smtp.office365.com:587)")
	}
	return pop, cfg, nil
}

// endpoint applies the server's security, port and the addresses.
func (o Options) endpoint(cfg *Config) error {
	pc := &cfg.Probe
	if o.Security != "" {
		if o.Security != "starttls" && o.Security != "tls" && o.Security != "none" {
			return fmt.Errorf("--security %q: use starttls, tls or none", o.Security)
		}
		pc.Security = report.Security(o.Security)
	}
	if o.Port != 0 {
		pc.Port = o.Port
	}
	if pc.Port == 0 {
		pc.Port = profile.DefaultPort(pc.Security)
	}
	if o.User != "" {
		pc.User = o.User
	}
	if o.Sender != "" {
		pc.Sender = o.Sender
	}
	return nil
}

// secrets says where the token and the password come from.
func (o Options) secrets(cfg *Config) error {
	pc := &cfg.Probe
	if o.TokenFile != "" {
		cfg.TokenFile = o.TokenFile
	}
	if o.TokenEnv != "" {
		v := o.Getenv(o.TokenEnv)
		if v == "" {
			return fmt.Errorf("--token-env %s: the variable is empty or not set", o.TokenEnv)
		}
		cfg.TokenEnv, cfg.TokenEnvValue = o.TokenEnv, v
	}
	if o.PasswordEnv != "" {
		v := o.Getenv(o.PasswordEnv)
		if v == "" {
			return fmt.Errorf("--password-env %s: the variable is empty or not set", o.PasswordEnv)
		}
		pc.Password, pc.PasswordSource = v, "env "+o.PasswordEnv
	}
	if o.AskPassword != nil {
		pw, err := o.AskPassword()
		if err != nil {
			return err
		}
		pc.Password, pc.PasswordSource = pw, "prompt"
	}
	return nil
}

// authMethod takes the one given, else the profile's, else the one the
// secrets imply: a token is OAuth 2.0, a password basic auth.
func (o Options) authMethod(cfg *Config) error {
	pc := &cfg.Probe
	switch {
	case o.AuthMethod != "":
		if o.AuthMethod != "oauth2" && o.AuthMethod != "basic" && o.AuthMethod != "none" {
			return fmt.Errorf("--auth %q: use oauth2, basic or none", o.AuthMethod)
		}
		pc.AuthMethod = report.AuthMethod(o.AuthMethod)
	case pc.AuthMethod != "":
	case cfg.TokenFile != "" || cfg.TokenEnv != "":
		pc.AuthMethod = report.AuthOAuth2
	case pc.Password != "":
		pc.AuthMethod = report.AuthBasic
	default:
		pc.AuthMethod = report.AuthNone
	}
	return nil
}

// tls applies the certificate roots and checks, the route and what is
// sent.
func (o Options) tls(cfg *Config) error {
	pc := &cfg.Probe
	if o.CAFile != "" {
		pool, err := probe.LoadCAFile(o.CAFile)
		if err != nil {
			return err
		}
		pc.Roots, pc.RootsName = pool, o.CAFile
	}
	if o.Insecure {
		pc.VerifyCert = false
	}
	if err := applyRoute(cfg, o.ConnectTo, o.Proxy); err != nil {
		return err
	}
	if o.SendTo != "" {
		pc.SendTo = o.SendTo
	}
	if o.NoEnvelope {
		pc.Envelope = false
	}
	return nil
}

// device makes the probe behave like the device (--as-device and the
// capabilities that imply it).
func (o Options) device(cfg *Config) error {
	pc := &cfg.Probe
	if o.MaxTLS != "" {
		if _, ok := report.TLSVersionByName(o.MaxTLS); !ok {
			return fmt.Errorf("--max-tls %q: use 1.0, 1.1, 1.2 or 1.3", o.MaxTLS)
		}
		pc.MaxTLS = o.MaxTLS
		pc.AsDevice = true
	}
	if o.HELO {
		pc.Greeting = "helo"
		pc.AsDevice = true
	}
	if o.Mechanisms != "" {
		pc.Mechanisms = nil
		for _, m := range strings.Split(o.Mechanisms, ",") {
			if m = strings.ToUpper(strings.TrimSpace(m)); m != "" {
				pc.Mechanisms = append(pc.Mechanisms, m)
			}
		}
		pc.AsDevice = true
	}
	if o.AsDevice {
		pc.AsDevice = true
	}
	return nil
}

// validate checks what the profile and the overrides made, and sets the
// budgets.
func (o Options) validate(cfg *Config) error {
	pc := &cfg.Probe
	if strings.TrimSpace(pc.Host) == "" {
		return &HintError{errors.New("no server to probe: the host is empty"),
			"give HOST[:PORT] or smtp.server in the profile, e.g. mfpcheck probe smtp.office365.com:587 --user scanner@contoso.com"}
	}
	if pc.Port < 1 || pc.Port > 65535 {
		return &HintError{fmt.Errorf("port %d is out of range", pc.Port),
			"a TCP port is 1 to 65535; Exchange Online takes scans on 587 (STARTTLS)"}
	}
	if pc.User == "" && pc.AuthMethod != report.AuthNone {
		return fmt.Errorf("no authentication address: give --user ADDR (or smtp.user in the profile)")
	}
	pc.Timeout, pc.PhaseTimeout = o.Timeout, o.PhaseTimeout
	if pc.PhaseTimeout > pc.Timeout {
		pc.PhaseTimeout = pc.Timeout
	}
	return nil
}

// pop3Only makes the check probe the POP3 server alone: the settings given
// (user, credentials, certificate checks, route) apply to it.
func (o Options) pop3Only(cfg *Config, pop *probe.POP3Config) {
	pc := &cfg.Probe
	if pop.Security == "" {
		pop.Security = report.SecurityTLS
		if o.Security != "" {
			pop.Security = report.Security(o.Security)
		}
	}
	if pop.Port == 0 {
		pop.Port = o.Port
	}
	if pop.Port == 0 {
		pop.Port = 110
		if pop.Security == report.SecurityTLS {
			pop.Port = 995
		}
	}
	pop.VerifyCert, pop.AuthMethod, pop.User = pc.VerifyCert, pc.AuthMethod, pc.User
	pop.Password, pop.PasswordSource = pc.Password, pc.PasswordSource
	pop.Route = pc.Route
	cfg.POP3, cfg.POP3Only = pop, true
	cfg.POP3TokenFile = ""
}

// Target URL schemes: smtp:// is STARTTLS (port 587), smtps:// implicit
// TLS (465), pop3:// POP3 with STLS (110), pop3s:// POP3 over TLS (995).
var targetSchemes = map[string]struct {
	pop      bool
	security report.Security
}{
	"smtp": {false, "starttls"}, "smtps": {false, "tls"},
	"pop3": {true, "starttls"}, "pop3s": {true, "tls"},
}

// splitURL reads SCHEME://HOST[:PORT][/] (isURL false without "://").
func splitURL(s string) (scheme, hostport string, isURL bool, err error) {
	scheme, rest, found := strings.Cut(s, "://")
	if !found {
		return "", "", false, nil
	}
	scheme = strings.ToLower(scheme)
	if _, known := targetSchemes[scheme]; !known {
		return "", "", true, fmt.Errorf("%q: use smtp://, smtps://, pop3:// or pop3s://", s)
	}
	return scheme, strings.TrimSuffix(rest, "/"), true, nil
}

// smtpTarget reads HOST, HOST:PORT, [V6]:PORT, a bare IPv6 literal, or
// smtp://… and smtps://… (port 0: the default for the security).
func smtpTarget(s string) (host string, port int, security report.Security, err error) {
	security = "starttls"
	scheme, hp, isURL, err := splitURL(s)
	if err != nil {
		return "", 0, "", err
	}
	if isURL {
		s, security = hp, targetSchemes[scheme].security
	}
	host, port, err = hostport.Split(s, 0)
	return host, port, security, err
}

// pop3Target takes the POP3 server to probe alone: --pop3 HOST[:PORT]
// (flag) or a pop3:// or pop3s:// argument (removed from pos). nil: none.
func pop3Target(flag, flagSecurity string, pos *[]string) (*probe.POP3Config, error) {
	var spec string
	var security report.Security
	if len(*pos) == 1 {
		scheme, hp, isURL, err := splitURL((*pos)[0])
		if err != nil {
			return nil, err
		}
		if isURL && targetSchemes[scheme].pop {
			spec, security = hp, targetSchemes[scheme].security
			*pos = nil
		}
	}
	if flag != "" {
		if spec != "" {
			return nil, fmt.Errorf("give either --pop3 HOST or a pop3:// address, not both")
		}
		spec = flag
	}
	if spec == "" {
		return nil, nil
	}
	host, port, err := hostport.Split(spec, 0)
	if err != nil {
		return nil, fmt.Errorf("POP3 server: %w", err)
	}
	if flagSecurity != "" && security != "" && report.Security(flagSecurity) != security {
		return nil, fmt.Errorf("--security %s contradicts the address %s", flagSecurity, spec)
	}
	return &probe.POP3Config{Session: probe.Session{Host: host, Port: port, Security: security}}, nil
}

// applyRoute sets --connect-to (the SMTP server's, or the POP3 server's
// when only POP3 is probed) and --proxy (every connection of the check).
func applyRoute(cfg *Config, connectTo, proxyURL string) error {
	if connectTo != "" {
		h, p, err := hostport.Split(connectTo, 0)
		if err != nil || p == 0 {
			return fmt.Errorf("--connect-to %q: give HOST:PORT (e.g. 127.0.0.1:2525 or [::1]:2525)", connectTo)
		}
		cfg.Probe.Route.ConnectTo = net.JoinHostPort(h, strconv.Itoa(p))
	}
	if proxyURL != "" {
		px, err := probe.ParseProxy(proxyURL)
		if err != nil {
			return fmt.Errorf("--proxy: %w", err)
		}
		cfg.Probe.Route.Proxy = px
		if cfg.POP3 != nil {
			cfg.POP3.Route.Proxy = px
		}
	}
	return nil
}
