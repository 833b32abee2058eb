package tui

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Messages. Each carries the device index and, for streams, the run number,
// so results of a run that was replaced (re-run, new sign-in) are ignored.
type (
	// phaseMsg is one phase received from a running check.
	phaseMsg struct {
		cr    *checkRun
		phase report.Phase
	}
	// reportMsg is the finished report of a check.
	reportMsg struct {
		dev, run int
		report   *report.Report
	}
	// localizedMsg carries a device's findings in another language.
	localizedMsg struct {
		dev, run int
		lang     string
		findings []report.Finding
	}
	// explainMsg is the decoding of the explain prompt's input.
	explainMsg struct {
		input, lang string
		findings    []report.Finding
	}
	// printMsg says what the device's printer did with the sheet.
	printMsg struct {
		dev    int
		result string
		err    error
	}
	// sheetMsg says where the PDF sheet was written, or why not.
	sheetMsg struct {
		dev  int
		path string
		err  error
	}
	// loginCodeMsg is the device code to show.
	loginCodeMsg struct {
		lr   *loginRun
		code DeviceCode
	}
	// loginDoneMsg ends a sign-in.
	loginDoneMsg struct {
		dev, run int
		err      error
	}
	// panicMsg is a panic caught inside one of the TUI's commands.
	panicMsg struct{ err *PanicError }
)

// progressBuffer is the progress channel's size: a whole probe's phases
// (start and end of SMTP and POP3) fit, so the probe never waits for the UI.
const progressBuffer = 64

// safe wraps a command so that a panic inside it ends the TUI with a
// *PanicError instead of killing the process with the terminal in raw mode.
func safe(cmd func() tea.Msg) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = panicMsg{&PanicError{Value: r, Stack: debug.Stack()}}
			}
		}()
		return cmd()
	}
}

// checkRun is the plumbing of one running check: the engine sends phases on
// progress and, when it returns, the report on done; then progress is closed.
type checkRun struct {
	dev, run int
	progress chan report.Phase
	done     chan *report.Report
}

func newCheckRun(dev, run int) *checkRun {
	return &checkRun{dev: dev, run: run, progress: make(chan report.Phase, progressBuffer), done: make(chan *report.Report, 1)}
}

// runCheck calls the engine. It returns no message: the results arrive
// through waitCheck, one per command, in the order the engine made them.
func runCheck(ctx context.Context, e Engine, d Device, cr *checkRun, lang string) tea.Cmd {
	return func() tea.Msg {
		rep := callCheck(ctx, e, d, cr.progress, lang)
		cr.done <- rep
		close(cr.progress)
		return nil
	}
}

// callCheck runs Engine.Check and turns a panic or a missing engine into a
// report with verdict "error", so one broken device does not end the TUI.
func callCheck(ctx context.Context, e Engine, d Device, progress chan<- report.Phase, lang string) (rep *report.Report) {
	defer func() {
		if r := recover(); r != nil {
			rep = errorReport(d, lang, fmt.Errorf("check panicked: %v", r))
		}
	}()
	if e.Check == nil {
		return errorReport(d, lang, errors.New("no check engine"))
	}
	rep = e.Check(ctx, d, progress)
	if rep == nil {
		rep = errorReport(d, lang, errors.New("check returned no report"))
	}
	return rep
}

func errorReport(d Device, lang string, err error) *report.Report {
	return &report.Report{
		Schema:    report.Schema,
		Generated: time.Now(),
		Lang:      lang,
		Device:    &report.Device{Name: d.Name, Vendor: d.Vendor, Model: d.Model, Address: d.Address},
		Verdict:   report.VerdictError,
		Error:     err.Error(),
	}
}

// waitCheck delivers the next item of a running check: a phase, or the
// report once the progress channel is closed.
func waitCheck(cr *checkRun) tea.Cmd {
	return func() tea.Msg {
		if p, ok := <-cr.progress; ok {
			return phaseMsg{cr: cr, phase: p}
		}
		return reportMsg{dev: cr.dev, run: cr.run, report: <-cr.done}
	}
}

// localize re-renders findings in lang through the engine.
func localize(e Engine, dev, run int, fs []report.Finding, lang, vendor string) tea.Cmd {
	if e.Localize == nil || len(fs) == 0 {
		return nil
	}
	return safe(func() tea.Msg {
		out := make([]report.Finding, len(fs))
		for i, f := range fs {
			out[i] = e.Localize(f, lang, vendor)
		}
		return localizedMsg{dev: dev, run: run, lang: lang, findings: out}
	})
}

// explain decodes input through the engine.
func explain(e Engine, input, lang, vendor string) tea.Cmd {
	return safe(func() tea.Msg {
		var fs []report.Finding
		if e.Explain != nil {
			fs = e.Explain(input, lang, vendor)
		}
		return explainMsg{input: input, lang: lang, findings: fs}
	})
}

// writeSheet writes the PDF sheet into dir through the engine.
func writeSheet(e Engine, dev int, dir string, r *report.Report, lang string) tea.Cmd {
	return safe(func() tea.Msg {
		if e.Sheet == nil {
			return sheetMsg{dev: dev, err: errors.New("no sheet renderer")}
		}
		path, err := e.Sheet(dir, r, lang)
		return sheetMsg{dev: dev, path: path, err: err}
	})
}

// printSheet prints the sheet file at path on the device's printer
// through the engine.
func printSheet(ctx context.Context, e Engine, dev int, d Device, path string) tea.Cmd {
	return safe(func() tea.Msg {
		res, err := e.Print(ctx, d, path)
		return printMsg{dev: dev, result: res, err: err}
	})
}

// loginRun is the plumbing of one device-code sign-in.
type loginRun struct {
	dev, run int
	codes    chan DeviceCode
	done     chan error
}

func runLogin(ctx context.Context, e Engine, d Device, lr *loginRun) tea.Cmd {
	return func() tea.Msg {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("sign-in panicked: %v", r)
				}
			}()
			return e.Login(ctx, d, func(c DeviceCode) {
				select {
				case lr.codes <- c:
				case <-ctx.Done():
				}
			})
		}()
		lr.done <- err
		close(lr.codes)
		return nil
	}
}

func waitLogin(lr *loginRun) tea.Cmd {
	return func() tea.Msg {
		if c, ok := <-lr.codes; ok {
			return loginCodeMsg{lr: lr, code: c}
		}
		return loginDoneMsg{dev: lr.dev, run: lr.run, err: <-lr.done}
	}
}
