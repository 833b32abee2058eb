package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/exporter"
	"github.com/mfpcheck/mfpcheck/diag/profile"
)

// serveDetails is the part of "serve --help" after the summary.
const serveDetails = `  GET /probe?target=NAME               check the fleet device NAME
  GET /probe?module=M&target=HOST:PORT  check HOST:PORT with profile template M
  GET /targets                         the fleet in HTTP service discovery format
  GET /metrics                         the exporter's own metrics
A failed check is HTTP 200 with probe_success 0; an unknown target is 400.
Results are kept for --min-interval and served with their age
(mfpcheck_result_age_seconds); scrapes of a device whose check is running
share it; never more than 3 checks of one mailbox run at once. The check's
deadline follows Prometheus's X-Prometheus-Scrape-Timeout-Seconds header,
less half a second, capped by --timeout.

SIGHUP reloads the fleet file (a broken file keeps the old fleet); Ctrl-C or
SIGTERM shut down gracefully. Example Prometheus configuration and alert
rules: docs/monitoring/.`

// serveFlags are the flags of "serve" (and of "demo --exporter").
type serveFlags struct {
	fleet       string
	listen      string
	minInterval time.Duration
	timeout     time.Duration
	modules     moduleFlag
	caFile      string
	insecure    bool
	tenant      fleetTenantFlags
}

// moduleFlag collects repeated --module NAME=PROFILE flags.
type moduleFlag []string

func (m *moduleFlag) String() string     { return strings.Join(*m, ",") }
func (m *moduleFlag) Set(v string) error { *m = append(*m, v); return nil }

// cmdServe runs "mfpcheck serve".
func (a *app) cmdServe(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var f serveFlags
	fs.StringVar(&f.fleet, "fleet", "", "fleet file (YAML, CSV inventory) or folder of profiles")
	fs.StringVar(&f.listen, "listen", exporter.DefaultListen, "address to listen on")
	fs.DurationVar(&f.minInterval, "min-interval", exporter.DefaultMinInterval, "serve a device's result from the cache while it is younger than this")
	fs.DurationVar(&f.timeout, "timeout", batch.DefaultTimeout, "bound for each device's whole check")
	fs.StringVar(&f.caFile, "ca", "", "verify the servers against the CA certificates in this PEM file instead of the system roots (a CSV ca column overrides it)")
	fs.BoolVar(&f.insecure, "insecure", false, "do not stop on certificate errors (each report says so)")
	fs.Var(&f.modules, "module", "NAME=PROFILE: a profile template for /probe?module=NAME&target=HOST:PORT (repeatable)")
	f.tenant.register(fs)
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	if !a.serveArgsOK(pos, f.fleet) {
		return ExitError
	}
	modules, err := loadModules(f.modules)
	if err != nil {
		a.errorf("serve: %v", err)
		a.hintf("--module takes NAME=PROFILE, e.g. --module epson=profiles/epson.yaml")
		return ExitError
	}
	fl := &servedFleet{file: f.fleet, caFile: f.caFile}
	load := fl.load
	devices, err := load()
	if err != nil {
		a.errorLines(err)
		a.hintf("each line names the file and line to fix; mfpcheck batch --help describes the fleet formats")
		return ExitError
	}
	// A tenant read is shared for --min-interval, like a device's result
	// (--min-interval 0 shares only reads in flight).
	ft, err := a.fleetTenant(ctx, f.tenant, max(f.minInterval, time.Nanosecond))
	if err != nil {
		a.errorf("serve: %v", err)
		a.hintf("save admin tokens first: mfpcheck tenant --tenant T --user U --save DIR, then --tenant-check --admin-tokens DIR")
		return ExitError
	}
	opts := exporter.Options{
		Check:         a.fleetCheck(f.caFile, f.insecure, "en", fl.pool, ft),
		MinInterval:   f.minInterval,
		DeviceTimeout: f.timeout,
		Modules:       modules,
	}
	return a.serveExporter(ctx, f.listen, devices, opts, load)
}

