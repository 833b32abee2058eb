package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/sheet"
)

// batchDetails is the part of "batch --help" after the summary.
const batchDetails = `FLEET is a YAML fleet file (defaults: plus devices:, each an inline profile
or {profile: FILE}), a CSV inventory (*.csv; columns name, vendor, model,
address, mailbox, auth_method, server, port, token_file, optional sender,
security, tenant, client_id, service, verify_cert, ca), or a folder of
profile files. See
fixtures/fleets/ for examples.

At most 3 checks run at once for one mailbox (Exchange Online refuses a 4th
session with 432 4.3.2), however high --concurrency is.

Formats: jsonl (one report per line), json (one "mfpcheck.batch/v1"
document, its reports array streamed) and csv (one row per device) are
written as each device finishes, in the order they finish, and keep nothing
of a device once written, so memory stays flat however large the fleet.
text (summary table, worst first), openmetrics (gauges for node_exporter's
textfile collector or a Prometheus scrape) and nagios sort or group the
devices: they keep a small summary per device and write at the end.

The fleet is read as the run goes (a CSV inventory row by row). An entry
that cannot be checked (a malformed row, a bad port, no server, an unknown
vendor in a YAML fleet) is that device's error report, naming the file and
line, and is named on stderr; the other devices are still checked. Names
must be unique for text, openmetrics, nagios and --sheets (a repeated name
is that device's error there).

--sheets DIR writes one PDF status sheet per device and fleet-summary.pdf;
an existing file is never overwritten: the new one gets a -2, -3 … suffix,
unless --force is given.

Ctrl-C stops the run: no further device starts, the running checks are
cancelled, and the output holds every device that finished, complete and
marked as interrupted (exit code 3).

Exit codes: the worst verdict: 0 ok, 1 warning, 2 fail, 3 could not run
(also: a fleet entry that could not be checked, a fleet file that is not
one, an interrupted run, sheets that could not be written).
`

// batchFlags are the flags of "batch".
type batchFlags struct {
	concurrency  int
	format       string
	sheets       string
	force        bool
	onlyProblems bool
	timeout      time.Duration
	lang         string
	caFile       string
	insecure     bool
	tenant       fleetTenantFlags
}

func (f *batchFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.concurrency, "concurrency", batch.DefaultConcurrency, "devices checked at once")
	fs.StringVar(&f.format, "format", batch.FormatText, "output: "+strings.Join(batch.Formats(), " | "))
	fs.StringVar(&f.sheets, "sheets", "", "write a PDF status sheet per device and fleet-summary.pdf into this folder")
	fs.BoolVar(&f.force, "force", false, "with --sheets: overwrite existing files instead of picking a new name")
	fs.BoolVar(&f.onlyProblems, "only-problems", false, "leave ok devices out of the output")
	fs.DurationVar(&f.timeout, "timeout", batch.DefaultTimeout, "bound for each device's whole check")
	fs.StringVar(&f.lang, "lang", "", "language of the findings and sheets: en | de | fr (default from LC_ALL/LC_MESSAGES/LANG)")
	fs.StringVar(&f.caFile, "ca", "", "verify the servers against the CA certificates in this PEM file instead of the system roots (a CSV ca column overrides it)")
	fs.BoolVar(&f.insecure, "insecure", false, "do not stop on certificate errors (each report says so)")
	f.tenant.register(fs)
}

// cmdBatch runs "mfpcheck batch".
func (a *app) cmdBatch(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("batch", flag.ContinueOnError)
	var f batchFlags
	f.register(fs)
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	if !a.batchArgOK(pos) {
		return ExitError
	}
	opts, ok := a.batchOptions(f)
	if !ok {
		return ExitError
	}
	fleet, ok := a.openBatchFleet(ctx, pos[0])
	if !ok {
		return ExitError
	}
	defer fleet.Close()
	cas := &fleetCAs{pools: map[string]*x509.CertPool{}}
	if err := cas.load(f.caFile); err != nil {
		a.errorf("--ca: %v", err)
		return ExitError
	}
	opts.Warn = func(w string) { fmt.Fprintf(a.stderr, "mfpcheck: warning: %s\n", w) }
	defer a.reportBadEntries(&opts)()
	ft, err := a.fleetTenant(ctx, f.tenant, 0)
	if err != nil {
		a.errorf("batch: %v", err)
		a.hintf("save admin tokens first: mfpcheck tenant --tenant T --user U --save DIR, then --tenant-check --admin-tokens DIR")
		return ExitError
	}
	check := a.fleetCheck(f.caFile, f.insecure, opts.Lang, cas.pool, ft)
	opts.Check = withDeviceCA(cas, check)
	return a.runFleetStream(ctx, fleet, opts)
}

