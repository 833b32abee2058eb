package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/device"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
	"github.com/mfpcheck/mfpcheck/sheet"
)

// maxReportFile bounds a --from report: a real one is well under 1 MB even
// with a full transcript (2000 lines of at most 1000 bytes).
const maxReportFile = 8 << 20

// sheetFlags are the flags of "sheet".
type sheetFlags struct {
	profile string
	from    string
	out     string
	lang    string
	paper   string
	fixed   string
	force   bool
	caFile  string
	timeout time.Duration
	print   printFlags
	// noDevice: --no-device-read.
	noDevice bool
	tenant   tenantCheckFlags
}

// cmdSheet runs "mfpcheck sheet": it prints the PDF status sheet of a saved
// report (--from) or of a fresh check of a device (--profile).
func (a *app) cmdSheet(ctx context.Context, args []string) int {
	f, opts, code, ok := a.parseSheet(args)
	if !ok {
		return code
	}
	out, ok := a.sheetOut(f)
	if !ok {
		return ExitError
	}
	r, p, code, ok := a.sheetInput(f)
	if !ok {
		return code
	}
	// The printer is known, and its address checked, before any network.
	printer, code, ok := a.sheetPrinter(f, p, r)
	if !ok {
		return code
	}
	if p != nil {
		if r, code, ok = a.sheetCheck(ctx, f, p, opts.Lang); !ok {
			return code
		}
	}
	when := opts.Fixed
	if when.IsZero() {
		when = a.now()
	}
	path, pdf, err := out.Write(ctx, r, opts, when)
	if err != nil {
		a.sheetError(fmt.Errorf("sheet: %w", err), "--force")
		return ExitError
	}
	fmt.Fprintln(a.stdout, path)
	code = ExitOK
	if f.profile != "" {
		// Like probe: the exit code says what the check found.
		code = verdictExit(r.Verdict)
	}
	if printer != nil {
		code = worseExit(code, a.sendSheet(ctx, printer, r, pdf, opts.Lang, f.timeout))
	}
	return code
}

// sheetOut is where the sheet goes: -o, or the current folder without it.
// ok is false (the error said) when it cannot go there.
func (a *app) sheetOut(f sheetFlags) (out sheetOutput, ok bool) {
	out, err := newSheetOutput(f.out, f.force)
	if f.out == "" {
		out, err = newSheetOutput(".", f.force)
	}
	if err != nil {
		a.sheetError(fmt.Errorf("sheet: %w", err), "--force")
		return out, false
	}
	out.Wait = f.timeout
	return out, true
}

// parseSheet parses and checks the flags of "sheet". ok is false when the
// command must end with code.
func (a *app) parseSheet(args []string) (f sheetFlags, opts sheet.Options, code int, ok bool) {
	fs := flag.NewFlagSet("sheet", flag.ContinueOnError)
	fs.StringVar(&f.profile, "profile", "", "check the device in this profile (YAML), then print its sheet")
	fs.StringVar(&f.from, "from", "", "print the sheet of a saved report (probe --json, schema "+report.Schema+")")
	fs.StringVar(&f.out, "o", "", "output file, or a folder for the default name (default mfpcheck-sheet-DEVICE-DATE.pdf)")
	fs.StringVar(&f.caFile, "ca", "", "with --profile: verify the server against the CA certificates in this PEM file instead of the system roots")
	fs.StringVar(&f.lang, "lang", "", "language: en | de | fr (default from LC_ALL/LC_MESSAGES/LANG)")
	fs.StringVar(&f.paper, "paper", "a4", "paper size: a4 | letter")
	fs.StringVar(&f.fixed, "fixed-time", "", "print this RFC 3339 time as the sheet's date (reproducible output)")
	fs.BoolVar(&f.force, "force", false, "overwrite the output file if it exists")
	fs.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "bound for each step: the check (--profile), printing (--print), a named pipe's reader (-o)")
	fs.BoolVar(&f.noDevice, "no-device-read", false, "with --profile: do not ask the device (device.address) for its model and firmware over IPP/SNMP")
	f.print.register(fs)
	f.tenant.register(fs)
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return f, opts, code, false
	}
	if len(pos) > 0 {
		return f, opts, a.usageError("sheet", "unexpected arguments: %s", strings.Join(pos, " ")), false
	}
	opts = sheet.Options{Lang: a.lang(f.lang), Paper: strings.ToLower(f.paper)}
	if f.lang != "" && f.lang != "en" && f.lang != "de" && f.lang != "fr" {
		return f, opts, a.usageError("sheet", "--lang %q: use en, de or fr", f.lang), false
	}
	if opts.Paper != "a4" && opts.Paper != "letter" {
		return f, opts, a.usageError("sheet", "--paper %q: use a4 or letter", f.paper), false
	}
	if f.fixed != "" {
		t, err := time.Parse(time.RFC3339, f.fixed)
		if err != nil {
			return f, opts, a.usageError("sheet", "--fixed-time %q is not an RFC 3339 time (like 2026-03-02T09:14:03Z)", f.fixed), false
		}
		opts.Fixed = t
	}
	if f.timeout <= 0 {
		return f, opts, a.usageError("sheet", "--timeout must be positive"), false
	}
	if err := f.print.validate(); err != nil {
		return f, opts, a.usageError("sheet", "%v", err), false
	}
	if f.tenant.on && f.profile == "" {
		return f, opts, a.usageError("sheet", "--tenant-check needs --profile: a saved report keeps the tenant reads it was made with"), false
	}
	return f, opts, ExitOK, true
}

