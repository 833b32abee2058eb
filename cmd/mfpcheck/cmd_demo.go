package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/exporter"
	"github.com/mfpcheck/mfpcheck/diag/suggest"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
	"github.com/mfpcheck/mfpcheck/diag/token"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/tenantsim"
)

// defaultScenario is what "mfpcheck demo" shows with no --scenario: the most
// common real failure, a mailbox whose SMTP AUTH is off (the Ricoh guide's
// "535 when the provider is Microsoft").
const defaultScenario = "mailbox-auth-disabled"

// demoPhaseTimeout keeps the silent-server scenario short in a demo.
const demoPhaseTimeout = 3 * time.Second

type demoFlags struct {
	scenario      string
	list          bool
	serve         bool
	dir           string
	sheet         string
	tui           bool
	batch         bool
	format        string
	jsonOut       bool
	transcript    bool
	lang          string
	refresh       bool
	login         bool
	sheetsDir     string
	exporter      bool
	tenantCheck   bool
	tenantVariant string
	listen        string
	force         bool
	// out is --sheet, checked before the simulator starts.
	out sheetOutput
}

// cmdDemo runs "mfpcheck demo": the built-in Exchange Online simulator on
// loopback, probed as a configured device would. No account, no network.
func (a *app) cmdDemo(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var f demoFlags
	fs.StringVar(&f.scenario, "scenario", defaultScenario, "simulator scenario (see --list)")
	fs.BoolVar(&f.list, "list", false, "list the scenarios")
	fs.BoolVar(&f.serve, "serve", false, "run the simulator in the foreground until interrupted")
	fs.StringVar(&f.dir, "dir", "", "with --serve: folder for ca.pem, token.json and profile.yaml (default: a new temporary folder)")
	fs.StringVar(&f.sheet, "sheet", "", "also write the PDF status sheet to this file (or into this folder)")
	fs.BoolVar(&f.force, "force", false, "with --sheet: overwrite the file if it exists")
	fs.BoolVar(&f.tui, "tui", false, "open the terminal UI over a simulated fleet of every scenario")
	fs.BoolVar(&f.batch, "batch", false, "run batch mode over a simulated fleet of every scenario")
	fs.StringVar(&f.format, "format", "text", "with --batch: text | json | jsonl | csv | openmetrics")
	fs.StringVar(&f.sheetsDir, "sheets", "", "with --batch: write one PDF status sheet per device and a fleet summary into this folder")
	fs.BoolVar(&f.tenantCheck, "tenant-check", false, "also read the simulated tenant's settings with a simulated admin sign-in")
	fs.StringVar(&f.tenantVariant, "tenant-variant", "", "with --tenant-check: "+strings.Join(tenantsim.Variants, " | ")+" (a tenant without Entra ID P1, an admin without the Exchange role, an unexpected answer)")
	fs.BoolVar(&f.exporter, "exporter", false, "serve a simulated fleet of every scenario as a Prometheus exporter (see mfpcheck serve)")
	fs.StringVar(&f.listen, "listen", exporter.DefaultListen, "with --exporter: address to listen on")
	fs.BoolVar(&f.jsonOut, "json", false, "print the report as JSON")
	fs.BoolVar(&f.transcript, "transcript", false, "print the redacted transcript")
	fs.StringVar(&f.lang, "lang", "", "language of the findings: en | de | fr")
	fs.BoolVar(&f.refresh, "refresh", false, "refresh the simulated device's token at the simulated Entra ID first")
	fs.BoolVar(&f.login, "login", false, "sign the simulated device in with a device code at the simulated Entra ID, then check it")
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return a.usageError("demo", "unexpected arguments: %s", strings.Join(pos, " "))
	}
	switch {
	case f.list:
		for _, s := range exosim.Scenarios() {
			fmt.Fprintf(a.stdout, "%-22s %s\n", s.Name, s.Title)
		}
		return ExitOK
	case f.tui:
		return a.demoTUI(ctx, f)
	case f.batch:
		return a.demoBatch(ctx, f)
	case f.exporter:
		return a.demoExporter(ctx, f.listen)
	}
	if code, ok := a.demoScenario(&f); !ok {
		return code
	}
	if f.serve {
		return a.demoServe(ctx, f)
	}
	return a.demoProbe(ctx, f)
}

