package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
)

// probeFlags are the flags of "probe": the check's overrides (every
// profile field can be given or overridden, so a probe needs no profile)
// and how the report is shown.
type probeFlags struct {
	profile string
	check.Overrides
	askPassword bool
	jsonOut     bool
	transcript  bool
	lang        string
	sheet       string
	force       bool
	nagios      bool
	tenant      tenantCheckFlags
	print       printFlags
	noDevice    bool
}

func (f *probeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "device profile (YAML)")
	fs.StringVar(&f.User, "user", "", "authentication address (SMTP user)")
	fs.StringVar(&f.Sender, "sender", "", "sender address (MAIL FROM; default: the user)")
	fs.StringVar(&f.Security, "security", "", "starttls | tls | none (default starttls)")
	fs.IntVar(&f.Port, "port", 0, "SMTP port (default 587, 465 with --security tls)")
	fs.StringVar(&f.AuthMethod, "auth", "", "oauth2 | basic | none (default oauth2 with a token, basic with a password, else none)")
	fs.StringVar(&f.TokenFile, "token-file", "", "OAuth token file (bare token, oauth2 token JSON or token-endpoint response)")
	fs.StringVar(&f.TokenEnv, "token-env", "", "environment variable holding the access token")
	fs.StringVar(&f.PasswordEnv, "password-env", "", "environment variable holding the password (basic auth)")
	fs.BoolVar(&f.askPassword, "password-prompt", false, "ask for the password on the terminal (basic auth)")
	fs.StringVar(&f.CAFile, "ca", "", "verify the server against the CA certificates in this PEM file instead of the system roots")
	fs.BoolVar(&f.Insecure, "insecure", false, "do not stop on certificate errors (the report says so)")
	fs.StringVar(&f.SendTo, "send-to", "", "send a short test message to this address (the only way to see SendAsDenied)")
	fs.BoolVar(&f.NoEnvelope, "no-envelope", false, "skip MAIL FROM / RCPT TO")
	fs.BoolVar(&f.AsDevice, "as-device", false, "behave like the device (profile capabilities, or --max-tls/--helo/--mechanisms)")
	fs.StringVar(&f.MaxTLS, "max-tls", "", "highest TLS version the device can do: 1.0 | 1.1 | 1.2 | 1.3")
	fs.BoolVar(&f.HELO, "helo", false, "greet with HELO instead of EHLO, like some old devices")
	fs.StringVar(&f.Mechanisms, "mechanisms", "", "the device's SASL mechanisms, comma separated (e.g. PLAIN,LOGIN)")
	fs.DurationVar(&f.Timeout, "timeout", probe.DefaultTimeout, "bound for the whole probe")
	fs.DurationVar(&f.PhaseTimeout, "phase-timeout", probe.DefaultPhaseTimeout, "bound for each phase")
	fs.BoolVar(&f.Refresh, "refresh", false, "refresh the OAuth token first (saves the rotated refresh token)")
	fs.StringVar(&f.Authority, "authority", "", "sign-in authority (default https://login.microsoftonline.com)")
	fs.BoolVar(&f.jsonOut, "json", false, "print the report as JSON (schema mfpcheck.report/v1)")
	fs.BoolVar(&f.transcript, "transcript", false, "print the redacted transcript")
	fs.StringVar(&f.lang, "lang", "", "language of the findings: en | de | fr (default from LC_ALL/LC_MESSAGES/LANG)")
	fs.StringVar(&f.sheet, "sheet", "", "also write the PDF status sheet to this file (or into this folder)")
	fs.BoolVar(&f.force, "force", false, "with --sheet: overwrite the file if it exists")
	f.print.register(fs)
	fs.StringVar(&f.ConnectTo, "connect-to", "", "dial HOST:PORT instead of the server, keeping the server's name for TLS and the report (like curl)")
	fs.StringVar(&f.POP3, "pop3", "", "probe this POP3 server (HOST[:PORT], default port 995 with TLS) instead of SMTP")
	fs.StringVar(&f.Proxy, "proxy", "", "reach the servers and the sign-in endpoints through socks5://[USER:PASS@]HOST:PORT or http://HOST:PORT (CONNECT)")
	f.tenant.register(fs)
	fs.BoolVar(&f.noDevice, "no-device-read", false, "do not ask the device (the profile's device.address) for its model and firmware over IPP/SNMP")
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
	if !a.applyTenantCheck("probe", f.tenant, &cfg) {
		return ExitError
	}
	out, err := newSheetOutput(f.sheet, f.force)
	if err != nil {
		a.sheetError(err, "--force")
		return ExitError
	}
	out.Wait = f.Timeout
	if code, ok := a.probePrint(&out, f, cfg); !ok {
		return code
	}
	r := check.Run(ctx, cfg)
	if f.nagios {
		if err := render.Nagios(a.stdout, r); err != nil {
			a.errorf("write report: %v", err)
			return ExitError
		}
		return verdictExit(r.Verdict)
	}
	return a.report(ctx, r, f.jsonOut, f.transcript, out)
}

