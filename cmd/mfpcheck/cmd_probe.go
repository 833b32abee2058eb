package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/hostport"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
)

// probeFlags are the flags of "probe"; every profile field can be given or
// overridden here, so a probe needs no profile.
type probeFlags struct {
	profile      string
	user         string
	sender       string
	security     string
	port         int
	authMethod   string
	tokenFile    string
	tokenEnv     string
	passwordEnv  string
	askPassword  bool
	caFile       string
	insecure     bool
	sendTo       string
	noEnvelope   bool
	asDevice     bool
	maxTLS       string
	helo         bool
	mechanisms   string
	timeout      time.Duration
	phaseTimeout time.Duration
	refresh      bool
	authority    string
	jsonOut      bool
	transcript   bool
	lang         string
	sheet        string
	force        bool
	connectTo    string
	proxy        string
	pop3         string
	nagios       bool
	tenantCheck  bool
	adminTokens  string
	exchangeURL  string
	graphURL     string
}

func (f *probeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "device profile (YAML)")
	fs.StringVar(&f.user, "user", "", "authentication address (SMTP user)")
	fs.StringVar(&f.sender, "sender", "", "sender address (MAIL FROM; default: the user)")
	fs.StringVar(&f.security, "security", "", "starttls | tls | none (default starttls)")
	fs.IntVar(&f.port, "port", 0, "SMTP port (default 587, 465 with --security tls)")
	fs.StringVar(&f.authMethod, "auth", "", "oauth2 | basic | none (default oauth2 with a token, basic with a password, else none)")
	fs.StringVar(&f.tokenFile, "token-file", "", "OAuth token file (bare token, oauth2 token JSON or token-endpoint response)")
	fs.StringVar(&f.tokenEnv, "token-env", "", "environment variable holding the access token")
	fs.StringVar(&f.passwordEnv, "password-env", "", "environment variable holding the password (basic auth)")
	fs.BoolVar(&f.askPassword, "password-prompt", false, "ask for the password on the terminal (basic auth)")
	fs.StringVar(&f.caFile, "ca", "", "verify the server against the CA certificates in this PEM file instead of the system roots")
	fs.BoolVar(&f.insecure, "insecure", false, "do not stop on certificate errors (the report says so)")
	fs.StringVar(&f.sendTo, "send-to", "", "send a short test message to this address (the only way to see SendAsDenied)")
	fs.BoolVar(&f.noEnvelope, "no-envelope", false, "skip MAIL FROM / RCPT TO")
	fs.BoolVar(&f.asDevice, "as-device", false, "behave like the device (profile capabilities, or --max-tls/--helo/--mechanisms)")
	fs.StringVar(&f.maxTLS, "max-tls", "", "highest TLS version the device can do: 1.0 | 1.1 | 1.2 | 1.3")
	fs.BoolVar(&f.helo, "helo", false, "greet with HELO instead of EHLO, like some old devices")
	fs.StringVar(&f.mechanisms, "mechanisms", "", "the device's SASL mechanisms, comma separated (e.g. PLAIN,LOGIN)")
	fs.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "bound for the whole probe")
	fs.DurationVar(&f.phaseTimeout, "phase-timeout", probe.DefaultPhaseTimeout, "bound for each phase")
	fs.BoolVar(&f.refresh, "refresh", false, "refresh the OAuth token first (saves the rotated refresh token)")
	fs.StringVar(&f.authority, "authority", "", "sign-in authority (default https://login.microsoftonline.com)")
	fs.BoolVar(&f.jsonOut, "json", false, "print the report as JSON (schema mfpcheck.report/v1)")
	fs.BoolVar(&f.transcript, "transcript", false, "print the redacted transcript")
	fs.StringVar(&f.lang, "lang", "", "language of the findings: en | de | fr (default from LC_ALL/LC_MESSAGES/LANG)")
	fs.StringVar(&f.sheet, "sheet", "", "also write the PDF status sheet to this file (or into this folder)")
	fs.BoolVar(&f.force, "force", false, "with --sheet: overwrite the file if it exists")
	fs.StringVar(&f.connectTo, "connect-to", "", "dial HOST:PORT instead of the server, keeping the server's name for TLS and the report (like curl)")
	fs.StringVar(&f.pop3, "pop3", "", "probe this POP3 server (HOST[:PORT], default port 995 with TLS) instead of SMTP")
	fs.StringVar(&f.proxy, "proxy", "", "reach the servers and the sign-in endpoints through socks5://[USER:PASS@]HOST:PORT or http://HOST:PORT (CONNECT)")
	fs.BoolVar(&f.tenantCheck, "tenant-check", false, "also read what the tenant decides for the mailbox (needs --admin-tokens from mfpcheck tenant --save)")
	fs.StringVar(&f.adminTokens, "admin-tokens", "", "with --tenant-check: folder of saved admin tokens (mfpcheck tenant --save DIR)")
	fs.StringVar(&f.exchangeURL, "exchange-url", "", "with --tenant-check: Exchange Online endpoint (default "+tenant.DefaultExchange+")")
	fs.StringVar(&f.graphURL, "graph-url", "", "with --tenant-check: Microsoft Graph endpoint (default "+tenant.DefaultGraph+")")
	fs.BoolVar(&f.nagios, "nagios", false, "print Nagios/Icinga/Checkmk plugin output (status line with perfdata); exit codes as always")
}