// batchArgOK says what is wrong when batch was not given one fleet.
func (a *app) batchArgOK(pos []string) bool {
	switch {
	case len(pos) == 0:
		a.errorf("batch needs a fleet: a YAML fleet file, a CSV inventory or a folder of profiles")
		a.hintf("mfpcheck batch fixtures/fleets/office.yaml; mfpcheck batch --help for the formats")
		return false
	case len(pos) > 1:
		a.usageError("batch", "one fleet at a time, got %d: %s", len(pos), strings.Join(pos, " "))
		return false
	}
	return true
}

// openBatchFleet opens the fleet at path, saying what is wrong when it
// cannot.
func (a *app) openBatchFleet(ctx context.Context, path string) (*batch.Fleet, bool) {
	fleet, err := batch.OpenFleetContext(ctx, path)
	if err != nil {
		a.errorLines(err)
		if ctx.Err() != nil {
			a.hintf("interrupted while the fleet was read; nothing was checked")
		} else {
			a.hintf("each line names the file and line to fix; mfpcheck batch --help describes the fleet formats")
		}
		return nil, false
	}
	return fleet, true
}

// reportBadEntries names the first maxBadShown fleet entries that cannot
// be checked on stderr as they come (opts.Bad); the function it returns
// counts the rest and hints, at the end of the run.
func (a *app) reportBadEntries(opts *batch.Options) func() {
	bad := 0
	opts.Bad = func(err error) {
		if bad++; bad <= maxBadShown {
			a.errorLines(err)
		}
	}
	return func() {
		if bad > maxBadShown {
			a.errorf("… and %d more entries that could not be checked", bad-maxBadShown)
		}
		if bad > 0 {
			a.hintf("each of those devices is in the output as an error naming the file and line to fix; the others were checked")
		}
	}
}

// withDeviceCA reads a device's own CA file when its check starts; one
// that cannot be read is that device's error.
func withDeviceCA(cas *fleetCAs, check batch.CheckFunc) batch.CheckFunc {
	return func(ctx context.Context, d batch.Device) *report.Report {
		if d.CAFile != "" && d.Err == nil {
			if err := cas.load(d.CAFile); err != nil {
				d.Err = fmt.Errorf("%s: ca: %w", d.Source, err)
				return batch.CheckDevice(ctx, nil, d)
			}
		}
		return check(ctx, d)
	}
}

// maxBadShown is how many bad fleet entries batch names on stderr (all of
// them are in the output).
const maxBadShown = 20

// fleetCAs are the CA files of a batch run, each read once (--ca before the
// run, a device's own ca file when its check starts).
type fleetCAs struct {
	mu    sync.Mutex
	pools map[string]*x509.CertPool
	errs  map[string]error
}

// maxFleetCAs bounds the CA files kept in memory; past it a file is read
// again for each device that names it.
const maxFleetCAs = 64

func (c *fleetCAs) load(file string) error {
	if file == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pools[file] != nil {
		return nil
	}
	if err := c.errs[file]; err != nil {
		return err
	}
	pool, err := probe.LoadCAFile(file)
	if len(c.pools)+len(c.errs) >= maxFleetCAs {
		return err
	}
	if err != nil {
		if c.errs == nil {
			c.errs = map[string]error{}
		}
		c.errs[file] = err
		return err
	}
	c.pools[file] = pool
	return nil
}

func (c *fleetCAs) pool(file string) *x509.CertPool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.pools[file]; p != nil {
		return p
	}
	p, _ := probe.LoadCAFile(file) // past maxFleetCAs: read again
	return p
}

// fleetCheck is the check of a fleet device, as batch and serve run it:
// its profile, the CA file of its own ca column or else flagCA (read
// beforehand into roots(), see loadFleetCAs), certificate checks off with
// --insecure; with ft (--tenant-check) the tenant read for its mailbox.
func (a *app) fleetCheck(flagCA string, insecure bool, lang string, roots func(file string) *x509.CertPool, ft *fleetTenant) batch.CheckFunc {
	configure := func(d batch.Device) check.Config {
		cfg := check.FromProfile(d.Profile, a.getenv)
		ca := d.CAFile
		if ca == "" {
			ca = flagCA
		}
		if ca != "" {
			cfg.Probe.Roots, cfg.Probe.RootsName = roots(ca), ca
		}
		if insecure {
			cfg.Probe.VerifyCert = false
			if cfg.POP3 != nil {
				cfg.POP3.VerifyCert = false
			}
		}
		cfg.Lang = lang
		cfg.ToolVersion = version
		cfg.Now = a.now
		return cfg
	}
	if ft == nil {
		return batch.CheckWith(configure)
	}
	// --tenant-check: the device's tenant read, shared by its mailbox's
	// devices, inside the device's budget (check.Run's).
	return func(ctx context.Context, d batch.Device) *report.Report {
		cfg := configure(d)
		cfg.TenantCheck = ft.config(ctx, d.Profile, cfg.Probe.User)
		return check.Run(ctx, cfg)
	}
}