// serveArgsOK says what is wrong when serve got arguments or no --fleet.
func (a *app) serveArgsOK(pos []string, fleet string) bool {
	if len(pos) > 0 {
		a.errorf("serve: unexpected arguments: %s", strings.Join(pos, " "))
		a.hintf("give the fleet with --fleet FILE")
		return false
	}
	if fleet == "" {
		a.errorf("serve needs a fleet: --fleet FILE")
		a.hintf("mfpcheck serve --fleet fixtures/fleets/office.yaml; try it with mfpcheck demo --exporter")
		return false
	}
	return true
}

// servedFleet loads the fleet file and its CA files, at start and on
// each SIGHUP; the checks running meanwhile read the pools of the last
// load that worked.
type servedFleet struct {
	file, caFile string
	roots        atomic.Pointer[map[string]*x509.CertPool]
}

func (fl *servedFleet) load() ([]batch.Device, error) {
	devices, err := batch.LoadFleet(fl.file)
	if err != nil {
		return nil, err
	}
	pools, err := loadFleetCAs(fl.caFile, devices)
	if err != nil {
		return nil, err
	}
	fl.roots.Store(&pools)
	return devices, nil
}

// pool is the CA pool of the fleet's ca column value file.
func (fl *servedFleet) pool(file string) *x509.CertPool { return (*fl.roots.Load())[file] }

// loadModules reads the NAME=PROFILE templates.
func loadModules(specs []string) (map[string]*profile.Profile, error) {
	out := map[string]*profile.Profile{}
	for _, s := range specs {
		name, file, ok := strings.Cut(s, "=")
		if !ok || name == "" || file == "" {
			return nil, fmt.Errorf("--module %q: want NAME=PROFILE", s)
		}
		p, err := profile.Load(file)
		if err != nil {
			return nil, err
		}
		out[name] = p
	}
	return out, nil
}

// serveExporter listens on addr and serves the exporter until ctx ends,
// reloading the fleet on SIGHUP with reload (nil: no reload).
func (a *app) serveExporter(ctx context.Context, addr string, devices []batch.Device, opts exporter.Options, reload func() ([]batch.Device, error)) int {
	opts.Logf = func(format string, args ...any) {
		fmt.Fprintf(a.stderr, "mfpcheck: "+format+"\n", args...)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		a.errorf("serve: listen on %s: %v", addr, err)
		a.hintf("choose another address with --listen, e.g. 127.0.0.1:9466")
		return ExitError
	}
	exp := exporter.New(ctx, devices, opts)
	srv := &http.Server{Handler: exp.Handler(), ReadHeaderTimeout: 10 * time.Second}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(a.stderr, "mfpcheck: serving %d devices on http://%s/ (probe: /probe?target=NAME, discovery: /targets)\n", len(devices), ln.Addr())
	for {
		select {
		case <-ctx.Done():
			shutdown(srv)
			fmt.Fprintln(a.stderr, "mfpcheck: exporter stopped")
			return ExitOK
		case <-hup:
			if reload != nil {
				a.reloadFleet(exp, reload)
			}
		case err := <-served:
			if !errors.Is(err, http.ErrServerClosed) {
				a.errorf("serve: %v", err)
				return ExitError
			}
			return ExitOK
		}
	}
}

// shutdown stops srv gracefully, within 5 seconds, else at once.
func shutdown(srv *http.Server) {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
}

// reloadFleet reads the fleet again for exp (SIGHUP); a fleet that does
// not load keeps the one loaded before.
func (a *app) reloadFleet(exp *exporter.Exporter, reload func() ([]batch.Device, error)) {
	ds, err := reload()
	if err != nil {
		exp.Reloaded(false)
		a.errorLines(fmt.Errorf("reload: %w (keeping the fleet loaded before)", err))
		return
	}
	exp.SetFleet(ds)
	exp.Reloaded(true)
	fmt.Fprintf(a.stderr, "mfpcheck: fleet reloaded: %d devices\n", len(ds))
}

// demoExporter serves the simulated fleet (one device per scenario) to
// Prometheus.
func (a *app) demoExporter(ctx context.Context, listen string) int {
	devices, checkFn, closeAll, err := a.simDevices(ctx, "en")
	if err != nil {
		a.errorf("%v", err)
		return ExitError
	}
	defer closeAll()
	return a.serveExporter(ctx, listen, devices, exporter.Options{Check: checkFn, MinInterval: exporter.DefaultMinInterval}, nil)
}