// cmdProbe runs "mfpcheck probe".
func (a *app) cmdProbe(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	var f probeFlags
	f.register(fs)
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	cfg, err := a.probeConfig(f, pos)
	if err != nil {
		return a.inputError("probe", err)
	}
	if f.tenantCheck {
		tc, err := a.tenantCheck(cfg.Profile, cfg.Probe.User, f.adminTokens, f.exchangeURL, f.graphURL)
		if err != nil {
			a.errorf("probe: --tenant-check: %v", err)
			a.hintf("save admin tokens first: mfpcheck tenant --profile FILE --save DIR, then --admin-tokens DIR")
			return ExitError
		}
		cfg.TenantCheck = tc
	}
	out, err := newSheetOutput(f.sheet, f.force)
	if err != nil {
		a.sheetError(err, "--force")
		return ExitError
	}
	r := check.Run(ctx, cfg)
	if f.nagios {
		if err := render.Nagios(a.stdout, r); err != nil {
			a.errorf("write report: %v", err)
			return ExitError
		}
		return verdictExit(r.Verdict)
	}
	return a.report(r, f.jsonOut, f.transcript, out)
}

// report prints a report, writes its sheet when one was asked for, and
// maps its verdict to the exit code.
func (a *app) report(r *report.Report, jsonOut, transcript bool, out sheetOutput) int {
	var err error
	if jsonOut {
		err = render.JSON(a.stdout, r)
	} else {
		err = render.Text(a.stdout, r, render.TextOptions{
			Color: a.color(), Lang: r.Lang, Transcript: transcript, Width: a.width,
		})
	}
	if err != nil {
		a.errorf("write report: %v", err)
		return ExitError
	}
	if out.set() {
		path, err := out.write(r, sheetLang(r), a.now())
		if err != nil {
			a.sheetError(err, "--force")
			return ExitError
		}
		fmt.Fprintf(a.stderr, "mfpcheck: status sheet written to %s\n", path)
	}
	if r.Verdict == report.VerdictError && !jsonOut {
		a.couldNotTest(r)
	}
	return verdictExit(r.Verdict)
}

// couldNotTest explains on stderr why a check could not test the device:
// the error, then the first step of the finding that blames this computer
// or mfpcheck's input, as the hint.
func (a *app) couldNotTest(r *report.Report) {
	var blame *report.Finding
	for i, f := range r.Findings {
		if f.Severity == report.SeverityError && (f.Side == "local" || f.Side == "input") {
			blame = &r.Findings[i]
			break
		}
	}
	switch {
	case r.Error != "":
		a.errorf("%s", r.Error)
	case blame != nil:
		a.errorf("%s", blame.Title)
	}
	if blame != nil && len(blame.Steps) > 0 {
		a.hintf("%s", blame.Steps[0].Text)
	}
}

// verdictExit maps a verdict to the monitoring-plugin exit code.
func verdictExit(v report.Verdict) int {
	switch v {
	case report.VerdictOK:
		return ExitOK
	case report.VerdictWarning:
		return ExitWarning
	case report.VerdictFail:
		return ExitFail
	}
	return ExitError
}

// color reports whether colour is wanted: a terminal and no NO_COLOR.
func (a *app) color() bool {
	return a.stdoutTTY && a.getenv("NO_COLOR") == "" && a.getenv("TERM") != "dumb"
}

