package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/tui"
)

// tuiWait bounds how long a test waits for the screen; a deadline against
// hangs, not a timing assertion.
const tuiWait = 30 * time.Second

func tuiWaitFor(t *testing.T, tm *teatest.TestModel, want ...string) string {
	t.Helper()
	var seen string
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen = string(b)
		for _, w := range want {
			if !strings.Contains(seen, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(tuiWait), teatest.WithCheckInterval(10*time.Millisecond))
	return seen
}

func startSim(t *testing.T, scenario string) *exosim.Sim {
	t.Helper()
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: scenario})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func finalTUI(t *testing.T, tm *teatest.TestModel) *tui.Model {
	t.Helper()
	m, ok := tm.FinalModel(t, teatest.WithFinalTimeout(tuiWait)).(*tui.Model)
	if !ok {
		t.Fatalf("final model is not *tui.Model")
	}
	return m
}

// TestTUIStreamsRealCheck runs the real check.Run against the simulator's
// "slow" scenario. The test holds each progress event of the real probe
// until it allows it, and the screen must show dns running, then done,
// while connect and the verdict do not exist yet.
func TestTUIStreamsRealCheck(t *testing.T) {
	t.Parallel()
	sim := startSim(t, "slow")
	a := newTestApp(nil)
	eng := a.tuiEngine()
	gate := make(chan struct{})
	realCheck := eng.Check
	eng.Check = func(ctx context.Context, d tui.Device, progress chan<- report.Phase) *report.Report {
		mid := make(chan report.Phase, 64)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for p := range mid {
				select {
				case <-gate:
				case <-ctx.Done():
				}
				progress <- p
			}
		}()
		r := realCheck(ctx, d, mid)
		close(mid)
		<-done
		return r
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := tui.New(ctx, tui.Options{Devices: []tui.Device{a.tuiSimDevice(sim, "en")}, Engine: eng, Output: &bytes.Buffer{}}, nil)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))

	tuiWaitFor(t, tm, "Waiting for the first phase")
	gate <- struct{}{} // dns starts
	out := tuiWaitFor(t, tm, " DNS ")
	if strings.Contains(out, "✓ DNS") || strings.Contains(out, "Connect") {
		t.Fatalf("dns should be running, connect absent:\n%s", out)
	}
	gate <- struct{}{} // dns ends
	out = tuiWaitFor(t, tm, "✓ DNS", "127.0.0.1")
	if strings.Contains(out, "Connect") || strings.Contains(out, "Verdict") {
		t.Fatalf("connect or the verdict shown before the probe got there:\n%s", out)
	}
	close(gate) // the rest as it comes
	tuiWaitFor(t, tm, "✓ AUTH", "235 2.0.0", "Verdict: OK")
	tm.Send(runes("q"))
	fm := finalTUI(t, tm)
	r := fm.Report(0)
	if r == nil || r.Verdict != report.VerdictOK {
		t.Fatalf("report = %+v, want verdict ok", r)
	}
	if p, ok := r.Phase(report.PhaseAuth); !ok || p.Status != report.StatusOK {
		t.Errorf("auth phase = %+v", p)
	}
}