// report prints a report, writes its sheet when one was asked for, and
// maps its verdict to the exit code.
func (a *app) report(ctx context.Context, r *report.Report, jsonOut, transcript bool, out sheetOutput) int {
	var err error
	printed := ExitOK
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
	if out.Set() {
		path, pdf, err := out.Write(ctx, r, sheetLang(r), a.now())
		if err != nil {
			a.sheetError(err, "--force")
			return ExitError
		}
		fmt.Fprintf(a.stderr, "mfpcheck: status sheet written to %s\n", path)
		if out.send != nil {
			printed = out.send(ctx, r, pdf)
		}
	}
	if r.Verdict == report.VerdictError && !jsonOut {
		a.couldNotTest(r)
	}
	return worseExit(verdictExit(r.Verdict), printed)
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
	o := check.Options{
		ProfileFile: f.profile, Args: pos, Overrides: f.Overrides,
		Getenv: a.getenv, Redactor: a.secrets(),
		Lang: a.lang(f.lang), ToolVersion: version, Now: a.now,
		Network: f.sheet != "", NoDeviceRead: f.noDevice,
	}
	if f.askPassword {
		o.AskPassword = a.promptPassword
	}
	return o.Config()
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

// tenantCheckFlags are --tenant-check and its options for a command that
// checks one device (probe, sheet --profile).
type tenantCheckFlags struct {
	on          bool
	adminTokens string
	exchangeURL string
	graphURL    string
}

func (f *tenantCheckFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "tenant-check", false, "also read what the tenant decides for the mailbox (needs --admin-tokens from mfpcheck tenant --save)")
	fs.StringVar(&f.adminTokens, "admin-tokens", "", "with --tenant-check: folder of saved admin tokens (mfpcheck tenant --save DIR)")
	fs.StringVar(&f.exchangeURL, "exchange-url", "", "with --tenant-check: Exchange Online endpoint (default "+tenant.DefaultExchange+")")
	fs.StringVar(&f.graphURL, "graph-url", "", "with --tenant-check: Microsoft Graph endpoint (default "+tenant.DefaultGraph+")")
}

// applyTenantCheck sets cfg's tenant reads when --tenant-check was given;
// false (after saying why) when the admin tokens cannot be used.
func (a *app) applyTenantCheck(cmd string, f tenantCheckFlags, cfg *check.Config) bool {
	if !f.on {
		return true
	}
	tc, err := a.tenantCheck(cfg.Profile, cfg.Probe.User, f.adminTokens, f.exchangeURL, f.graphURL)
	if err != nil {
		a.errorf("%s: --tenant-check: %v", cmd, err)
		a.hintf("save admin tokens first: mfpcheck tenant --profile FILE --save DIR, then --admin-tokens DIR")
		return false
	}
	cfg.TenantCheck = tc
	return true
}
