package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
}

// cmdSheet runs "mfpcheck sheet": it prints the PDF status sheet of a saved
// report (--from) or of a fresh check of a device (--profile).
func (a *app) cmdSheet(ctx context.Context, args []string) int {
	var f sheetFlags
	fset := flag.NewFlagSet("sheet", flag.ContinueOnError)
	fset.StringVar(&f.profile, "profile", "", "check the device in this profile (YAML), then print its sheet")
	fset.StringVar(&f.from, "from", "", "print the sheet of a saved report (probe --json, schema "+report.Schema+")")
	fset.StringVar(&f.out, "o", "", "output file, or a folder for the default name (default mfpcheck-sheet-DEVICE-DATE.pdf)")
	fset.StringVar(&f.caFile, "ca", "", "with --profile: verify the server against the CA certificates in this PEM file instead of the system roots")
	fset.StringVar(&f.lang, "lang", "", "language: en | de | fr (default from LC_ALL/LC_MESSAGES/LANG)")
	fset.StringVar(&f.paper, "paper", "a4", "paper size: a4 | letter")
	fset.StringVar(&f.fixed, "fixed-time", "", "print this RFC 3339 time as the sheet's date (reproducible output)")
	fset.BoolVar(&f.force, "force", false, "overwrite the output file if it exists")
	fset.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "bound for each step: the check (--profile), printing (--print), a named pipe's reader (-o)")
	fset.BoolVar(&f.noDevice, "no-device-read", false, "with --profile: do not ask the device (device.address) for its model and firmware over IPP/SNMP")
	f.print.register(fset)
	pos, code, ok := a.parseArgs(fset, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return a.usageError("sheet", "unexpected arguments: %s", strings.Join(pos, " "))
	}
	opts := sheet.Options{Lang: a.lang(f.lang), Paper: strings.ToLower(f.paper)}
	if f.lang != "" && f.lang != "en" && f.lang != "de" && f.lang != "fr" {
		return a.usageError("sheet", "--lang %q: use en, de or fr", f.lang)
	}
	if opts.Paper != "a4" && opts.Paper != "letter" {
		return a.usageError("sheet", "--paper %q: use a4 or letter", f.paper)
	}
	if f.fixed != "" {
		t, err := time.Parse(time.RFC3339, f.fixed)
		if err != nil {
			return a.usageError("sheet", "--fixed-time %q is not an RFC 3339 time (like 2026-03-02T09:14:03Z)", f.fixed)
		}
		opts.Fixed = t
	}
	if f.timeout <= 0 {
		return a.usageError("sheet", "--timeout must be positive")
	}
	if err := f.print.validate(); err != nil {
		return a.usageError("sheet", "%v", err)
	}

	out, err := newSheetOutput(f.out, f.force)
	if f.out == "" {
		out, err = newSheetOutput(".", f.force)
	}
	if err != nil {
		a.sheetError(fmt.Errorf("sheet: %w", err), "--force")
		return ExitError
	}
	out.wait = f.timeout

	var r *report.Report
	var p *profile.Profile
	switch {
	case f.profile != "" && f.from != "":
		return a.usageError("sheet", "give either --profile or --from, not both")
	case f.caFile != "" && f.profile == "":
		return a.usageError("sheet", "--ca is for checking a device's mail server (--profile); a saved report was checked already (an ipps:// printer's CA: --print-ca)")
	case f.from != "":
		if r, err = readReport(f.from); err != nil {
			return a.inputError("sheet", fmt.Errorf("sheet: %w", err))
		}
	case f.profile != "":
		if p, err = profile.Load(f.profile); err != nil {
			return a.inputError("sheet", fmt.Errorf("sheet: %w", err))
		}
	default:
		a.errorf("sheet: nothing to print: give --from REPORT.json or --profile FILE")
		a.hintf("save a report with: mfpcheck probe --profile FILE --json > report.json")
		return ExitError
	}
	// The printer is known, and its address checked, before any network.
	var printer *device.Client
	if f.print.set() {
		address := ""
		if p != nil {
			address = p.Device.Address
		} else if r.Device != nil {
			address = r.Device.Address
		}
		if printer, err = a.printer(f.print, address, f.timeout); err != nil {
			return a.inputError("sheet", err)
		}
	}
	if p != nil {
		cfg := check.FromProfile(p, a.getenv)
		if f.caFile != "" {
			pool, err := probe.LoadCAFile(f.caFile)
			if err != nil {
				return a.inputError("sheet", fmt.Errorf("sheet: %w", err))
			}
			cfg.Probe.Roots, cfg.Probe.RootsName = pool, f.caFile
		}
		cfg.Network = true
		if f.noDevice {
			cfg.DeviceRead = nil
		}
		cfg.Lang = opts.Lang
		cfg.ToolVersion = version
		cfg.Now = a.now
		cfg.Probe.Timeout = f.timeout
		r = check.Run(ctx, cfg)
	}

	when := opts.Fixed
	if when.IsZero() {
		when = a.now()
	}
	path, pdf, err := out.write(ctx, r, opts, when)
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