// TestTUIFleetWithRealEngine: the list checks every device ("r"), shows
// each verdict, opens one, switches language through the real catalogue
// and writes a real PDF sheet.
func TestTUIFleetWithRealEngine(t *testing.T) {
	ok := startSim(t, "ok")
	bad := startSim(t, "mailbox-auth-disabled")
	a := newTestApp(nil)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	devs := []tui.Device{a.tuiSimDevice(ok, "en"), a.tuiSimDevice(bad, "en")}
	m := tui.New(ctx, tui.Options{Devices: devs, Engine: a.tuiEngine(), SheetDir: dir, Output: &bytes.Buffer{}}, nil)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))

	tuiWaitFor(t, tm, "Devices (2)", "not checked")
	tm.Send(runes("r"))
	tuiWaitFor(t, tm, "OK", "FAIL")
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tuiWaitFor(t, tm, "535 5.7.139", "Verdict: FAIL")
	tm.Send(runes("l"))
	tuiWaitFor(t, tm, "Ergebnis: FEHLER", "Befunde")
	tm.Send(runes("s"))
	tuiWaitFor(t, tm, "Blatt geschrieben: ", ".pdf")
	tm.Send(runes("q"))
	fm := finalTUI(t, tm)

	if fm.Report(0).Verdict != report.VerdictOK || fm.Report(1).Verdict != report.VerdictFail {
		t.Errorf("verdicts %s, %s; want ok, fail", fm.Report(0).Verdict, fm.Report(1).Verdict)
	}
	en, de := fm.Report(1).Findings, fm.Findings(1)
	if len(de) == 0 || len(de) != len(en) || de[0].ID != en[0].ID || de[0].Title == en[0].Title {
		t.Errorf("findings were not localized: en %+v\nde %+v", en, de)
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("sheets in %s: %v", dir, pdfs)
	}
	b, err := os.ReadFile(pdfs[0])
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("%s is not a PDF (%v)", pdfs[0], err)
	}
	if !strings.Contains(fm.Status(), pdfs[0]) {
		t.Errorf("status %q does not name %s", fm.Status(), pdfs[0])
	}
}

// TestTUISignInWithSimulatedEntra: the token panel's sign-in runs the real
// device-code flow against the simulated Entra ID, saves the new token in
// the device's token file and checks the device again.
func TestTUISignInWithSimulatedEntra(t *testing.T) {
	sim := startSim(t, "ok")
	authority, stop, err := startEntra(sim, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	a := newTestApp(nil)
	dev := a.tuiSimDevice(sim, "en")
	before, err := os.ReadFile(sim.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	cfg := dev.Config.(check.Config)
	cfg.Authority = authority
	dev.Config = cfg
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := tui.New(ctx, tui.Options{Devices: []tui.Device{dev}, Engine: a.tuiEngine(), Output: &bytes.Buffer{}}, nil)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	tuiWaitFor(t, tm, "Verdict: OK")
	tm.Send(runes("o"))
	tuiWaitFor(t, tm, "Obtained", "Press Enter to sign in")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tuiWaitFor(t, tm, "Signed in. Checking again", "Verdict: OK")
	tm.Send(runes("q"))
	finalTUI(t, tm)
	after, err := os.ReadFile(sim.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(before, after) {
		t.Errorf("the token file was not replaced by the sign-in")
	}
}

func TestTUIPanicExit(t *testing.T) {
	a := newTestApp(nil)
	code := a.tuiExit(&tui.PanicError{Value: "boom"}, "/tmp/state/mfpcheck/tui.log")
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	for _, want := range []string{"mfpcheck: log: /tmp/state/mfpcheck/tui.log", "mfpcheck: error: tui: internal error: panic: boom", "mfpcheck: hint: this is a bug"} {
		if !strings.Contains(a.err.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, a.err.String())
		}
	}
}

func TestTUILogPath(t *testing.T) {
	a := newTestApp(map[string]string{"XDG_STATE_HOME": "/home/u/.local/state"})
	if got := a.tuiLogPath(); got != "/home/u/.local/state/mfpcheck/tui.log" {
		t.Errorf("log path %q", got)
	}
	a = newTestApp(map[string]string{"HOME": "/home/u"})
	if got := a.tuiLogPath(); got != "/home/u/.cache/mfpcheck/tui.log" {
		t.Errorf("log path %q, want the user's cache folder", got)
	}
	a = newTestApp(map[string]string{"XDG_CACHE_HOME": "/c"})
	if got := a.tuiLogPath(); got != "/c/mfpcheck/tui.log" {
		t.Errorf("log path %q, want $XDG_CACHE_HOME/mfpcheck", got)
	}
	if got := newTestApp(nil).tuiLogPath(); strings.HasPrefix(got, os.TempDir()) {
		t.Errorf("log path %q is in the shared temporary folder", got)
	}
}