// demoScenario resolves f.scenario to its scenario's name and checks
// --sheet. ok is false when the command must end with code.
func (a *app) demoScenario(f *demoFlags) (code int, ok bool) {
	sc, ok := lookupScenario(f.scenario)
	if !ok {
		a.errorf("unknown scenario %q", f.scenario)
		if h := suggest.Hint(f.scenario, exosim.Names()); h != "" {
			a.hintf("%s (mfpcheck demo --list shows them all)", h)
		} else {
			a.hintf("mfpcheck demo --list shows the scenarios")
		}
		return ExitError, false
	}
	f.scenario = sc.Name
	var err error
	if f.out, err = newSheetOutput(f.sheet, f.force); err != nil {
		a.sheetError(err, "--force")
		return ExitError, false
	}
	return ExitOK, true
}

// demoProbe is "mfpcheck demo" without --serve: it starts the simulator
// and its Entra ID, then checks the simulated device (or signs it in,
// --login) and reports.
func (a *app) demoProbe(ctx context.Context, f demoFlags) int {
	sim, err := exosim.Start(ctx, exosim.Options{Scenario: f.scenario, Now: a.now, POP3: true, RealNames: true})
	if err != nil {
		a.errorf("start simulator: %v", err)
		return ExitError
	}
	defer sim.Close()
	authority, stopEntra, err := startEntra(sim, a.now)
	if err != nil {
		a.errorf("start the simulated Entra ID: %v", err)
		return ExitError
	}
	defer stopEntra()
	if !f.jsonOut {
		fmt.Fprintf(a.stdout, "demo: Exchange Online simulator on %s, scenario %q (list: mfpcheck demo --list)\n", sim.SMTPAddr(), f.scenario)
		fmt.Fprintf(a.stdout, "demo: the device is set to %s:587; the probe dials the simulator instead (--connect-to) and checks the certificate for %s\n\n", exosim.SMTPHost, exosim.SMTPHost)
	}
	if f.login {
		return a.demoLogin(ctx, sim, authority, f)
	}
	cfg := a.simCheck(sim, a.lang(f.lang), f.sheet != "")
	if f.tenantCheck {
		url, stopTenant := startTenant(sim, f.tenantVariant, a.now)
		defer stopTenant()
		cfg.TenantCheck = &tenant.Config{Tenant: exosim.TenantID, User: cfg.Probe.User,
			ExchangeToken: tenantsim.ExchangeToken, GraphToken: tenantsim.GraphToken, Exchange: url, Graph: url, Now: a.now}
	}
	cfg.Authority = authority
	cfg.Refresh = f.refresh
	r := check.Run(ctx, cfg)
	return a.report(ctx, r, f.jsonOut, f.transcript, f.out)
}

// simCheck is the check of a simulated device: its profile, the
// simulator's CA and password, and a test message where the scenario
// needs one (SendAsDenied, mailbox full, rate limits show only after DATA).
func (a *app) simCheck(sim *exosim.Sim, lang string, network bool) check.Config {
	cfg := simcheck.Config(sim, a.getenv, demoPhaseTimeout)
	cfg.Lang = lang
	cfg.ToolVersion = version
	cfg.Now = a.now
	cfg.Network = network
	return cfg
}

// demoServe runs the simulator (SMTP, POP3 and Entra ID) until
// interrupted and prints everything needed to point every command at it.
func (a *app) demoServe(ctx context.Context, f demoFlags) int {
	sim, err := exosim.Start(ctx, exosim.Options{Scenario: f.scenario, Dir: f.dir, Now: a.now, POP3: true, RealNames: true})
	if err != nil {
		a.errorf("start simulator: %v", err)
		return ExitError
	}
	defer sim.Close()
	authority, stopEntra, err := startEntra(sim, a.now)
	if err != nil {
		a.errorf("start the simulated Entra ID: %v", err)
		return ExitError
	}
	defer stopEntra()
	profile, err := sim.WriteKitFor(authority)
	if err != nil {
		a.errorf("write the simulator's files: %v", err)
		return ExitError
	}
	tenantURL, stopTenant := startTenant(sim, "", a.now)
	defer stopTenant()
	fleet, code, ok := a.writeDemoFiles(sim, authority, tenantURL)
	if !ok {
		return code
	}
	sc, _ := exosim.Lookup(f.scenario)
	k := demoKit{sc: sc, sim: sim, authority: authority, tenantURL: tenantURL, profile: profile, fleet: fleet}
	a.printDemoKit(k)
	a.printDemoTry(k)
	fmt.Fprintf(a.stdout, "Press Ctrl-C to stop.\n")
	<-ctx.Done()
	return ExitOK
}

