// Package tui is mfpcheck's interactive terminal UI: a device list, a live
// probe view whose phases appear as the engine reports them, the token panel
// with the device-code sign-in, the transcript and an explain prompt.
//
// The TUI only reads reports. It never decides what a reply means: findings
// and their texts come from the engine (diag/diagnose through Engine), and
// every call into the engine runs inside a tea.Cmd. The engine is injected as
// plain functions, so the UI can be driven by a fake engine in tests and by
// check.Run, diagnose and sheet in cmd/mfpcheck.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/mfpcheck/mfpcheck/diag/discover"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Device is one device the TUI can check.
type Device struct {
	Name    string
	Vendor  string // epson | ricoh | sharp | other; selects menu names in findings
	Model   string
	Address string
	// Source is where the device came from ("fleet.yaml:12", a profile path).
	Source string
	// Config is opaque to the TUI and handed back to Engine.Check and
	// Engine.Login (cmd/mfpcheck puts a check.Config there).
	Config any
}

// DeviceCode is what the device-code sign-in asks the user to type, and
// where (RFC 8628 user_code and verification_uri).
type DeviceCode struct {
	UserCode        string
	VerificationURI string
	Message         string
	ExpiresAt       time.Time
}

// Engine is everything the TUI asks of mfpcheck's engine. Each function is
// called from a tea.Cmd, never from Update or View. A nil function disables
// the feature that needs it (the UI says so).
type Engine struct {
	// Check runs the whole check of one device and returns its report (never
	// nil). It sends each phase on progress when the phase starts (status
	// running) and when it ends, and must not send after it returns.
	Check func(ctx context.Context, dev Device, progress chan<- report.Phase) *report.Report
	// Explain decodes free input (a reply line, a code, an AADSTS error).
	Explain func(input, lang, vendor string) []report.Finding
	// Label returns the catalogue's word for a key in lang (for example
	// "where.m365_admin"); nil shows the key itself.
	Label func(lang, key string) string
	// Localize returns a finding's texts in another language.
	Localize func(f report.Finding, lang, vendor string) report.Finding
	// Sheet writes the PDF status sheet of r into the folder dir, in lang,
	// and returns the file's path. It names the file and never overwrites.
	Sheet func(dir string, r *report.Report, lang string) (path string, err error)
	// Print prints the sheet file at path on dev's own printer (its
	// Address, over IPP, only if it takes PDF) and returns what the printer
	// did, in one line. It ends when ctx does.
	Print func(ctx context.Context, dev Device, path string) (string, error)
	// Login runs the device-code sign-in for dev; show is called once the
	// code is known. It returns when the user signed in, the code expired or
	// ctx ended.
	Login func(ctx context.Context, dev Device, show func(DeviceCode)) error
	// Discover lists the printers and MFPs that answer DNS-SD on the local
	// link ("d"); it returns when its own timeout or ctx ends.
	Discover func(ctx context.Context) ([]discover.Device, error)
}

// Options configure Run.
type Options struct {
	Devices []Device
	Engine  Engine
	// Lang is the first language (en, de, fr); "l" cycles through them.
	Lang string
	// SheetDir is where "s" writes PDF sheets (default: the current folder).
	SheetDir string
	// LogFile receives the log while the TUI owns the terminal; empty means
	// no log.
	LogFile string
	// Input and Output default to the process's terminal.
	Input   io.Reader
	Output  io.Writer
	NoColor bool
	// AltScreen uses the terminal's alternate screen (the CLI sets it).
	AltScreen bool
}

// PanicError is returned by Run when the UI panicked. The terminal has been
// restored; Stack is also written to the log file.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("tui: internal error: panic: %v", e.Value) }

// ErrNoDevices is returned by Run when there is nothing to show.
var ErrNoDevices = errors.New("tui: no devices to check")

// Run shows the TUI until the user quits or ctx ends. A panic in the UI is
// recovered: the terminal is restored and Run returns a *PanicError. Quitting
// and an ended ctx are not errors.
func Run(ctx context.Context, opts Options) error {
	return run(ctx, opts, nil)
}

// run is Run with a hook that wraps the root model (tests inject panics).
func run(ctx context.Context, opts Options, wrap func(tea.Model) tea.Model) (err error) {
	if len(opts.Devices) == 0 {
		return ErrNoDevices
	}
	logger, closeLog, err := openLog(opts.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops every check still running

	m := New(ctx, opts, logger)
	var root tea.Model = m
	if wrap != nil {
		root = wrap(m)
	}
	popts := []tea.ProgramOption{
		tea.WithContext(ctx),
		// Panics are ours to handle: bubbletea's own handler prints to
		// stdout and loses the value.
		tea.WithoutCatchPanics(),
	}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	if opts.AltScreen {
		popts = append(popts, tea.WithAltScreen())
	}
	if f, ok := outputOf(opts).(*os.File); ok && f == os.Stdout {
		// bubbletea's own init no longer asks the terminal for its
		// background (cmd/mfpcheck/internal/termquiet keeps every other
		// command quiet); ask here, before the program owns the terminal,
		// so a colour that depends on it never waits for an answer the
		// program would read as keys.
		lipgloss.HasDarkBackground()
	}
	p := tea.NewProgram(root, popts...)

	defer func() {
		r := recover()
		if r == nil {
			return
		}
		pe := &PanicError{Value: r, Stack: debug.Stack()}
		logger.Printf("panic: %v\n%s", r, pe.Stack)
		p.Kill()
		_ = p.ReleaseTerminal()
		err = pe
	}()

	final, err := p.Run()
	if fm, ok := final.(interface{ fatalErr() error }); ok && fm.fatalErr() != nil {
		return fm.fatalErr()
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tea.ErrInterrupted), errors.Is(err, context.Canceled):
		return nil
	}
	return fmt.Errorf("tui: %w", err)
}

// openLog opens the log file (appending) or returns a logger that discards.
func openLog(path string) (*log.Logger, func(), error) {
	if path == "" {
		return log.New(io.Discard, "", 0), func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("tui: log file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("tui: log file: %w", err)
	}
	l := log.New(f, "mfpcheck ", log.LstdFlags|log.Lmicroseconds)
	l.Printf("tui started")
	return l, func() { l.Printf("tui stopped"); f.Close() }, nil
}

// outputOf is where the program draws.
func outputOf(opts Options) io.Writer {
	if opts.Output != nil {
		return opts.Output
	}
	return os.Stdout
}