// loadFleetCAs reads --ca and every device's own CA file once, before any
// check starts: a broken --ca stops the run naming it, a device's own CA
// file that cannot be read is that device's error.
func loadFleetCAs(flagCA string, devices []batch.Device) (map[string]*x509.CertPool, error) {
	pools := map[string]*x509.CertPool{}
	load := func(file, source string) error {
		if file == "" || pools[file] != nil {
			return nil
		}
		pool, err := probe.LoadCAFile(file)
		if err != nil {
			if source != "" {
				return fmt.Errorf("%s: ca: %w", source, err)
			}
			return fmt.Errorf("--ca: %w", err)
		}
		pools[file] = pool
		return nil
	}
	if err := load(flagCA, ""); err != nil {
		return nil, err
	}
	for i, d := range devices {
		if err := load(d.CAFile, d.Source); err != nil {
			// That device's error; the others still run.
			devices[i].Err = err
		}
	}
	return pools, nil
}

// batchOptions checks the flags and turns them into batch.Options (without
// a Check). It prints what is wrong.
func (a *app) batchOptions(f batchFlags) (batch.Options, bool) {
	valid := false
	for _, name := range batch.Formats() {
		valid = valid || name == f.format
	}
	if !valid {
		a.errorf("unknown format %q", f.format)
		a.hintf("--format is one of %s", strings.Join(batch.Formats(), ", "))
		return batch.Options{}, false
	}
	if f.concurrency < 1 {
		a.errorf("--concurrency must be at least 1, not %d", f.concurrency)
		a.hintf("run \"mfpcheck batch --help\" for its flags")
		return batch.Options{}, false
	}
	if f.timeout <= 0 {
		a.errorf("--timeout must be positive, not %s", f.timeout)
		a.hintf("give a duration such as 90s or 2m")
		return batch.Options{}, false
	}
	return batch.Options{
		Format:       f.format,
		Concurrency:  f.concurrency,
		Timeout:      f.timeout,
		OnlyProblems: f.onlyProblems,
		SheetsDir:    f.sheets,
		Force:        f.force,
		Sheets:       pdfSheets(),
		Lang:         a.lang(f.lang),
		Progress:     a.stderrTTY,
		Now:          a.now,
	}, true
}

// pdfSheets wires the PDF status sheets into batch.
func pdfSheets() batch.Sheets {
	return batch.Sheets{
		Device: func(w io.Writer, r *report.Report, lang string) error {
			return sheet.Render(w, r, sheet.Options{Lang: lang})
		},
		Fleet: func(w io.Writer, rs []*report.Report, lang string) error {
			return sheet.RenderFleet(w, rs, sheet.Options{Lang: lang})
		},
	}
}

// runFleetStream is runFleet for a fleet read as the run goes.
func (a *app) runFleetStream(ctx context.Context, fleet *batch.Fleet, opts batch.Options) int {
	worst, err := batch.RunFleet(ctx, fleet, opts, a.stdout, a.stderr)
	return a.fleetExit(worst, err, opts)
}

// runFleet checks devices with opts, writes the output and maps the outcome
// to the exit code. "mfpcheck demo --batch" calls it with a simulated fleet
// and its own Check.
func (a *app) runFleet(ctx context.Context, devices []batch.Device, opts batch.Options) int {
	worst, err := batch.Run(ctx, devices, opts, a.stdout, a.stderr)
	return a.fleetExit(worst, err, opts)
}

// fleetExit reports a batch run's error and maps its outcome to the exit
// code.
func (a *app) fleetExit(worst report.Verdict, err error, opts batch.Options) int {
	if err != nil {
		a.errorLines(err)
		if errors.Is(err, batch.ErrInterrupted) {
			a.hintf("run it again to check the devices that were not checked")
		}
		return ExitError
	}
	if opts.SheetsDir != "" {
		fmt.Fprintf(a.stderr, "mfpcheck: status sheets written to %s\n", opts.SheetsDir)
	}
	return verdictExit(worst)
}

// errorLines prints each line of a (joined) error as its own error line.
func (a *app) errorLines(err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		a.errorf("%s", line)
	}
}

// fleetWarnings prints what a fleet file had wrong that did not stop it
// (an unknown vendor checked as "other").
func (a *app) fleetWarnings(devices []batch.Device) {
	for _, d := range devices {
		if d.Warning != "" {
			fmt.Fprintf(a.stderr, "mfpcheck: warning: %s\n", d.Warning)
		}
	}
}