// probeConfig builds the check from a profile and/or flags.
func (a *app) probeConfig(f probeFlags, pos []string) (check.Config, error) {
	var cfg check.Config
	pop, err := pop3Target(f, &pos)
	if err != nil {
		return cfg, err
	}
	switch {
	case pop != nil && len(pos) > 0:
		return cfg, fmt.Errorf("give either a POP3 server (--pop3 or pop3://) or an SMTP server, not both")
	case f.profile != "" && len(pos) > 0:
		return cfg, fmt.Errorf("give either --profile or HOST[:PORT], not both")
	case len(pos) > 1:
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(pos[1:], " "))
	case f.profile != "":
		p, err := profile.Load(f.profile)
		if err != nil {
			return cfg, err
		}
		cfg = check.FromProfile(p, a.getenv)
	case len(pos) == 1:
		host, port, security, err := smtpTarget(pos[0])
		if err != nil {
			return cfg, err
		}
		cfg.Probe = probe.Config{Session: probe.Session{Host: host, Port: port, Security: security, VerifyCert: true}, Envelope: true}
	case pop != nil:
		cfg.Probe = probe.Config{Session: probe.Session{Host: pop.Host, VerifyCert: true}}
	default:
		return cfg, fmt.Errorf("nothing to probe: give --profile FILE or HOST[:PORT] (e.g. smtp.office365.com:587)")
	}
	pc := &cfg.Probe
	pc.Redactor = a.secrets()
	if f.security != "" {
		if f.security != "starttls" && f.security != "tls" && f.security != "none" {
			return cfg, fmt.Errorf("--security %q: use starttls, tls or none", f.security)
		}
		pc.Security = report.Security(f.security)
	}
	if f.port != 0 {
		pc.Port = f.port
	}
	if pc.Port == 0 {
		pc.Port = profile.DefaultPort(pc.Security)
	}
	if f.user != "" {
		pc.User = f.user
	}
	if f.sender != "" {
		pc.Sender = f.sender
	}
	if f.tokenFile != "" {
		cfg.TokenFile = f.tokenFile
	}
	if f.tokenEnv != "" {
		v := a.getenv(f.tokenEnv)
		if v == "" {
			return cfg, fmt.Errorf("--token-env %s: the variable is empty or not set", f.tokenEnv)
		}
		cfg.TokenEnv, cfg.TokenEnvValue = f.tokenEnv, v
	}
	if f.passwordEnv != "" {
		v := a.getenv(f.passwordEnv)
		if v == "" {
			return cfg, fmt.Errorf("--password-env %s: the variable is empty or not set", f.passwordEnv)
		}
		pc.Password, pc.PasswordSource = v, "env "+f.passwordEnv
	}
	if f.askPassword {
		pw, err := a.promptPassword()
		if err != nil {
			return cfg, err
		}
		pc.Password, pc.PasswordSource = pw, "prompt"
	}
	switch {
	case f.authMethod != "":
		if f.authMethod != "oauth2" && f.authMethod != "basic" && f.authMethod != "none" {
			return cfg, fmt.Errorf("--auth %q: use oauth2, basic or none", f.authMethod)
		}
		pc.AuthMethod = report.AuthMethod(f.authMethod)
	case pc.AuthMethod != "":
	case cfg.TokenFile != "" || cfg.TokenEnv != "":
		pc.AuthMethod = "oauth2"
	case pc.Password != "":
		pc.AuthMethod = "basic"
	default:
		pc.AuthMethod = "none"
	}
	if f.caFile != "" {
		pool, err := probe.LoadCAFile(f.caFile)
		if err != nil {
			return cfg, err
		}
		pc.Roots, pc.RootsName = pool, f.caFile
	}
	if f.insecure {
		pc.VerifyCert = false
	}
	if err := applyRoute(&cfg, f.connectTo, f.proxy); err != nil {
		return cfg, err
	}
	if f.sendTo != "" {
		pc.SendTo = f.sendTo
	}
	if f.noEnvelope {
		pc.Envelope = false
	}
	if f.maxTLS != "" {
		if _, ok := report.TLSVersionByName(f.maxTLS); !ok {
			return cfg, fmt.Errorf("--max-tls %q: use 1.0, 1.1, 1.2 or 1.3", f.maxTLS)
		}
		pc.MaxTLS = f.maxTLS
		pc.AsDevice = true
	}
	if f.helo {
		pc.Greeting = "helo"
		pc.AsDevice = true
	}
	if f.mechanisms != "" {
		pc.Mechanisms = nil
		for _, m := range strings.Split(f.mechanisms, ",") {
			if m = strings.ToUpper(strings.TrimSpace(m)); m != "" {
				pc.Mechanisms = append(pc.Mechanisms, m)
			}
		}
		pc.AsDevice = true
	}
	if f.asDevice {
		pc.AsDevice = true
	}
	if strings.TrimSpace(pc.Host) == "" {
		return cfg, &hintError{errors.New("no server to probe: the host is empty"),
			"give HOST[:PORT] or smtp.server in the profile, e.g. mfpcheck probe smtp.office365.com:587 --user scanner@contoso.com"}
	}
	if pc.Port < 1 || pc.Port > 65535 {
		return cfg, &hintError{fmt.Errorf("port %d is out of range", pc.Port),
			"a TCP port is 1 to 65535; Exchange Online takes scans on 587 (STARTTLS)"}
	}
	if pc.User == "" && pc.AuthMethod != "none" {
		return cfg, fmt.Errorf("no authentication address: give --user ADDR (or smtp.user in the profile)")
	}
	pc.Timeout, pc.PhaseTimeout = f.timeout, f.phaseTimeout
	if pc.PhaseTimeout > pc.Timeout {
		pc.PhaseTimeout = pc.Timeout
	}
	if pop != nil {
		// POP3 alone: the settings given (user, credentials, certificate
		// checks, route) apply to the POP3 server.
		if pop.Security == "" {
			pop.Security = report.SecurityTLS
			if f.security != "" {
				pop.Security = report.Security(f.security)
			}
		}
		if pop.Port == 0 {
			pop.Port = f.port
		}
		if pop.Port == 0 {
			pop.Port = 110
			if pop.Security == "tls" {
				pop.Port = 995
			}
		}
		pop.VerifyCert, pop.AuthMethod, pop.User = pc.VerifyCert, pc.AuthMethod, pc.User
		pop.Password, pop.PasswordSource = pc.Password, pc.PasswordSource
		pop.Route = pc.Route
		cfg.POP3, cfg.POP3Only = pop, true
		cfg.POP3TokenFile = ""
	}
	cfg.Refresh = f.refresh
	if f.authority != "" {
		cfg.Authority = f.authority
	}
	cfg.Lang = a.lang(f.lang)
	cfg.ToolVersion = version
	cfg.Now = a.now
	cfg.Network = f.sheet != ""
	return cfg, nil
}