// defaultStreamWait bounds waiting for a named pipe's reader, and writing
// into the pipe, when the command gives no --timeout (the TUI).
const defaultStreamWait = 60 * time.Second

// writeStream writes data into an existing named pipe or device. A pipe is
// written when its reader is there: it waits for one, and for the reader to
// take the data, until wait has passed or ctx ends (Ctrl-C), whichever is
// first. A pipe nobody reads is an error, not a hang.
func writeStream(ctx context.Context, path string, data []byte, wait time.Duration) error {
	if wait <= 0 {
		wait = defaultStreamWait
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	ended := func() error {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("write %s: the named pipe's reader did not take the sheet within %s", path, wait)
		}
		return fmt.Errorf("write %s: interrupted", path)
	}
	// O_NONBLOCK: open fails with ENXIO while a pipe has no reader, instead
	// of blocking where neither the deadline nor a signal can end it; the
	// file is then written through Go's poller, which honours deadlines.
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	for errors.Is(err, syscall.ENXIO) {
		select {
		case <-ctx.Done():
			return ended()
		case <-time.After(50 * time.Millisecond):
		}
		f, err = os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Now()) })
	_, err = f.Write(data)
	stop()
	if err != nil {
		f.Close()
		if ctx.Err() != nil {
			return ended()
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
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

// defaultSheetName is mfpcheck-sheet-<device-or-host>-<date>.pdf, with the
// name reduced to characters safe in a file name on every system.
func defaultSheetName(r *report.Report, when time.Time) string {
	name := r.Target.Host
	if r.Device != nil && r.Device.Name != "" {
		name = r.Device.Name
	}
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' ||
			c == 'ä' || c == 'ö' || c == 'ü' || c == 'ß' || c == 'é' || c == 'è' || c == 'à' || c == 'ç'
		if ok {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-.")
	if len(s) > 60 {
		s = strings.TrimRight(redact.SafePrefix(s, 60), "-.")
	}
	if s == "" {
		s = "device"
	}
	return "mfpcheck-sheet-" + s + "-" + when.Format("2006-01-02") + ".pdf"
}

// writeSheetFile renders r into path; see writeSheetBytes.
func writeSheetFile(path string, r *report.Report, opts sheet.Options, force bool) error {
	var buf bytes.Buffer
	if err := sheet.Render(&buf, r, opts); err != nil {
		return err
	}
	return writeSheetBytes(context.Background(), path, buf.Bytes(), force, 0)
}

// writeSheetBytes writes a rendered sheet into path atomically: a
// temporary file in the same folder, renamed into place once complete, so a
// reader never sees half a PDF. An existing file is kept unless force is set
// (the error wraps fs.ErrExist). A named pipe or a device is written into
// (writeStream, bounded by wait and ctx).
func writeSheetBytes(ctx context.Context, path string, data []byte, force bool, wait time.Duration) error {
	// A named pipe or a device (/dev/stdout) is written to, never replaced;
	// a folder or a socket is refused. Only a regular file is replaced, and
	// only with --force.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) == 0 {
			return safefile.RegularOrMissing(path)
		}
		return writeStream(ctx, path, data, wait)
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s already exists: %w", path, fs.ErrExist)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !force {
		// Link fails if path appeared meanwhile; rename would replace it.
		if err := os.Link(tmp.Name(), path); err == nil {
			return nil
		} else if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists: %w", path, fs.ErrExist)
		}
		// File systems without hard links fall back to rename.
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
