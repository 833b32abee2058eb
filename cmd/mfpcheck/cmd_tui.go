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

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/discover"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/token"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/sheet"
	"github.com/mfpcheck/mfpcheck/tui"
)

// cmdTUI runs "mfpcheck tui [--profile FILE | --fleet FILE | DIR]", and
// "mfpcheck" with no arguments on a terminal (args nil): then the profiles
// in the current folder are shown.
func (a *app) cmdTUI(ctx context.Context, args []string) int {
	fset := flag.NewFlagSet("tui", flag.ContinueOnError)
	var profileFile, fleet, lang, sheetDir, caFile string
	fset.StringVar(&profileFile, "profile", "", "open one device profile (YAML) straight into its check")
	fset.StringVar(&fleet, "fleet", "", "fleet file (YAML list, CSV inventory) or folder of profiles")
	fset.StringVar(&lang, "lang", "", "language: en | de | fr (l switches while running)")
	fset.StringVar(&sheetDir, "sheet-dir", ".", "folder the PDF status sheets are written to (key s)")
	fset.StringVar(&caFile, "ca", "", "verify server certificates against this CA file (PEM) instead of the system roots")
	var tf fleetTenantFlags
	tf.register(fset)
	pos, code, ok := a.parseArgs(fset, args)
	if !ok {
		return code
	}
	src, code, ok := a.tuiSource(pos, profileFile, fleet)
	if !ok {
		return code
	}
	l := a.lang(lang)
	devs, code, ok := a.tuiDevices(profileFile, src, l)
	if !ok {
		return code
	}
	if code, ok := a.tuiCA(devs, caFile); !ok {
		return code
	}
	if code, ok := a.tuiTenant(ctx, devs, tf); !ok {
		return code
	}
	return a.runTUI(ctx, devs, l, sheetDir)
}

// tuiSource checks tui's arguments pos against --profile and --fleet and
// returns the fleet source (--fleet or the one folder argument). ok is
// false when the command must end with code.
func (a *app) tuiSource(pos []string, profileFile, fleet string) (src string, code int, ok bool) {
	src = fleet
	switch {
	case len(pos) > 1:
		return "", a.usageError("tui", "unexpected arguments: %s", strings.Join(pos[1:], " ")), false
	case len(pos) == 1 && (profileFile != "" || fleet != ""):
		return "", a.usageError("tui", "give one of --profile, --fleet or a folder, not several"), false
	case profileFile != "" && fleet != "":
		return "", a.usageError("tui", "give either --profile or --fleet, not both"), false
	case len(pos) == 1:
		src = pos[0]
	}
	return src, ExitOK, true
}

// tuiDevices loads the TUI's devices: the one profile, the fleet src, or
// (neither given) the profiles in the current folder. ok is false when
// the command must end with code.
func (a *app) tuiDevices(profileFile, src, l string) (devs []tui.Device, code int, ok bool) {
	switch {
	case profileFile != "":
		p, err := profile.Load(profileFile)
		if err != nil {
			return nil, a.inputError("tui", err), false
		}
		devs = append(devs, a.tuiDevice(check.FromProfile(p, a.getenv), profileFile, l))
	case src != "":
		fl, err := batch.LoadFleet(src)
		if err != nil {
			return nil, a.inputError("tui", err), false
		}
		a.fleetWarnings(fl)
		for _, d := range fl {
			devs = append(devs, a.tuiDevice(check.FromProfile(d.Profile, a.getenv), d.Source, l))
		}
	default:
		// "mfpcheck" alone: the profiles in this folder, if there are any.
		if fl, err := batch.LoadFleet("."); err == nil {
			for _, d := range fl {
				devs = append(devs, a.tuiDevice(check.FromProfile(d.Profile, a.getenv), d.Source, l))
			}
		}
		if len(devs) == 0 {
			a.errorf("tui: no devices: this folder has no device profiles")
			a.hintf("give --profile FILE, --fleet FILE or a folder of profiles; or try \"mfpcheck demo --tui\"")
			return nil, ExitError, false
		}
	}
	if len(devs) == 0 {
		a.errorf("tui: %s has no devices", src)
		return nil, ExitError, false
	}
	return devs, ExitOK, true
}

