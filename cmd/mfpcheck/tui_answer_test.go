package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/tui"
)

var spaces = regexp.MustCompile(`\s+`)

func squashSpace(s string) string { return spaces.ReplaceAllString(s, "") }

// TestTUIDeviceScreenShowsTheFix: for every failing simulator scenario, in
// every language, the device screen of an 80x24 terminal shows the
// blocking finding's title and its first step without scrolling.
func TestTUIDeviceScreenShowsTheFix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every simulator scenario")
	}
	for _, sc := range exosim.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			sim, err := exosim.Start(ctx, exosim.Options{Scenario: sc.Name, POP3: true})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			a := newTestApp(nil)
			dev := a.tuiSimDevice(sim, "en")
			r := check.Run(ctx, dev.Config.(check.Config))
			if r.Verdict != report.VerdictFail {
				return
			}
			for _, lang := range []string{"en", "de", "fr"} {
				fm := tuiShowing(ctx, t, a, dev, r, lang)
				view := fm.View()
				top, ok := render.TopFinding(fm.Findings(0))
				if !ok {
					t.Fatalf("%s: no top finding in %v", lang, fm.Findings(0))
				}
				if n := strings.Count(view, "\n") + 1; n > 24 {
					t.Errorf("%s: the screen has %d lines", lang, n)
				}
				sq := squashSpace(view)
				if !strings.Contains(sq, squashSpace(top.Title)) {
					t.Errorf("%s: the screen lacks the top finding %q:\n%s", lang, top.Title, view)
				}
				if len(top.Steps) > 0 && !strings.Contains(sq, squashSpace("1. "+top.Steps[0].Text)) {
					t.Errorf("%s: the screen lacks the first step %q:\n%s", lang, top.Steps[0].Text, view)
				}
			}
		})
	}
}

// tuiShowing opens the TUI at 80x24 in lang on dev, whose check gives r,
// waits for the answer, quits and returns the final model.
func tuiShowing(ctx context.Context, t *testing.T, a *testApp, dev tui.Device, r *report.Report, lang string) *tui.Model {
	t.Helper()
	eng := a.tuiEngine()
	eng.Check = func(context.Context, tui.Device, chan<- report.Phase) *report.Report { return r }
	m := tui.New(ctx, tui.Options{Devices: []tui.Device{dev}, Engine: eng, Lang: lang, Output: &bytes.Buffer{}}, nil)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	tuiWaitFor(t, tm, "SMTP")
	tm.Send(runes("q"))
	return finalTUI(t, tm)
}