// sheetInput reads what the sheet is of: the saved report (--from) or the
// profile to check (--profile). ok is false when the command must end
// with code.
func (a *app) sheetInput(f sheetFlags) (r *report.Report, p *profile.Profile, code int, ok bool) {
	var err error
	switch {
	case f.profile != "" && f.from != "":
		return nil, nil, a.usageError("sheet", "give either --profile or --from, not both"), false
	case f.caFile != "" && f.profile == "":
		return nil, nil, a.usageError("sheet", "--ca is for checking a device's mail server (--profile); a saved report was checked already (an ipps:// printer's CA: --print-ca)"), false
	case f.from != "":
		if r, err = readReport(f.from); err != nil {
			return nil, nil, a.inputError("sheet", fmt.Errorf("sheet: %w", err)), false
		}
	case f.profile != "":
		if p, err = profile.Load(f.profile); err != nil {
			return nil, nil, a.inputError("sheet", fmt.Errorf("sheet: %w", err)), false
		}
	default:
		a.errorf("sheet: nothing to print: give --from REPORT.json or --profile FILE")
		a.hintf("save a report with: mfpcheck probe --profile FILE --json > report.json")
		return nil, nil, ExitError, false
	}
	return r, p, ExitOK, true
}

// sheetPrinter is the printer --print/--print-to names (nil without
// them), its address checked against the device's in p or r. ok is false
// when the command must end with code.
func (a *app) sheetPrinter(f sheetFlags, p *profile.Profile, r *report.Report) (printer *device.Client, code int, ok bool) {
	if !f.print.set() {
		return nil, ExitOK, true
	}
	address := ""
	if p != nil {
		address = p.Device.Address
	} else if r.Device != nil {
		address = r.Device.Address
	}
	printer, err := a.printer(f.print, address, f.timeout)
	if err != nil {
		return nil, a.inputError("sheet", err), false
	}
	return printer, ExitOK, true
}

// sheetCheck checks the device in p, with the sheet's flags f, for its
// sheet in lang. ok is false when the command must end with code.
func (a *app) sheetCheck(ctx context.Context, f sheetFlags, p *profile.Profile, lang string) (r *report.Report, code int, ok bool) {
	cfg := check.FromProfile(p, a.getenv)
	if f.caFile != "" {
		pool, err := probe.LoadCAFile(f.caFile)
		if err != nil {
			return nil, a.inputError("sheet", fmt.Errorf("sheet: %w", err)), false
		}
		cfg.Probe.Roots, cfg.Probe.RootsName = pool, f.caFile
	}
	cfg.Network = true
	if f.noDevice {
		cfg.DeviceRead = nil
	}
	cfg.Lang = lang
	cfg.ToolVersion = version
	cfg.Now = a.now
	cfg.Probe.Timeout = f.timeout
	if !a.applyTenantCheck("sheet", f.tenant, &cfg) {
		return nil, ExitError, false
	}
	return check.Run(ctx, cfg), ExitOK, true
}

// readReport reads a report JSON file and checks its schema.
func readReport(path string) (*report.Report, error) {
	data, _, err := safefile.ReadFile(path, maxReportFile)
	if err != nil {
		return nil, err
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%s: not a report (JSON): %w", path, err)
	}
	if head.Schema != report.Schema {
		if head.Schema == "" {
			return nil, fmt.Errorf("%s: no \"schema\" field; want a report of schema %s (mfpcheck probe --json)", path, report.Schema)
		}
		return nil, fmt.Errorf("%s: schema %q is not %s", path, head.Schema, report.Schema)
	}
	var r report.Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Whoever wrote the file, its text is outside text: sanitized like a
	// probe's (the sheet bounds its size itself).
	redact.Scrub(&r, nil)
	return &r, nil
}