// tuiCA makes every device's check verify servers against the CA
// certificates in caFile (--ca), when given. ok is false when the command
// must end with code.
func (a *app) tuiCA(devs []tui.Device, caFile string) (code int, ok bool) {
	if caFile == "" {
		return ExitOK, true
	}
	roots, err := probe.LoadCAFile(caFile)
	if err != nil {
		a.errorf("%v", err)
		return ExitError, false
	}
	for i := range devs {
		cfg := devs[i].Config.(check.Config)
		cfg.Probe.Roots, cfg.Probe.RootsName = roots, caFile
		devs[i].Config = cfg
	}
	return ExitOK, true
}

// tuiTenant wires --tenant-check: each device's check reads its tenant
// too (admin tokens refreshed now; a check-all shares one read per
// mailbox). ok is false when the command must end with code.
func (a *app) tuiTenant(ctx context.Context, devs []tui.Device, tf fleetTenantFlags) (code int, ok bool) {
	ft, err := a.fleetTenant(ctx, tf, time.Nanosecond)
	if err != nil {
		a.errorf("tui: %v", err)
		a.hintf("save admin tokens first: mfpcheck tenant --tenant T --user U --save DIR, then --tenant-check --admin-tokens DIR")
		return ExitError, false
	}
	for i := range devs {
		if ft != nil {
			cfg := devs[i].Config.(check.Config)
			cfg.TenantCheck = ft.config(ctx, cfg.Profile, cfg.Probe.User)
			devs[i].Config = cfg
		}
	}
	return ExitOK, true
}

// tuiDemo is "mfpcheck demo --tui": the TUI over a simulated fleet, one
// Exchange Online simulator and device per scenario, each with a simulated
// Entra ID, so the token panel's device-code sign-in works offline.
func (a *app) tuiDemo(ctx context.Context, lang string) int {
	if code, ok := a.needTerminal(); !ok {
		return code
	}
	sims, cfgs, err := a.simFleet(ctx, lang)
	if err != nil {
		a.errorf("%v", err)
		return ExitError
	}
	defer func() {
		for _, s := range sims {
			s.Close()
		}
	}()
	devs := make([]tui.Device, len(cfgs))
	for i, c := range cfgs {
		authority, stop, err := startEntra(sims[i], a.now)
		if err != nil {
			a.errorf("start the simulated Entra ID: %v", err)
			return ExitError
		}
		defer stop()
		c.Authority = authority
		devs[i] = a.tuiDevice(c, "exosim:"+sims[i].Scenario().Name, lang)
	}
	if a.wait == nil {
		// The simulated user is quick: poll every half second, as
		// "demo --login" does.
		a.wait = func(ctx context.Context, d time.Duration) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(500 * time.Millisecond):
				return nil
			}
		}
		defer func() { a.wait = nil }()
	}
	return a.runTUI(ctx, devs, lang, ".")
}

// tuiSimDevice is the device of one running simulator (for demo variants
// and tests).
func (a *app) tuiSimDevice(sim *exosim.Sim, lang string) tui.Device {
	return a.tuiDevice(a.simCheck(sim, lang, false), "exosim:"+sim.Scenario().Name, lang)
}

// tuiDevice wraps a check configuration for the TUI.
func (a *app) tuiDevice(cfg check.Config, source, lang string) tui.Device {
	cfg.Lang = lang
	if cfg.ToolVersion == "" {
		cfg.ToolVersion = version
	}
	if cfg.Now == nil {
		cfg.Now = a.now
	}
	d := tui.Device{Source: source, Config: cfg}
	if p := cfg.Profile; p != nil {
		d.Name, d.Vendor, d.Model, d.Address = p.Device.Name, p.Device.Vendor, p.Device.Model, p.Device.Address
	}
	if d.Name == "" {
		d.Name = cfg.Probe.Host
	}
	return d
}

// needTerminal refuses to start the TUI without a terminal on both ends.
func (a *app) needTerminal() (int, bool) {
	if a.stdinTTY && a.stdoutTTY {
		return ExitOK, true
	}
	a.errorf("tui: needs a terminal")
	a.hintf("for scripts use \"mfpcheck probe\" or \"mfpcheck batch\"")
	return ExitError, false
}

// runTUI runs the TUI until the user quits and says where the log is.
func (a *app) runTUI(ctx context.Context, devs []tui.Device, lang, sheetDir string) int {
	if code, ok := a.needTerminal(); !ok {
		return code
	}
	logFile := a.tuiLogPath()
	err := tui.Run(ctx, tui.Options{
		Devices:   devs,
		Engine:    a.tuiEngine(),
		Lang:      lang,
		SheetDir:  sheetDir,
		LogFile:   logFile,
		Input:     a.stdin,
		Output:    a.stdout,
		NoColor:   !a.color(),
		AltScreen: true,
	})
	return a.tuiExit(err, logFile)
}

