package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// tenantDetails is the part of "tenant --help" after the summary.
const tenantDetails = `An administrator signs in twice with a device code, with Microsoft's own
public clients (Exchange Online PowerShell for Exchange's settings,
Microsoft Graph Command Line Tools for Graph), so nothing has to be
registered first. The admin tokens are kept only with --save DIR (mode 0600);
--admin-tokens DIR uses saved ones, and so do probe --tenant-check and demo.

Reads (read-only): SMTP AUTH of the organisation (Get-TransportConfig) and of
the mailbox (Get-CASMailbox: true, false or empty = follows the
organisation), the authentication policy (Get-OrganizationConfig, Get-User,
Get-AuthenticationPolicy), RejectDirectSend, security defaults, Conditional
Access, the mailbox's recent sign-ins (needs Entra ID P1) or else the email
app usage report. Exchange's settings come through the endpoint Exchange
Online PowerShell uses, which Microsoft does not document: they are marked
unofficial, and anything unexpected reads as "could not read".

Roles: View-Only Organization Management (Exchange); Security Reader or
Global Reader (policies); Reports Reader (sign-ins, usage).`

// Admin token files in a --save / --admin-tokens folder.
const (
	exchangeTokenFile = "exchange-admin.json"
	graphTokenFile    = "graph-admin.json"
)

type tenantFlags struct {
	profile     string
	tenantName  string
	user        string
	authMethod  string
	adminTokens string
	save        string
	authority   string
	exchangeURL string
	graphURL    string
	timeout     time.Duration
	jsonOut     bool
	lang        string
}

func (f *tenantFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "device profile (YAML): the tenant and the scan mailbox come from it")
	fs.StringVar(&f.tenantName, "tenant", "", "tenant (contoso.onmicrosoft.com or its GUID)")
	fs.StringVar(&f.user, "user", "", "the scan mailbox (user principal name)")
	fs.StringVar(&f.authMethod, "auth", "", "how the device signs in: oauth2 | basic | none (default from the profile, else oauth2)")
	fs.StringVar(&f.adminTokens, "admin-tokens", "", "folder with saved admin tokens ("+exchangeTokenFile+", "+graphTokenFile+") instead of signing in")
	fs.StringVar(&f.save, "save", "", "keep the admin tokens in this folder (mode 0600) for later runs")
	fs.StringVar(&f.authority, "authority", "", "sign-in authority (default https://login.microsoftonline.com)")
	fs.StringVar(&f.exchangeURL, "exchange-url", "", "Exchange Online endpoint (default "+tenant.DefaultExchange+")")
	fs.StringVar(&f.graphURL, "graph-url", "", "Microsoft Graph endpoint (default "+tenant.DefaultGraph+")")
	fs.DurationVar(&f.timeout, "timeout", tenant.DefaultTimeout, "bound for all reads")
	fs.BoolVar(&f.jsonOut, "json", false, "print the report (with its tenant object) as JSON")
	fs.StringVar(&f.lang, "lang", "", "language: en | de | fr")
}

// cmdTenant runs "mfpcheck tenant".
func (a *app) cmdTenant(ctx context.Context, args []string) int {
	if len(args) > 0 && args[0] == "register-app" {
		return a.cmdRegisterApp(ctx, args[1:])
	}
	fs := flag.NewFlagSet("tenant", flag.ContinueOnError)
	var f tenantFlags
	f.register(fs)
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		a.errorf("tenant: unexpected arguments: %s", strings.Join(pos, " "))
		a.hintf("run \"mfpcheck tenant --help\"")
		return ExitError
	}
	cfg, method, err := a.tenantConfig(f)
	if err != nil {
		a.errorf("tenant: %v", err)
		a.hintf("give --profile FILE, or --tenant and --user")
		return ExitError
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout+10*time.Minute) // the sign-ins wait for a person
	defer cancel()
	if code, ok := a.adminTokens(ctx, f, &cfg); !ok {
		return code
	}
	rctx, rcancel := context.WithTimeout(ctx, f.timeout)
	defer rcancel()
	return a.tenantReport(cfg, method, tenant.Read(rctx, cfg), f)
}