// hintError is an error of mfpcheck's input with the hint that fixes it.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

// splitTarget reads HOST, HOST:PORT, [V6]:PORT or a bare IPv6 literal.
func splitTarget(s string) (string, int, error) {
	return hostport.Split(s, 0)
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

// smtpTarget reads what splitTarget reads, or smtp://… and smtps://…
// (port 0: the default for the security).
func smtpTarget(s string) (host string, port int, security report.Security, err error) {
	security = "starttls"
	scheme, hp, isURL, err := splitURL(s)
	if err != nil {
		return "", 0, "", err
	}
	if isURL {
		s, security = hp, targetSchemes[scheme].security
	}
	host, port, err = splitTarget(s)
	return host, port, security, err
}

// pop3Target takes the POP3 server to probe alone: --pop3 HOST[:PORT] or a
// pop3:// or pop3s:// argument (removed from pos). nil: none.
func pop3Target(f probeFlags, pos *[]string) (*probe.POP3Config, error) {
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
	if f.pop3 != "" {
		if spec != "" {
			return nil, fmt.Errorf("give either --pop3 HOST or a pop3:// address, not both")
		}
		spec = f.pop3
	}
	if spec == "" {
		return nil, nil
	}
	host, port, err := splitTarget(spec)
	if err != nil {
		return nil, fmt.Errorf("POP3 server: %w", err)
	}
	if f.security != "" && security != "" && report.Security(f.security) != security {
		return nil, fmt.Errorf("--security %s contradicts the address %s", f.security, spec)
	}
	return &probe.POP3Config{Session: probe.Session{Host: host, Port: port, Security: security}}, nil
}

// applyRoute sets --connect-to (the SMTP server's, or the POP3 server's
// when only POP3 is probed) and --proxy (every connection of the check).
func applyRoute(cfg *check.Config, connectTo, proxyURL string) error {
	if connectTo != "" {
		h, p, err := hostport.Split(connectTo, 0)
		if err != nil || p == 0 {
			return fmt.Errorf("--connect-to %q: give HOST:PORT (e.g. 127.0.0.1:2525 or [::1]:2525)", connectTo)
		}
		connectTo = net.JoinHostPort(h, strconv.Itoa(p))
		cfg.Probe.Route.ConnectTo = connectTo
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

// promptPassword reads a password without echo from the terminal.
func (a *app) promptPassword() (string, error) {
	fmt.Fprint(a.stderr, "Password: ")
	defer fmt.Fprintln(a.stderr)
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(a.stdin, 4096)).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// lang picks the language: the flag, else LC_ALL, LC_MESSAGES, LANG.
func (a *app) lang(flagValue string) string {
	if flagValue != "" {
		return diagnose.NormLang(flagValue)
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := a.getenv(v); s != "" {
			return diagnose.NormLang(s)
		}
	}
	return "en"
}
