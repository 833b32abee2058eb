package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// tokenFlags are the flags "token" and "login" share.
type tokenFlags struct {
	profile   string
	tokenFile string
	env       string
	user      string
	tenant    string
	clientID  string
	authority string
	refresh   bool
	pop       bool
	jsonOut   bool
	lang      string
	proxy     string
}

func (f *tokenFlags) register(fs *flag.FlagSet, login bool) {
	fs.StringVar(&f.profile, "profile", "", "device profile (YAML)")
	fs.StringVar(&f.tokenFile, "token-file", "", "token file (default: the profile's oauth.token_file)")
	fs.StringVar(&f.user, "user", "", "the mailbox the device signs in as")
	fs.StringVar(&f.tenant, "tenant", "", "Entra ID tenant: GUID, domain or organizations")
	fs.StringVar(&f.clientID, "client-id", "", "the app registration's Application (client) ID")
	fs.StringVar(&f.authority, "authority", "", "sign-in host (default https://login.microsoftonline.com)")
	fs.BoolVar(&f.jsonOut, "json", false, "print the report as JSON (schema mfpcheck.report/v1)")
	fs.StringVar(&f.lang, "lang", "", "language of the findings: en | de | fr")
	fs.StringVar(&f.proxy, "proxy", "", "reach the sign-in endpoint through socks5://HOST:PORT or http://HOST:PORT (default: HTTPS_PROXY)")
	if login {
		fs.BoolVar(&f.pop, "pop", false, "also ask for POP.AccessAsUser.All (the device reads mail over POP3)")
	} else {
		fs.StringVar(&f.env, "token-env", "", "read the token from this environment variable")
		fs.StringVar(&f.env, "env", "", deprecatedUsage("token-env"))
		fs.BoolVar(&f.refresh, "refresh", false, "exchange the refresh token for a new access token and save it")
	}
}

// tokenSetup is what the flags and the profile say about the token.
type tokenSetup struct {
	profile *profile.Profile
	file    string
	want    token.Want
	ep      token.Endpoint
	// red is the run's redactor: every token read or received is added
	// before anything is printed.
	red *redact.Redactor
}

// addSet registers a token set's secrets.
func (ts *tokenSetup) addSet(s *token.Set) {
	if s != nil {
		ts.red.Add(s.Access)
		ts.red.Add(s.Refresh)
	}
}

func (a *app) tokenSetup(f tokenFlags) (*tokenSetup, error) {
	ts := &tokenSetup{file: f.tokenFile, red: a.secrets()}
	if f.profile != "" {
		p, err := profile.Load(f.profile)
		if err != nil {
			return nil, err
		}
		ts.profile = p
		if ts.file == "" {
			ts.file = p.OAuth.TokenFile
		}
		ts.want.User = p.SMTP.User
		ts.want.Tenant = p.OAuth.Tenant
		ts.want.NeedPOP = p.POP3 != nil && p.Email.AuthMethod == "oauth2"
		ts.ep = token.Endpoint{Authority: p.OAuth.Authority, Tenant: p.OAuth.Tenant, ClientID: p.OAuth.ClientID,
			Scopes: token.DefaultScopes(ts.want.NeedPOP)}
	}
	if f.user != "" {
		ts.want.User = f.user
	}
	if f.tenant != "" {
		ts.want.Tenant, ts.ep.Tenant = f.tenant, f.tenant
	}
	if f.clientID != "" {
		ts.ep.ClientID = f.clientID
	}
	if f.authority != "" {
		ts.ep.Authority = f.authority
	}
	if f.pop {
		ts.want.NeedPOP = true
	}
	ts.ep.Scopes = token.DefaultScopes(ts.want.NeedPOP)
	if f.proxy != "" {
		px, err := probe.ParseProxy(f.proxy)
		if err != nil {
			return nil, fmt.Errorf("--proxy: %w", err)
		}
		ts.ep.HTTPClient = probe.Route{Proxy: px}.HTTPClient(token.RequestTimeout)
	}
	return ts, nil
}

// tokenArgs reads the flags of "token" or "login" (name) and what they
// and the profile say about the token; false with the exit code when the
// command cannot run.
func (a *app) tokenArgs(name string, args []string) (tokenFlags, *tokenSetup, int, bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var f tokenFlags
	f.register(fs, name == "login")
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return f, nil, code, false
	}
	if len(pos) > 0 {
		return f, nil, a.usageError(name, "unexpected argument %q", pos[0]), false
	}
	ts, err := a.tokenSetup(f)
	if err != nil {
		return f, nil, a.inputError(name, err), false
	}
	return f, ts, 0, true
}

