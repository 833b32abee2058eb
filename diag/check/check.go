// Package check runs everything mfpcheck knows how to check for one device
// (SMTP probe, POP3 probe, token check, network facts) and then the
// diagnosis, and returns one report. The CLI, the TUI and batch mode all go
// through Run, so a device is checked the same way everywhere.
//
// The SMTP probe, the POP3 probe and the network checks run concurrently:
// a whole check takes about as long as its slowest path, not their sum.
package check

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/device"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/netinfo"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// Config is one device's check.
type Config struct {
	// Profile is the device; nil when the probe was configured by flags.
	Profile *profile.Profile
	Probe   probe.Config
	// POP3 is nil when the device has no POP3 server configured.
	POP3 *probe.POP3Config
	// POP3Only checks the POP3 server alone (probe --pop3): no SMTP probe;
	// the report's target is the POP3 server.
	POP3Only bool
	// POP3TokenFile is the POP3 side's own token (Sharp obtains SMTP and
	// POP3 tokens separately); empty means the SMTP token serves both.
	POP3TokenFile string
	// TokenFile / TokenEnv: where the OAuth token lives. TokenEnv names an
	// environment variable whose value is TokenEnvValue.
	TokenFile     string
	TokenEnv      string
	TokenEnvValue string
	// Refresh asks for a refresh-token exchange before probing.
	Refresh bool
	// Authority overrides https://login.microsoftonline.com; Tenant and
	// ClientID come from the profile.
	Authority string
	Tenant    string
	ClientID  string
	// Network collects this host's interfaces, gateway and DNS servers and
	// checks the SMTP, POP3 and sign-in hosts (for the status sheet).
	Network bool
	// TenantCheck, when set, reads what the tenant decides for the
	// mailbox (with an administrator's tokens) beside the probes.
	TenantCheck *tenant.Config
	// DeviceRead, when set, reads what the device says about itself
	// beside the probes, within one phase budget (FromProfile sets it
	// when the profile gives the device's address).
	DeviceRead  *DeviceRead
	Lang        string
	ToolVersion string
	Now         func() time.Time
}

// FromProfile builds a check of the device a profile describes, the way the
// device itself would connect. getenv reads the password variable the
// profile names (passwords are never stored in profiles).
func FromProfile(p *profile.Profile, getenv func(string) string) Config {
	user := p.SMTP.User
	if user == "" {
		user = p.Email.Sender
	}
	sender := p.Email.Sender
	if p.Email.AutoSender && p.Email.Admin != "" {
		sender = p.Email.Admin
	}
	if sender == "" {
		sender = user
	}
	caps := p.Capabilities
	cfg := Config{
		Profile: p,
		Probe: probe.Config{
			Session: probe.Session{
				Host:       p.SMTP.Server,
				Port:       p.SMTP.Port,
				Security:   p.SMTP.Security,
				VerifyCert: p.SMTP.VerifyCertOn(),
				AuthMethod: p.Email.AuthMethod,
				User:       user,
				MaxTLS:     caps.MaxTLS,
				Route:      probe.Route{ConnectTo: p.SMTP.ConnectTo},
			},
			Sender:     sender,
			Envelope:   true,
			AsDevice:   caps.MaxTLS != "" || caps.Greeting != "" || len(caps.Mechanisms) > 0,
			Greeting:   caps.Greeting,
			Mechanisms: caps.Mechanisms,
		},
		TokenFile: p.OAuth.TokenFile,
		Authority: p.OAuth.Authority,
		Tenant:    p.OAuth.Tenant,
		ClientID:  p.OAuth.ClientID,
	}
	if getenv != nil {
		cfg.DeviceRead = deviceReadFor(p.Device.Address, getenv(device.EnvCommunity))
	} else {
		cfg.DeviceRead = deviceReadFor(p.Device.Address, "")
	}
	if p.Email.AuthMethod == "basic" && p.SMTP.PasswordEnv != "" && getenv != nil {
		cfg.Probe.Password = getenv(p.SMTP.PasswordEnv)
		cfg.Probe.PasswordSource = "env " + p.SMTP.PasswordEnv
	}
	if p.SMTP.Timeout != "" {
		if d, err := time.ParseDuration(p.SMTP.Timeout); err == nil {
			cfg.Probe.PhaseTimeout = d
		}
	}
	if p.POP3 != nil {
		cfg.POP3 = &probe.POP3Config{
			Session: probe.Session{
				Host:       p.POP3.Server,
				Port:       p.POP3.Port,
				Security:   p.POP3.Security,
				VerifyCert: p.POP3.VerifyCert == nil || *p.POP3.VerifyCert,
				AuthMethod: p.Email.AuthMethod,
				User:       p.POP3.User,
				Route:      probe.Route{ConnectTo: p.POP3.ConnectTo},
			},
		}
		cfg.POP3TokenFile = p.POP3.TokenFile
	}
	return cfg
}