// tenantReport diagnoses what was read of the tenant, prints it and maps
// its verdict to the exit code; the admin tokens are scrubbed from it.
func (a *app) tenantReport(cfg tenant.Config, method report.AuthMethod, info *report.TenantInfo, f tenantFlags) int {
	r := &report.Report{Schema: report.Schema, Generated: a.now(), Tool: report.Tool{Name: "mfpcheck", Version: version},
		Target: report.Target{User: cfg.User, AuthMethod: method}, Phases: []report.Phase{}, Transcript: []report.TranscriptLine{}, Tenant: info}
	red := &redact.Redactor{}
	red.Add(cfg.ExchangeToken)
	red.Add(cfg.GraphToken)
	redact.Scrub(r, red)
	l := a.lang(f.lang)
	diagnose.DiagnoseTenant(r, diagnose.Options{Lang: l})
	redact.Scrub(&r.Findings, red)
	if f.jsonOut {
		if err := render.JSON(a.stdout, r); err != nil {
			a.errorf("%v", err)
			return ExitError
		}
	} else {
		render.Tenant(a.stdout, info, l)
		fmt.Fprintln(a.stdout)
		render.Findings(a.stdout, r.Findings, render.FindingOptions{Lang: l, Color: a.color()})
	}
	return verdictExit(r.Verdict)
}

// tenantConfig is the tenant, the mailbox and the device's sign-in method
// from the profile and the flags.
func (a *app) tenantConfig(f tenantFlags) (tenant.Config, report.AuthMethod, error) {
	cfg := tenant.Config{Tenant: f.tenantName, User: f.user, Exchange: f.exchangeURL, Graph: f.graphURL, Now: a.now}
	method := report.AuthMethod(f.authMethod)
	if f.profile != "" {
		p, err := profile.Load(f.profile)
		if err != nil {
			return cfg, "", err
		}
		if cfg.Tenant == "" {
			cfg.Tenant = p.OAuth.Tenant
		}
		if cfg.User == "" {
			cfg.User = firstNonEmpty(p.SMTP.User, p.Email.Sender)
		}
		if method == "" {
			method = p.Email.AuthMethod
		}
	}
	if method == "" {
		method = "oauth2"
	}
	switch {
	case cfg.Tenant == "":
		return cfg, "", errors.New("no tenant: the profile's oauth.tenant or --tenant")
	case cfg.User == "":
		return cfg, "", errors.New("no scan mailbox: the profile's smtp.user or --user")
	}
	return cfg, method, nil
}

// adminTokens fills cfg's admin tokens from --admin-tokens, or signs an
// administrator in (twice: Exchange, then Graph) and keeps the tokens with
// --save.
func (a *app) adminTokens(ctx context.Context, f tenantFlags, cfg *tenant.Config) (int, bool) {
	if f.adminTokens != "" {
		ex, gr, err := a.loadAdminTokens(f.adminTokens)
		if err != nil {
			a.errorf("tenant: %v", err)
			a.hintf("save admin tokens with: mfpcheck tenant --profile FILE --save %s", f.adminTokens)
			return ExitError, false
		}
		cfg.ExchangeToken, cfg.GraphToken = ex, gr
		return 0, true
	}
	if f.save != "" {
		if err := os.MkdirAll(f.save, 0o700); err != nil {
			a.errorf("tenant: --save: %v", err)
			return ExitError, false
		}
	}
	sign := []adminSignIn{
		{"Exchange Online (to read the SMTP AUTH settings)", tenant.ExchangeClientID, exchangeTokenFile, []string{tenant.ExchangeScope, "offline_access"}, &cfg.ExchangeToken},
		{"Microsoft Graph (to read security defaults, Conditional Access and sign-ins)", tenant.GraphClientID, graphTokenFile, tenant.GraphScopes, &cfg.GraphToken},
	}
	for _, s := range sign {
		if !a.adminSignIn(ctx, f, cfg.Tenant, s) {
			return ExitError, false
		}
	}
	if f.save != "" {
		fmt.Fprintf(a.stderr, "mfpcheck: admin tokens kept in %s (mode 0600); use them with --admin-tokens %s\n", f.save, f.save)
	}
	return 0, true
}