// writeDemoFiles writes, beside the simulator's kit, the simulated admin
// tokens, a fleet of one (returned) and the addresses as KEY=VALUE lines.
// ok is false when the command must end with code.
func (a *app) writeDemoFiles(sim *exosim.Sim, authority, tenantURL string) (fleet string, code int, ok bool) {
	if err := writeAdminTokens(sim.Dir(), tenantsim.ExchangeToken, tenantsim.GraphToken, a.now().Add(time.Hour)); err != nil {
		a.errorf("write the simulated admin tokens: %v", err)
		return "", ExitError, false
	}
	fleet, err := sim.WriteFleet()
	if err != nil {
		a.errorf("write the fleet file: %v", err)
		return "", ExitError, false
	}
	// The same addresses as KEY=VALUE lines, for scripts (the README
	// walk-through's test reads them).
	if _, err := sim.WriteEnv(authority, tenantURL); err != nil {
		a.errorf("write the address file: %v", err)
		return "", ExitError, false
	}
	return fleet, ExitOK, true
}

// demoKit is what "demo --serve" runs and wrote: the scenario, the
// simulator, the Entra ID authority, the tenant's URL, the profile and
// fleet files.
type demoKit struct {
	sc                                   exosim.Scenario
	sim                                  *exosim.Sim
	authority, tenantURL, profile, fleet string
}

// printDemoKit lists what "demo --serve" runs and the files it wrote.
func (a *app) printDemoKit(k demoKit) {
	w := a.stdout
	sc, sim, authority, tenantURL, profile, fleet := k.sc, k.sim, k.authority, k.tenantURL, k.profile, k.fleet
	fmt.Fprintf(w, "Exchange Online simulator, scenario %q: %s\n", sc.Name, sc.Title)
	fmt.Fprintf(w, "  SMTP        %s (STARTTLS; the profile names %s:587 and connects here)\n", sim.SMTPAddr(), exosim.SMTPHost)
	fmt.Fprintf(w, "  POP3        %s (TLS; for %s:995)\n", sim.POP3Addr(), exosim.POP3Host)
	fmt.Fprintf(w, "  Entra ID    %s (authority for login and token --refresh; tenant %s, client id %s)\n", authority, exosim.TenantID, exosim.ClientID)
	fmt.Fprintf(w, "  tenant      %s (Exchange admin endpoint and Microsoft Graph; admin tokens in %s)\n", tenantURL, sim.Dir())
	fmt.Fprintf(w, "  CA cert     %s\n", sim.CAFile())
	if sim.TokenFile() != "" {
		fmt.Fprintf(w, "  token file  %s\n", sim.TokenFile())
	}
	fmt.Fprintf(w, "  profile     %s\n", profile)
	fmt.Fprintf(w, "  fleet       %s\n", fleet)
	fmt.Fprintf(w, "  addresses   %s (KEY=VALUE, for scripts)\n", filepath.Join(sim.Dir(), "env"))
	if sc.AuthMethod == "basic" {
		fmt.Fprintf(w, "  password    export %s=%s\n", exosim.PasswordEnv, sim.Password())
	}
}

// printDemoTry lists commands to try against "demo --serve".
func (a *app) printDemoTry(k demoKit) {
	w := a.stdout
	sc, sim, authority, tenantURL, profile, fleet := k.sc, k.sim, k.authority, k.tenantURL, k.profile, k.fleet
	ca := sim.CAFile()
	fmt.Fprintf(w, "\nTry:\n")
	fmt.Fprintf(w, "  mfpcheck probe --profile %s --ca %s\n", profile, ca)
	if sc.AuthMethod == "oauth2" {
		fmt.Fprintf(w, "  mfpcheck probe %s:587 --connect-to %s --user %s --token-file %s --ca %s\n", exosim.SMTPHost, sim.SMTPAddr(), exosim.DeviceUser, sim.TokenFile(), ca)
		fmt.Fprintf(w, "  mfpcheck probe --pop3 %s --connect-to %s --user %s --token-file %s --ca %s\n", exosim.POP3Host, sim.POP3Addr(), exosim.DeviceUser, sim.TokenFile(), ca)
		fmt.Fprintf(w, "  mfpcheck token --profile %s\n", profile)
		fmt.Fprintf(w, "  mfpcheck token --token-file %s --refresh --authority %s\n", sim.TokenFile(), authority)
		fmt.Fprintf(w, "  mfpcheck login --profile %s          (the simulated user signs in after the first poll)\n", profile)
	}
	tenantFlags := fmt.Sprintf("--admin-tokens %s --exchange-url %s --graph-url %s", sim.Dir(), tenantURL, tenantURL)
	fmt.Fprintf(w, "  mfpcheck tenant --profile %s --tenant %s %s\n", profile, exosim.TenantID, tenantFlags)
	fmt.Fprintf(w, "  mfpcheck probe --profile %s --ca %s --tenant-check %s\n", profile, ca, tenantFlags)
	fmt.Fprintf(w, "  mfpcheck tenant register-app --tenant %s --admin-tokens %s --graph-url %s\n", exosim.TenantID, sim.Dir(), tenantURL)
	fmt.Fprintf(w, "  mfpcheck sheet --profile %s --ca %s -o status.pdf\n", profile, ca)
	fmt.Fprintf(w, "  mfpcheck batch %s --ca %s\n", fleet, ca)
	fmt.Fprintf(w, "  mfpcheck batch %s --ca %s --format csv --tenant-check %s\n", fleet, ca, tenantFlags)
	fmt.Fprintf(w, "  mfpcheck tui --profile %s\n", profile)
	fmt.Fprintf(w, "  mfpcheck tui --profile %s --ca %s --tenant-check %s\n", profile, ca, tenantFlags)
	fmt.Fprintf(w, "  curl -v --ssl-reqd --cacert %s --connect-to %s:587:%s smtp://%s:587\n", ca, exosim.SMTPHost, sim.SMTPAddr(), exosim.SMTPHost)
}