// Run checks one device. It never returns nil; a check that could not run
// at all (an unreadable token file) has Verdict error and Error set.
func Run(ctx context.Context, cfg Config) *report.Report {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Lang == "" {
		cfg.Lang = "en"
	}
	now := cfg.Now()
	start := time.Now()
	// One budget for every network step of the check: the token endpoint,
	// the SMTP and POP3 probes and the network checks.
	budget := cfg.Probe.Timeout
	if budget <= 0 {
		budget = probe.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	red := cfg.Probe.Redactor
	if red == nil {
		red = &redact.Redactor{}
	}
	red.Add(cfg.Probe.Password)
	tr := redact.NewTranscript(time.Now(), red)
	cfg.Probe.Redactor = red
	cfg.Probe.Transcript = tr
	cfg.Probe.Now = cfg.Now

	info, setErr := checkToken(ctx, &cfg, red, now)
	if setErr == nil {
		setErr = checkPassword(cfg)
	}

	var (
		wg      sync.WaitGroup
		r       *report.Report
		pop     *report.POP3Report
		network *report.NetworkInfo
	)
	if setErr == nil {
		if cfg.POP3Only && cfg.POP3 != nil {
			r = emptyReport(cfg, now)
			r.Verdict = ""
		} else {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r = probe.SMTP(ctx, cfg.Probe)
			}()
		}
		if cfg.POP3 != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pop = runPOP3(ctx, cfg, red, tr)
			}()
		}
	}
	var tinfo *report.TenantInfo
	if cfg.TenantCheck != nil {
		red.Add(cfg.TenantCheck.ExchangeToken)
		red.Add(cfg.TenantCheck.GraphToken)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tinfo = tenant.Read(ctx, *cfg.TenantCheck)
		}()
	}
	var ident *report.DeviceIdentity
	if cfg.DeviceRead != nil && setErr == nil {
		if c := cfg.DeviceRead.Community; c != "" && c != device.DefaultCommunity {
			red.Add(c)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ident = readDevice(ctx, *cfg.DeviceRead, phaseTimeout(cfg))
		}()
	}
	if cfg.Network {
		wg.Add(1)
		go func() {
			defer wg.Done()
			network = netinfo.CollectNetwork(ctx, hostChecks(cfg), phaseTimeout(cfg))
		}()
	}
	wg.Wait()
	if r == nil {
		r = emptyReport(cfg, now)
		r.Error = setErr.Error()
		var ie *InputError
		if errors.As(setErr, &ie) {
			r.ErrorID = ie.ID
		}
	}
	// The whole check's time: the token check, then the SMTP and POP3
	// probes and the network checks side by side (the SMTP probe's own
	// figure would leave out a slower POP3 side).
	r.Duration = report.Duration(time.Since(start))
	r.POP3 = pop
	if cfg.POP3Only && pop != nil {
		r.Target = pop.Target
	}
	r.Token = info
	r.Network = network
	r.Tenant = tinfo
	r.DeviceIdentity = ident
	r.Transcript = tr.Lines()
	r.Tool = report.Tool{Name: "mfpcheck", Version: cfg.ToolVersion}
	r.Lang = cfg.Lang
	if h, err := os.Hostname(); err == nil {
		r.Host = h
	}
	if cfg.Profile != nil {
		r.Device = cfg.Profile.DeviceInfo()
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		r.Interrupted = true
	}
	// Everything the probes, the token check and the profile put into the
	// report is redacted and sanitized here, once, before the diagnosis and
	// every renderer read it; findings quote the report, and are scrubbed
	// once more for what they took from the profile.
	redact.Scrub(r, red)
	diagnoseIn(r, cfg, cfg.Lang, red)
	return r
}

