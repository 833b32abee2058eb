package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestListShowsFirstFinding: once checked, each row shows its verdict and
// its first finding; at 60 columns the name stays whole (the address goes
// first).
func TestListShowsFirstFinding(t *testing.T) {
	fe := &fakeEngine{}
	tm, _ := newTest(t, Options{Devices: twoDevices(), Engine: fe.engine(), Lang: "en"})
	waitFor(t, tm, "Devices (2)")
	tm.Send(keys("r"))
	waitFor(t, tm, "FAIL · SMTP AUTH is disabled")
	tm.Send(tea.WindowSizeMsg{Width: 60, Height: 24})
	tm.Send(keys("q"))
	fm := final(t, tm)
	view := fm.View()
	if !strings.Contains(view, "Reception Epson ") || !strings.Contains(view, "Office Ricoh ") {
		t.Errorf("names are cut at 60 columns:\n%s", view)
	}
	if strings.Contains(view, "10.0.0.21") {
		t.Errorf("the address should give way first at 60 columns:\n%s", view)
	}
}

// TestCheckAllIsConcurrent: "check all" runs devices at once, like batch.
func TestCheckAllIsConcurrent(t *testing.T) {
	var mu sync.Mutex
	running, peak := 0, 0
	release := make(chan struct{})
	fe := &fakeEngine{}
	eng := fe.engine()
	check := eng.Check
	eng.Check = func(ctx context.Context, d Device, p chan<- report.Phase) *report.Report {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		select {
		case <-release:
		case <-ctx.Done():
		}
		mu.Lock()
		running--
		mu.Unlock()
		return check(ctx, d, p)
	}
	var devs []Device
	for i := range 5 {
		devs = append(devs, Device{Name: fmt.Sprintf("Printer %d", i), Vendor: "epson"})
	}
	tm, _ := newTest(t, Options{Devices: devs, Engine: eng, Lang: "en"})
	waitFor(t, tm, "Devices (5)")
	tm.Send(keys("r"))
	teatest.WaitFor(t, tm.Output(), func([]byte) bool {
		mu.Lock()
		defer mu.Unlock()
		return running == 5
	}, teatest.WithDuration(waitLong))
	close(release)
	waitFor(t, tm, "FAIL")
	tm.Send(keys("q"))
	final(t, tm)
	if peak != 5 {
		t.Errorf("at most %d checks ran at once, want 5", peak)
	}
}

// TestDeviceScreenDetails: skipped phases show no time, the transcript is
// in milliseconds like the CLI, Home/End scroll, a status message goes
// with the next key, and the sign-in help says esc cancels.
func TestDeviceScreenDetails(t *testing.T) {
	fe := &fakeEngine{loginGate: make(chan struct{})}
	eng := fe.engine()
	check := eng.Check
	eng.Check = func(ctx context.Context, d Device, p chan<- report.Phase) *report.Report {
		r := check(ctx, d, p)
		r.Phases = append(r.Phases, report.Phase{Name: report.PhaseData, Status: report.StatusSkipped, Note: "no test message sent (use --send-to ADDR to send one)"})
		return r
	}
	tm, _ := newTest(t, Options{Devices: twoDevices()[:1], Engine: eng, Lang: "de", SheetDir: t.TempDir()})
	waitFor(t, tm, "Ergebnis: FEHLER")
	// The phases follow the findings: End shows them.
	tm.Send(tea.KeyMsg{Type: tea.KeyEnd})
	out := waitFor(t, tm, "keine Testnachricht gesendet")
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "DATA") && strings.Contains(l, " ms") {
			t.Errorf("a skipped phase shows a time: %q", l)
		}
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyHome})
	tm.Send(keys("s"))
	waitFor(t, tm, "Blatt geschrieben")
	tm.Send(keys("t"))
	waitFor(t, tm, "25.0 ms")
	tm.Send(keyEsc)
	tm.Send(keys("o"))
	tm.Send(keyEnter)
	waitFor(t, tm, "F J 3   K D 8   L M N", "esc abbrechen")
	tm.Send(keyEsc)
	tm.Send(keys("q"))
	fm := final(t, tm)
	if fm.Status() != "" {
		t.Errorf("status %q outlived the keys after it", fm.Status())
	}
}
