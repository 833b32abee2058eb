package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Options configure Run.
type Options struct {
	// Format is text (default), json, jsonl, csv or openmetrics.
	Format string
	// Concurrency, Timeout and PerMailbox: see Runner.
	Concurrency int
	Timeout     time.Duration
	PerMailbox  int
	// OnlyProblems leaves ok devices out of the output and the per-device
	// sheets (the summary counts and the fleet sheet still cover all).
	OnlyProblems bool
	// SheetsDir, when set, receives one PDF per device and
	// fleet-summary.pdf; Force overwrites files there instead of choosing
	// a free name.
	SheetsDir string
	Force     bool
	Sheets    Sheets
	// Lang is the sheets' language (the findings' language is the
	// Check's business).
	Lang string
	// Progress draws a progress bar on errOut (only when it is a
	// terminal: the caller decides).
	Progress bool
	// Check checks one device (CheckWith with check.FromProfile for the
	// real thing).
	Check CheckFunc
	Now   func() time.Time
	// Warn, when set, is told what a fleet entry had wrong that did not
	// stop it (an unknown vendor in a CSV inventory, checked as other), as
	// the entry is read.
	Warn func(string)
	// Bad, when set, is told of each fleet entry that cannot be checked
	// (a malformed row, a bad value), as the entry is read; the run
	// reports it as that device's error and goes on.
	Bad func(error)
}

// ErrInterrupted is returned (wrapped) by Run when ctx ended before every
// device was checked. The output is complete and valid for the devices that
// finished, and says it was interrupted.
var ErrInterrupted = errors.New("interrupted")

// Run checks devices and writes the results to out in opts.Format (see
// RunFleet). Device names must be unique.
func Run(ctx context.Context, devices []Device, opts Options, out, errOut io.Writer) (report.Verdict, error) {
	if len(devices) == 0 {
		return report.VerdictError, errors.New("the fleet has no devices")
	}
	if err := uniqueNames(devices); err != nil {
		return report.VerdictError, err
	}
	return RunFleet(ctx, FleetOf(devices), opts, out, errOut)
}

// RunFleet checks a fleet's devices, read one at a time, and writes each
// result to out as soon as opts.Format allows: jsonl, json and csv in the
// order the devices finish (the json array is streamed, its elements
// written as they come), each per-device PDF sheet as its device finishes.
// text, openmetrics and nagios, which sort or group the devices, and the
// fleet sheet keep a small summary of each device (its name, verdict,
// first finding, days left), never its report. So memory does not grow
// with the fleet for jsonl, json and csv, and grows by the summaries only
// for the others.
//
// A progress bar, if asked for, goes to errOut. It returns the worst
// verdict of the devices checked, and an error when the run was
// interrupted (ErrInterrupted), output could not be written, or sheets
// failed; results that could be written are written all the same. A fleet
// entry that cannot be checked (Device.Err) is that device's error report.
func RunFleet(ctx context.Context, fleet *Fleet, opts Options, out, errOut io.Writer) (report.Verdict, error) {
	if opts.Format == "" {
		opts.Format = FormatText
	}
	if !slices.Contains(Formats(), opts.Format) {
		return report.VerdictError, fmt.Errorf("unknown format %q (one of %s)", opts.Format, strings.Join(Formats(), ", "))
	}
	if opts.Check == nil {
		return report.VerdictError, errors.New("batch: no check function")
	}
	if fleet.Len() == 0 {
		return report.VerdictError, errors.New("the fleet has no devices")
	}
	if opts.SheetsDir != "" && (opts.Sheets.Device == nil || opts.Sheets.Fleet == nil) {
		return report.VerdictError, errors.New("--sheets: no PDF renderer in this build")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}

	// A failed write to out (a closed pipe) stops the run: nobody reads
	// the rest.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var bar *progressBar
	if opts.Progress && errOut != nil {
		bar = newProgress(errOut, fleet.Len())
	}
	started := now()
	w := newWriter(opts.Format, out)
	var sheets *sheetWriter
	if opts.SheetsDir != "" {
		sheets = newSheetWriter(opts.SheetsDir, opts.Force, opts.Sheets, opts.Lang)
	}
	// Names key the metric series and the sheets' files: where they do, a
	// name seen before is that device's error. (Remembering every name
	// costs memory that grows with the fleet; jsonl, json and csv do not
	// need it.)
	var names map[string]string
	if w.keeps() || sheets != nil {
		names = map[string]string{}
	}
	devices := func(yield func(Device) bool) {
		for d := range fleet.Devices() {
			if d.Warning != "" && opts.Warn != nil {
				bar.hide()
				opts.Warn(d.Warning)
			}
			if d.invalid && opts.Bad != nil {
				bar.hide()
				opts.Bad(d.Err)
			}
			if names != nil && d.Err == nil {
				key := strings.ToLower(d.Name)
				if prev, ok := names[key]; ok {
					d.Err = fmt.Errorf("%s: device.name: %q is already used by %s; device names must be unique in a fleet", d.Source, d.Name, prev)
					d.Name, d.invalid = d.Source, true
					if opts.Bad != nil {
						bar.hide()
						opts.Bad(d.Err)
					}
				} else {
					names[key] = d.Source
				}
			}
			if !yield(d) {
				return
			}
		}
	}

	var writeErr error
	tally := newTally(fleet.Len(), started)
	runner := Runner{Check: opts.Check, Concurrency: opts.Concurrency, Timeout: opts.Timeout, PerMailbox: opts.PerMailbox}
	interrupted := runner.Stream(ctx, devices, func(ev Event) {
		switch ev.Kind {
		case Started:
			bar.start()
		case Cancelled:
			bar.cancelled()
		case Finished:
			r := ev.Report
			bar.finish(r.Verdict.Rank() >= report.VerdictFail.Rank())
			tally.add(r, ev.Index)
			shown := !opts.OnlyProblems || isProblem(r)
			if shown && writeErr == nil {
				if err := w.device(r, ev.Index); err != nil {
					writeErr = fmt.Errorf("write output: %w", err)
					stop(writeErr)
				}
			}
			if sheets != nil {
				sheets.device(r, shown, ev.Index)
			}
		}
	})
	bar.clear()
	// Interrupted by the caller, not by our own stop on a write error.
	interrupted = interrupted && writeErr == nil

	summary := tally.summary(now().Sub(started))
	var errs []error
	if writeErr != nil {
		errs = append(errs, writeErr)
	} else if err := w.finish(summary, interrupted); err != nil {
		errs = append(errs, fmt.Errorf("write output: %w", err))
	}
	if sheets != nil {
		if err := sheets.finish(); err != nil {
			errs = append(errs, err)
		}
	}
	if interrupted {
		errs = append(errs, fmt.Errorf("%w: %d of %d devices checked, the output holds those", ErrInterrupted, summary.Checked, summary.Devices))
	}
	return summary.Worst, errors.Join(errs...)
}