// tuiExit maps Run's outcome to the exit code and tells where the log is.
func (a *app) tuiExit(err error, logFile string) int {
	if logFile != "" {
		fmt.Fprintf(a.stderr, "mfpcheck: log: %s\n", logFile)
	}
	var pe *tui.PanicError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &pe):
		a.errorf("%v", err)
		a.hintf("this is a bug in mfpcheck; the terminal was restored. The stack trace is in %s: please attach it to a bug report", logFile)
		return ExitError
	}
	a.errorf("%v", err)
	return ExitError
}

// tuiLogPath is $XDG_STATE_HOME/mfpcheck/tui.log, else tui.log in the
// user's cache folder ($XDG_CACHE_HOME or ~/.cache on Linux), so each user
// has their own; "" (no log) when neither is known. Never a fixed path in
// a shared folder such as /tmp, which a second user could not open.
func (a *app) tuiLogPath() string {
	if d := a.getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "mfpcheck", "tui.log")
	}
	if d := a.getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "mfpcheck", "tui.log")
	}
	if h := a.getenv("HOME"); h != "" && filepath.IsAbs(h) {
		return filepath.Join(h, ".cache", "mfpcheck", "tui.log")
	}
	if d, err := os.UserCacheDir(); err == nil { // %LocalAppData% on Windows
		return filepath.Join(d, "mfpcheck", "tui.log")
	}
	return ""
}

// tuiEngine wires the real engine into the TUI: check.Run with the phases
// streamed through the progress channel, the catalogue, the PDF sheet and
// the device-code sign-in.
func (a *app) tuiEngine() tui.Engine {
	return tui.Engine{
		Check: func(ctx context.Context, d tui.Device, progress chan<- report.Phase) *report.Report {
			cfg, ok := d.Config.(check.Config)
			if !ok {
				return &report.Report{Schema: report.Schema, Generated: a.now(), Verdict: report.VerdictError,
					Error: fmt.Sprintf("tui: device %q has no check configuration", d.Name)}
			}
			cfg.Probe.Progress = progress
			return check.Run(ctx, cfg)
		},
		Explain: func(in, lang, vendor string) []report.Finding {
			return diagnose.Explain(in, diagnose.Options{Lang: lang, Vendor: vendor})
		},
		Label: diagnose.Label,
		Localize: func(f report.Finding, lang, vendor string) report.Finding {
			return diagnose.Localize(f, diagnose.Options{Lang: lang, Vendor: vendor})
		},
		Sheet: func(dir string, r *report.Report, lang string) (string, error) {
			out := sheet.Output{Path: dir, Dir: true, Unique: true}
			path, _, err := out.Write(context.Background(), r, sheet.Options{Lang: lang}, a.now())
			return path, err
		},
		Print: a.tuiPrint,
		Login: func(ctx context.Context, d tui.Device, show func(tui.DeviceCode)) error {
			cfg, ok := d.Config.(check.Config)
			if !ok {
				return fmt.Errorf("device %q has no sign-in configuration", d.Name)
			}
			return a.tuiLogin(ctx, cfg, show)
		},
		Discover: func(ctx context.Context) ([]discover.Device, error) {
			res, err := discover.Browse(ctx, discover.Options{})
			if err != nil {
				return nil, err
			}
			return res.Devices, nil
		},
	}
}

// tuiLogin runs the device-code sign-in for a device's profile and saves
// the tokens where the device's token file is, as "mfpcheck login" does.
func (a *app) tuiLogin(ctx context.Context, cfg check.Config, show func(tui.DeviceCode)) error {
	if cfg.ClientID == "" {
		return errors.New("no client ID: set oauth.client_id in the profile")
	}
	if cfg.TokenFile == "" {
		return errors.New("no token file: set oauth.token_file in the profile")
	}
	needPOP := cfg.POP3 != nil && cfg.POP3.AuthMethod == "oauth2"
	ep := token.Endpoint{
		Authority: cfg.Authority, Tenant: cfg.Tenant, ClientID: cfg.ClientID,
		Scopes: token.DefaultScopes(needPOP), Wait: a.wait,
	}
	_, _, err := token.Login(ctx, ep, cfg.TokenFile, func(dc token.DeviceCode) {
		show(tui.DeviceCode{
			UserCode: dc.UserCode, VerificationURI: dc.VerificationURI, Message: dc.Message,
			ExpiresAt: a.now().Add(dc.ExpiresIn),
		})
	}, a.now)
	return err
}
