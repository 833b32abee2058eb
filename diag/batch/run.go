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
}

// ErrInterrupted is returned (wrapped) by Run when ctx ended before every
// device was checked. The output is complete and valid for the devices that
// finished, and says it was interrupted.
var ErrInterrupted = errors.New("interrupted")

// Run checks devices and writes the results to out in opts.Format: jsonl
// as each device finishes, the others once the run ends. A progress bar, if
// asked for, goes to errOut. It returns the worst verdict of the devices
// checked, and an error when the run was interrupted (ErrInterrupted),
// output could not be written, or sheets failed; results that could be
// written are written all the same.
func Run(ctx context.Context, devices []Device, opts Options, out, errOut io.Writer) (report.Verdict, error) {
	if opts.Format == "" {
		opts.Format = FormatText
	}
	if !slices.Contains(Formats(), opts.Format) {
		return report.VerdictError, fmt.Errorf("unknown format %q (one of %s)", opts.Format, strings.Join(Formats(), ", "))
	}
	if opts.Check == nil {
		return report.VerdictError, errors.New("batch: no check function")
	}
	if len(devices) == 0 {
		return report.VerdictError, errors.New("the fleet has no devices")
	}
	if err := uniqueNames(devices); err != nil {
		return report.VerdictError, err
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
		bar = newProgress(errOut, len(devices))
	}
	var writeErr error
	started := now()
	runner := Runner{Check: opts.Check, Concurrency: opts.Concurrency, Timeout: opts.Timeout, PerMailbox: opts.PerMailbox,
		Keep: keepFor(opts)}
	results, interrupted := runner.Run(ctx, devices, func(ev Event) {
		switch ev.Kind {
		case Started:
			bar.start()
		case Cancelled:
			bar.cancelled()
		case Finished:
			bar.finish(ev.Report.Verdict.Rank() >= report.VerdictFail.Rank())
			if opts.Format == FormatJSONL && writeErr == nil && (!opts.OnlyProblems || isProblem(ev.Report)) {
				if err := WriteJSONL(out, ev.Report); err != nil {
					writeErr = fmt.Errorf("write output: %w", err)
					stop(writeErr)
				}
			}
		}
	})
	bar.clear()
	// Interrupted by the caller, not by our own stop on a write error.
	interrupted = interrupted && writeErr == nil

	took := now().Sub(started)
	all := make([]*report.Report, len(results))
	for i, r := range results {
		all[i] = r.Report
	}
	shown := all
	if opts.OnlyProblems {
		shown = slices.DeleteFunc(slices.Clone(all), func(r *report.Report) bool { return !isProblem(r) })
	}
	b := &Batch{Schema: BatchSchema, Reports: shown, Summary: Summarize(len(devices), results, started, took), Interrupted: interrupted}

	var errs []error
	if writeErr != nil {
		errs = append(errs, writeErr)
	} else if opts.Format != FormatJSONL {
		if err := Render(out, opts.Format, b); err != nil {
			errs = append(errs, fmt.Errorf("write output: %w", err))
		}
	}
	if opts.SheetsDir != "" && len(all) > 0 {
		if _, err := writeSheets(opts.SheetsDir, opts.Force, opts.Sheets, opts.Lang, shown, all); err != nil {
			errs = append(errs, err)
		}
	}
	if interrupted {
		errs = append(errs, fmt.Errorf("%w: %d of %d devices checked, the output holds those", ErrInterrupted, b.Summary.Checked, len(devices)))
	}
	return b.Summary.Worst, errors.Join(errs...)
}

// keepFor is what a run keeps of each report once its event is handled:
// jsonl has written it already and keeps the verdict for the summary;
// text, csv and openmetrics keep what their one line per device reads
// (device, target, findings, token, certificate), not the transcript,
// phases or network facts; json and sheets need whole reports.
func keepFor(opts Options) func(*report.Report) *report.Report {
	if opts.SheetsDir != "" || opts.Format == FormatJSON {
		return nil
	}
	if opts.Format == FormatJSONL {
		return func(r *report.Report) *report.Report { return &report.Report{Verdict: r.Verdict} }
	}
	return func(r *report.Report) *report.Report {
		slim := *r
		slim.Transcript, slim.Phases, slim.Network, slim.DNS = nil, nil, nil, nil
		if r.POP3 != nil {
			pop := *r.POP3
			pop.Phases = nil
			slim.POP3 = &pop
		}
		return &slim
	}
}