// cmdToken runs "mfpcheck token": read a token, show what it says, refresh
// it on request, and diagnose it.
func (a *app) cmdToken(ctx context.Context, args []string) int {
	f, ts, code, ok := a.tokenArgs("token", args)
	if !ok {
		return code
	}
	now := a.now()
	var (
		set *token.Set
		err error
	)
	switch {
	case f.env != "":
		set, err = token.FromEnv(f.env, a.getenv(f.env))
	case ts.file != "":
		set, err = token.Load(ts.file)
	default:
		a.errorf("token: no token given")
		a.hintf("use --token-file FILE, --token-env NAME or a --profile with oauth.token_file")
		return ExitError
	}
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) {
			a.errorLines(err)
			a.hintf("no token there yet: \"mfpcheck login\" signs the scan mailbox in and writes it (README \"Check a real device\")")
			return ExitError
		}
		return a.inputError("token", err)
	}
	ts.addSet(set)
	info := token.Inspect(set, ts.want, now)
	if f.refresh {
		var ok bool
		if info, ok = a.tokenRefresh(ctx, ts, f, set, info, now); !ok {
			return ExitError
		}
	}
	return a.tokenReport(ts, info, f, nil)
}

// tokenRefresh runs token --refresh: it exchanges the refresh token
// (token.Renew saves the new one over the file it came from) and returns
// the token facts to report; false when the command could not run (an
// error was printed).
func (a *app) tokenRefresh(ctx context.Context, ts *tokenSetup, f tokenFlags, set *token.Set, info *report.TokenInfo, now time.Time) (*report.TokenInfo, bool) {
	// A refresh needs the app the token was issued to; without
	// --client-id or a profile, the token's own appid/azp claim names it
	// (and its tid claim the tenant).
	if ts.ep.ClientID == "" && info.AppID != "" {
		ts.ep.ClientID = info.AppID
		fmt.Fprintf(a.stderr, "mfpcheck: refreshing for client id %s (the token's appid/azp claim)\n", info.AppID)
	}
	if ts.ep.Tenant == "" && info.Tenant != "" {
		ts.ep.Tenant = info.Tenant
	}
	switch {
	case set.Refresh == "":
		info.RefreshError = token.ErrNoRefreshToken.Error()
	case ts.ep.ClientID == "":
		a.errorf("token --refresh: no client ID (the token names none either)")
		a.hintf("give --client-id (and --tenant), or a --profile with oauth.client_id")
		return nil, false
	default:
		rn := token.Renew(ctx, ts.ep, set, ts.want, now)
		ts.addSet(rn.Set)
		var ee *token.EntraError
		if rn.Err != nil && rn.Set == nil && !errors.As(rn.Err, &ee) && !errors.Is(rn.Err, token.ErrNoRefreshToken) {
			// Entra ID gave no answer: nothing is known about the
			// refresh token, so the command could not run.
			a.errorf("token --refresh: %v", ts.red.Redact(rn.Err.Error()))
			a.unreachableHint()
			return nil, false
		}
		if rn.Err != nil && rn.Set != nil {
			a.errorf("%v", rn.Err) // refreshed, but the file could not be written
			return nil, false
		}
		info = rn.Info
		if rn.Set != nil && f.env != "" {
			a.hintf("the refreshed token was not saved: it came from $%s", f.env)
		}
	}
	return info, true
}

// tokenReport diagnoses the token data and prints it (prose or JSON);
// extra findings (a sign-in error explained) come first. The exit code
// follows the verdict.
func (a *app) tokenReport(ts *tokenSetup, info *report.TokenInfo, f tokenFlags, extra []report.Finding) int {
	lang := a.lang(f.lang)
	r := &report.Report{
		Schema: report.Schema, Tool: report.Tool{Name: "mfpcheck", Version: version},
		Generated: a.now().UTC(), Lang: lang, Token: info,
		Target:     report.Target{User: ts.want.User, AuthMethod: "oauth2", Mechanism: "XOAUTH2"},
		Phases:     []report.Phase{},
		Transcript: []report.TranscriptLine{},
		Findings:   []report.Finding{},
	}
	vendor := ""
	if ts.profile != nil {
		r.Device = ts.profile.DeviceInfo()
		vendor = ts.profile.Device.Vendor
	}
	// The same redaction and sanitizing as a probe's report (check.Run):
	// a token endpoint's error may quote the refresh token it was sent.
	redact.Scrub(r, ts.red)
	diagnose.Diagnose(r, ts.profile, diagnose.Options{Lang: lang, Vendor: vendor})
	if len(extra) > 0 {
		r.Findings = append(extra, r.Findings...)
		r.Verdict = diagnose.Verdict(r)
	}
	redact.Scrub(&r.Findings, ts.red)
	if f.jsonOut {
		if err := render.JSON(a.stdout, r); err != nil {
			a.errorf("write report: %v", err)
			return ExitError
		}
		return verdictExit(r.Verdict)
	}
	render.TokenSummary(a.stdout, info, vendor)
	if len(r.Findings) > 0 {
		fmt.Fprintln(a.stdout)
		render.Findings(a.stdout, r.Findings, render.FindingOptions{Lang: lang, Vendor: vendor, Color: a.color()})
	}
	fmt.Fprintf(a.stdout, "\nverdict: %s\n", r.Verdict)
	return verdictExit(r.Verdict)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