// startEntra serves a simulated Entra ID on loopback for a simulated
// device: device-code sign-in and refresh, minting tokens the simulated
// Exchange Online accepts, and accepting the refresh token in the device's
// token file.
func startEntra(sim *exosim.Sim, now func() time.Time) (authority string, stop func(), err error) {
	var refresh []string
	if f := sim.TokenFile(); f != "" {
		if set, err := token.Load(f); err == nil && set.Refresh != "" {
			refresh = []string{set.Refresh}
		}
	}
	srv := entrasim.New(entrasim.Options{
		Mode:          entrasim.ModeSuccess,
		Pending:       1,
		Interval:      time.Second, // a walkthrough's sign-in, not Entra's 5 s
		User:          exosim.DeviceUser,
		TenantID:      exosim.TenantID,
		Mint:          func(string, []string) string { return sim.MintToken(exosim.TokenGood) },
		RefreshTokens: refresh,
		Now:           now,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// demoLogin runs the real "login" command against the simulated Entra ID
// (the simulated user signs in after one poll), saving into the device's
// token file, then checks the device with the new token.
func (a *app) demoLogin(ctx context.Context, sim *exosim.Sim, authority string, f demoFlags) int {
	profile, err := sim.WriteKitFor(authority)
	if err != nil {
		a.errorf("write the simulator's files: %v", err)
		return ExitError
	}
	wait := a.wait
	a.wait = func(ctx context.Context, d time.Duration) error {
		// The simulated user is quick: poll every half second.
		if wait != nil {
			return wait(ctx, d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
			return nil
		}
	}
	defer func() { a.wait = wait }()
	args := []string{"--profile", profile}
	if f.lang != "" {
		args = append(args, "--lang", f.lang)
	}
	if code := a.cmdLogin(ctx, args); code >= ExitFail {
		return code
	}
	fmt.Fprintln(a.stdout)
	cfg := a.simCheck(sim, a.lang(f.lang), f.sheet != "")
	cfg.Authority = authority
	r := check.Run(ctx, cfg)
	return a.report(ctx, r, f.jsonOut, f.transcript, f.out)
}

// simFleet starts one simulator per scenario. The caller closes them.
func (a *app) simFleet(ctx context.Context, lang string) ([]*exosim.Sim, []check.Config, error) {
	var sims []*exosim.Sim
	var cfgs []check.Config
	for _, sc := range exosim.Scenarios() {
		// With the POP3 side, like "mfpcheck demo".
		sim, err := exosim.Start(ctx, exosim.Options{Scenario: sc.Name, Now: a.now, POP3: true})
		if err != nil {
			for _, s := range sims {
				s.Close()
			}
			return nil, nil, fmt.Errorf("start simulator %s: %w", sc.Name, err)
		}
		sims = append(sims, sim)
		cfgs = append(cfgs, a.simCheck(sim, lang, false))
	}
	return sims, cfgs, nil
}

// lookupScenario finds a scenario by name, ignoring case.
func lookupScenario(name string) (exosim.Scenario, bool) {
	for _, sc := range exosim.Scenarios() {
		if strings.EqualFold(sc.Name, strings.TrimSpace(name)) {
			return sc, true
		}
	}
	return exosim.Scenario{}, false
}

// startTenant serves the simulated tenant (Exchange's admin endpoint and
// Graph) on loopback, in the state the simulator's scenario implies.
func startTenant(sim *exosim.Sim, variant string, now func() time.Time) (url string, stop func()) {
	st := tenantsim.ForScenario(sim.Scenario().Name, variant, exosim.DeviceUser, exosim.TenantID, now())
	srv := httptest.NewServer(tenantsim.New(st))
	return srv.URL, srv.Close
}
