// Command mfpcheck finds out why a printer or scanner (an MFP) cannot send
// scan-to-email through Microsoft Exchange Online, and says how to fix it.
//
// main is wiring: it parses options, calls into diag, picks a renderer and
// maps the outcome to an exit code. Only main calls os.Exit.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/mfpcheck/mfpcheck/diag/redact"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes follow the monitoring-plugin convention (Nagios, Icinga,
// Checkmk), documented in README.md.
const (
	ExitOK      = 0 // everything works
	ExitWarning = 1 // works, with warnings (a certificate or token close to expiry …)
	ExitFail    = 2 // a failure was found: the device cannot send
	ExitError   = 3 // could not run: usage, profile or internal error
)

// app carries the process's surroundings, so commands can be run in tests
// exactly as from a shell.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	// stdoutTTY and stderrTTY say whether colour and progress bars are wanted.
	stdoutTTY bool
	stderrTTY bool
	stdinTTY  bool
	// width is the terminal's width when stdout is one (0 otherwise): the
	// text report fits its phase table to it.
	width int
	// wait sleeps between device-code polls; nil keeps the interval Entra
	// asks for. Tests and the demo shorten it.
	wait func(ctx context.Context, d time.Duration) error
	// red knows every secret the run has read (token, refresh token,
	// password); errors and hints on stderr pass through it like reports.
	red *redact.Redactor
}

// secrets is the run's redactor.
func (a *app) secrets() *redact.Redactor {
	if a.red == nil {
		a.red = &redact.Redactor{}
	}
	return a.red
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first Ctrl-C or SIGTERM asks every command to end with what it
	// has; once it has been asked, a second one kills the process at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	a := &app{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		getenv:    os.Getenv,
		now:       time.Now,
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
	}
	if a.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			a.width = w
		}
	}
	os.Exit(a.run(ctx, os.Args[1:]))
}

func (a *app) run(ctx context.Context, args []string) int {
	a.secrets()
	if len(args) == 0 {
		if a.stdinTTY && a.stdoutTTY {
			return a.cmdTUI(ctx, nil)
		}
		writeUsage(a.stderr)
		return ExitError
	}
	return a.dispatch(ctx, args[0], args[1:])
}

// dispatch runs the subcommand cmd with its arguments rest.
func (a *app) dispatch(ctx context.Context, cmd string, rest []string) int {
	switch cmd {
	case "probe":
		return a.cmdProbe(ctx, rest)
	case "init":
		return a.cmdInit(ctx, rest)
	case "demo":
		return a.cmdDemo(ctx, rest)
	case "explain":
		return a.cmdExplain(ctx, rest)
	case "token":
		return a.cmdToken(ctx, rest)
	case "login":
		return a.cmdLogin(ctx, rest)
	case "sheet":
		return a.cmdSheet(ctx, rest)
	case "batch":
		return a.cmdBatch(ctx, rest)
	case "device":
		return a.cmdDevice(ctx, rest)
	case "discover":
		return a.cmdDiscover(ctx, rest)
	case "tui":
		return a.cmdTUI(ctx, rest)
	case "serve":
		return a.cmdServe(ctx, rest)
	case "tenant":
		return a.cmdTenant(ctx, rest)
	case "version", "--version":
		return a.cmdVersion(rest)
	case "help", "-h", "--help":
		return a.cmdHelp(ctx, rest)
	}
	return a.unknownCommand(cmd)
}

// errorf prints "mfpcheck: error: …" on stderr.
func (a *app) errorf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "mfpcheck: error: %s\n", redact.SanitizeText(a.red.Redact(fmt.Sprintf(format, args...))))
}

// hintf prints "mfpcheck: hint: …" on stderr.
func (a *app) hintf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "mfpcheck: hint: %s\n", redact.SanitizeText(a.red.Redact(fmt.Sprintf(format, args...))))
}