// adminSignIn is one of the administrator's sign-ins: for what, with
// which client and scopes, kept in which file of --save, into which of
// tenant.Config's tokens.
type adminSignIn struct {
	what, client, file string
	scopes             []string
	into               *string
}

// adminSignIn signs an administrator in for s (device code) and keeps the
// token with --save, saying what went wrong when it could not.
func (a *app) adminSignIn(ctx context.Context, f tenantFlags, tenantName string, s adminSignIn) bool {
	ep := token.Endpoint{Authority: f.authority, Tenant: tenantName, ClientID: s.client, Scopes: s.scopes, Wait: a.wait}
	fmt.Fprintf(a.stderr, "mfpcheck: an administrator signs in for %s:\n", s.what)
	set, err := token.DeviceLogin(ctx, ep, func(dc token.DeviceCode) {
		fmt.Fprintf(a.stderr, "  open %s and enter the code %s (valid %d minutes)\n", dc.VerificationURI, dc.UserCode, int(dc.ExpiresIn.Minutes()))
	}, a.now)
	if err != nil {
		a.errorf("tenant: admin sign-in: %v", err)
		var ee *token.EntraError
		if errors.As(err, &ee) && ee.Has(53003) {
			a.hintf("a Conditional Access policy blocks device-code sign-in (Microsoft's managed \"Block device code flow\" among them): exclude this administrator, or run it from a compliant device")
		} else {
			a.hintf("sign in as an administrator with the roles listed in mfpcheck tenant --help")
		}
		return false
	}
	*s.into = set.Access
	if f.save != "" {
		if err := token.Save(filepath.Join(f.save, s.file), set); err != nil {
			a.errorf("tenant: %v", err)
			return false
		}
	}
	return true
}

// loadAdminTokens reads the access tokens of a --save folder.
func (a *app) loadAdminTokens(dir string) (exchange, graph string, err error) {
	for _, t := range []struct {
		file string
		into *string
	}{{exchangeTokenFile, &exchange}, {graphTokenFile, &graph}} {
		s, err := a.loadAdminToken(filepath.Join(dir, t.file))
		if err != nil {
			return "", "", err
		}
		*t.into = s.Access
	}
	return exchange, graph, nil
}

// loadAdminToken reads one admin token file and registers its tokens
// (access and refresh) as the run's secrets, so that no error, hint or
// report prints them, whatever a token endpoint or tenant echoes.
func (a *app) loadAdminToken(path string) (*token.Set, error) {
	s, err := token.Load(path)
	a.registerSet(s)
	return s, err
}

// registerSet registers a token set's tokens as the run's secrets.
func (a *app) registerSet(s *token.Set) {
	if s != nil {
		a.secrets().Add(s.Access)
		a.secrets().Add(s.Refresh)
	}
}

// writeAdminTokens writes admin token files (the demo's kit).
func writeAdminTokens(dir, exchange, graph string, expiry time.Time) error {
	for file, tok := range map[string]string{exchangeTokenFile: exchange, graphTokenFile: graph} {
		if err := token.Save(filepath.Join(dir, file), &token.Set{Access: tok, Expiry: expiry}); err != nil {
			return err
		}
	}
	return nil
}

// tenantCheck is probe's --tenant-check: the tenant reads with saved admin
// tokens, for the profile's tenant and mailbox.
func (a *app) tenantCheck(p *profile.Profile, user, dir, exchangeURL, graphURL string) (*tenant.Config, error) {
	if dir == "" {
		return nil, errors.New("no admin tokens: give --admin-tokens DIR")
	}
	if p == nil || p.OAuth.Tenant == "" {
		return nil, errors.New("no tenant: the profile's oauth.tenant")
	}
	ex, gr, err := a.loadAdminTokens(dir)
	if err != nil {
		return nil, err
	}
	return &tenant.Config{Tenant: p.OAuth.Tenant, User: user, ExchangeToken: ex, GraphToken: gr, Exchange: exchangeURL, Graph: graphURL, Now: a.now}, nil
}