// InLanguage returns a copy of r, a report of Run(cfg), with its findings
// in lang: what Run with that Lang would have reported, without checking
// the device again.
func InLanguage(r *report.Report, cfg Config, lang string) *report.Report {
	red := cfg.Probe.Redactor
	if red == nil {
		red = &redact.Redactor{}
		red.Add(cfg.Probe.Password)
		red.Add(cfg.Probe.Token)
	}
	c := *r
	diagnoseIn(&c, cfg, lang, red)
	return &c
}

// diagnoseIn sets r's findings (in lang, scrubbed), language and verdict.
func diagnoseIn(r *report.Report, cfg Config, lang string, red *redact.Redactor) {
	vendor := ""
	if cfg.Profile != nil {
		vendor = cfg.Profile.Device.Vendor
	}
	diagnose.Diagnose(r, cfg.Profile, diagnose.Options{Lang: lang, Vendor: vendor})
	redact.Scrub(&r.Findings, red)
}

// checkToken reads and inspects the OAuth token (refreshing it when asked)
// and puts the access token into the probe's configuration. A token file
// that exists but cannot be read is an error; a missing one is the device
// state "not obtained", which the diagnosis reports.
func checkToken(ctx context.Context, cfg *Config, red *redact.Redactor, now time.Time) (*report.TokenInfo, error) {
	oauth := cfg.Probe.AuthMethod == "oauth2" || (cfg.POP3 != nil && cfg.POP3.AuthMethod == "oauth2")
	if cfg.Probe.Token != "" {
		// Given directly (tests, --token-env already read by main).
		red.Add(cfg.Probe.Token)
		set, err := token.Parse(orDefault(cfg.Probe.TokenSource, "token"), []byte(cfg.Probe.Token))
		if err != nil {
			return nil, err
		}
		return token.Inspect(set, want(cfg), now), nil
	}
	var (
		set *token.Set
		err error
	)
	switch {
	case cfg.TokenEnv != "":
		set, err = token.FromEnv(cfg.TokenEnv, cfg.TokenEnvValue)
	case cfg.TokenFile != "":
		if _, statErr := os.Stat(cfg.TokenFile); errors.Is(statErr, os.ErrNotExist) {
			if !oauth {
				return nil, nil
			}
			// mfpcheck's input, not the device's state: the device keeps
			// its own token.
			return nil, &InputError{ID: diagnose.IDTokenFileMissing, Err: fmt.Errorf("token file %s does not exist", cfg.TokenFile)}
		}
		set, err = token.Load(cfg.TokenFile)
	default:
		// No token given: the probe runs up to the sign-in, which it
		// cannot test (auth.no_credentials).
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	red.Add(set.Access)
	red.Add(set.Refresh)
	info := token.Inspect(set, want(cfg), now)
	if cfg.Refresh {
		// Refresh stores the rotated refresh token itself (atomically, 0600)
		// when the token came from a file; a failed save comes back with
		// the new set.
		// The token endpoint is one step: one phase budget at most, and
		// never more than half of the time left, so a token endpoint that
		// does not answer still leaves the probe its turn.
		budget := phaseTimeout(*cfg)
		if dl, ok := ctx.Deadline(); ok {
			budget = min(budget, time.Until(dl)/2)
		}
		rctx, cancel := context.WithTimeout(ctx, budget)
		rn := token.Renew(rctx, endpoint(cfg), set, want(cfg), now)
		cancel()
		if rn.Set != nil {
			red.Add(rn.Set.Access)
			red.Add(rn.Set.Refresh)
			if rn.Err != nil {
				return nil, fmt.Errorf("save refreshed token: %w", rn.Err)
			}
			set = rn.Set
		}
		info = rn.Info
	}
	cfg.Probe.Token = set.Access
	cfg.Probe.TokenSource = set.Source
	if cfg.POP3 != nil {
		cfg.POP3.Token, cfg.POP3.TokenSource = set.Access, set.Source
		if cfg.POP3TokenFile != "" {
			popSet, err := token.Load(cfg.POP3TokenFile)
			if errors.Is(err, os.ErrNotExist) {
				return nil, &InputError{ID: diagnose.IDTokenFileMissing, Err: fmt.Errorf("POP3 token file %s does not exist", cfg.POP3TokenFile)}
			}
			if err != nil {
				return nil, fmt.Errorf("POP3 token: %w", err)
			}
			cfg.POP3.Token, cfg.POP3.TokenSource = "", cfg.POP3TokenFile
			if popSet != nil {
				red.Add(popSet.Access)
				red.Add(popSet.Refresh)
				cfg.POP3.Token = popSet.Access
			}
		}
	}
	return info, nil
}

// InputError is mfpcheck's own input that stops a check before anything
// is probed (a token file that does not exist, no password); ID is the
// catalogue entry that explains it and says what to do.
type InputError struct {
	ID  string
	Err error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// checkPassword stops a password sign-in that has no password to test
// with: that is mfpcheck's input, not the device's.
func checkPassword(cfg Config) error {
	given := ""
	if src := cfg.Probe.PasswordSource; src != "" {
		given = " (" + src + " is empty or not set)"
	}
	if cfg.Probe.AuthMethod == "basic" && cfg.Probe.Password == "" {
		return &InputError{ID: diagnose.IDNoPassword, Err: fmt.Errorf("the device signs in with a password, but mfpcheck was given none%s", given)}
	}
	if cfg.POP3 != nil && cfg.POP3.AuthMethod == "basic" && cfg.POP3.Password == "" && cfg.Probe.Password == "" {
		return &InputError{ID: diagnose.IDNoPassword, Err: fmt.Errorf("the device reads mail with a password, but mfpcheck was given none%s", given)}
	}
	return nil
}

func want(cfg *Config) token.Want {
	return token.Want{User: cfg.Probe.User, Tenant: cfg.Tenant, NeedPOP: cfg.POP3 != nil && cfg.POP3.AuthMethod == "oauth2"}
}

func endpoint(cfg *Config) token.Endpoint {
	return token.Endpoint{
		Authority:  cfg.Authority,
		Tenant:     cfg.Tenant,
		ClientID:   cfg.ClientID,
		Scopes:     token.DefaultScopes(cfg.POP3 != nil),
		HTTPClient: cfg.Probe.Route.HTTPClient(token.RequestTimeout),
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func phaseTimeout(cfg Config) time.Duration {
	if cfg.Probe.PhaseTimeout > 0 {
		return cfg.Probe.PhaseTimeout
	}
	return probe.DefaultPhaseTimeout
}

// hostChecks are the hosts a device needs: SMTP, POP3 and the sign-in host.
func hostChecks(cfg Config) []report.HostCheck {
	// A server reached at another address (--connect-to) is checked there.
	host, port := cfg.Probe.Route.Target(cfg.Probe.Host, orPort(cfg.Probe.Port, profile.DefaultPort(cfg.Probe.Security)))
	hosts := []report.HostCheck{{Role: "smtp", Host: host, Port: port}}
	if cfg.POP3 != nil {
		host, port := cfg.POP3.Route.Target(cfg.POP3.Host, cfg.POP3.Port)
		hosts = append(hosts, report.HostCheck{Role: "pop3", Host: host, Port: port})
	}
	if cfg.Probe.AuthMethod == "oauth2" {
		host, port := "login.microsoftonline.com", 443
		if u, err := url.Parse(cfg.Authority); err == nil && u.Hostname() != "" {
			host = u.Hostname()
			if p, err := strconv.Atoi(u.Port()); err == nil {
				port = p
			} else if u.Scheme == "http" {
				port = 80
			}
		}
		hosts = append(hosts, report.HostCheck{Role: "signin", Host: host, Port: port})
	}
	return hosts
}

func orPort(p, d int) int {
	if p == 0 {
		return d
	}
	return p
}

// emptyReport is the report of a check that could not start.
func emptyReport(cfg Config, now time.Time) *report.Report {
	return &report.Report{
		Schema:    report.Schema,
		Generated: now.UTC(),
		Target: report.Target{
			Host: cfg.Probe.Host, Port: cfg.Probe.Port, Security: cfg.Probe.Security,
			VerifyCert: cfg.Probe.VerifyCert, User: cfg.Probe.User, AuthMethod: cfg.Probe.AuthMethod,
		},
		Phases:     []report.Phase{},
		Transcript: []report.TranscriptLine{},
		Findings:   []report.Finding{},
		Verdict:    report.VerdictError,
	}
}
