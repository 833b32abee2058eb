package tui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// waitLong bounds how long a test waits for the screen to show something.
// It is a deadline against hangs, not a timing assertion.
const waitLong = 15 * time.Second

func newTest(t *testing.T, opts Options) (*teatest.TestModel, *Model) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	opts.Output = &bytes.Buffer{} // styles: not a terminal, so no colour
	m := New(ctx, opts, nil)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	return tm, m
}

// waitFor waits until the output read so far contains every string in want.
// It returns what was read, for checks of what is NOT there.
func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) string {
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
	}, teatest.WithDuration(waitLong), teatest.WithCheckInterval(10*time.Millisecond))
	return seen
}

// waitForRe is waitFor with regular expressions.
func waitForRe(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !regexp.MustCompile(w).Match(b) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(waitLong), teatest.WithCheckInterval(10*time.Millisecond))
}

func keys(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

var (
	keyEnter = tea.KeyMsg{Type: tea.KeyEnter}
	keyEsc   = tea.KeyMsg{Type: tea.KeyEsc}
	keyDown  = tea.KeyMsg{Type: tea.KeyDown}
)

func twoDevices() []Device {
	return []Device{
		{Name: "Reception Epson", Vendor: "epson", Model: "WF-C579R", Address: "10.0.0.21"},
		{Name: "Office Ricoh", Vendor: "ricoh", Model: "IM C3000", Address: "10.0.0.22"},
	}
}

func final(t *testing.T, tm *teatest.TestModel) *Model {
	t.Helper()
	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(waitLong)).(*Model)
	if !ok {
		t.Fatalf("final model is %T", fm)
	}
	return fm
}

// TestWalkthrough drives every screen: list → open device → phases →
// findings → transcript → explain → language → sheet → quit.
func TestWalkthrough(t *testing.T) {
	fe := &fakeEngine{}
	dir := t.TempDir()
	tm, _ := newTest(t, Options{Devices: twoDevices(), Engine: fe.engine(), Lang: "en", SheetDir: dir})

	waitFor(t, tm, "Devices (2)", "Reception Epson", "Office Ricoh", "not checked")

	tm.Send(keyDown)
	tm.Send(keyEnter)
	// The second device opens and its check runs: phases, verdict, findings
	// with numbered steps.
	out := waitFor(t, tm, "Office Ricoh", "DNS", "AUTH", "535 5.7.139", "Verdict: FAIL",
		"SMTP AUTH is disabled for the tenant", "1. step-one-en")
	if strings.Contains(out, "Reception Epson ·") {
		t.Errorf("opened the wrong device")
	}
	// The rest of the findings is below the fold: scroll.
	tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	waitFor(t, tm, "2. step-two-en", "PS> Set-CASMailbox -Identity scanner@contoso.com", "side: tenant")

	tm.Send(keys("t"))
	waitFor(t, tm, "Transcript", "EHLO mfpcheck.local", "AUTH XOAUTH2 [redacted sha256:1a2b3c4d]")
	tm.Send(keyEsc)

	tm.Send(keys("e"))
	waitFor(t, tm, "Type a code or paste a reply line")
	tm.Type("535 5.7.139 Authentication unsuccessful")
	tm.Send(keyEnter)
	waitFor(t, tm, "Decoded: client SMTP submission off")

	tm.Send(keys("l"))
	waitFor(t, tm, "Gedeutet: SMTP-Übermittlung aus", "Sprache: Deutsch")

	tm.Send(keyEsc)
	waitFor(t, tm, "SMTP AUTH ist für den Mandanten deaktiviert", "1. step-one-de", "Befunde")

	tm.Send(keys("s"))
	// The message line keeps the file name when the path is too long.
	waitFor(t, tm, "Blatt geschrieben: ", "mfpcheck-sheet-office-ricoh-2026-01-12.pdf")

	tm.Send(keys("q"))
	fm := final(t, tm)

	if fm.Lang() != "de" {
		t.Errorf("lang = %q, want de", fm.Lang())
	}
	if r := fm.Report(1); r == nil || r.Verdict != report.VerdictFail {
		t.Fatalf("report of device 1 = %+v, want verdict fail", r)
	}
	if fm.Report(0) != nil {
		t.Errorf("device 0 was checked, but only device 1 was opened")
	}
	if f := fm.Findings(1); len(f) != 1 || f[0].Title != fakeTitles["smtp_auth_disabled"]["de"] {
		t.Errorf("findings = %+v, want the German title", f)
	}
	// The report itself is only read: its findings stay in its language.
	if got := fm.Report(1).Findings[0].Title; got != fakeTitles["smtp_auth_disabled"]["en"] {
		t.Errorf("the report was changed: title %q", got)
	}
	if len(fe.sheets) != 1 || !strings.HasPrefix(fe.sheets[0], dir) {
		t.Fatalf("sheets = %v, want one in %s", fe.sheets, dir)
	}
	if _, err := os.Stat(fe.sheets[0]); err != nil {
		t.Errorf("sheet: %v", err)
	}
	if !strings.Contains(fm.Status(), fe.sheets[0]) {
		t.Errorf("status %q does not name %s", fm.Status(), fe.sheets[0])
	}
}

// TestStreaming proves phases are drawn as the engine sends them: each step
// of the fake engine waits for the test, and the screen must show phase 1
// running, then done, while phase 2 does not exist yet.
func TestStreaming(t *testing.T) {
	fe := &fakeEngine{gate: make(chan struct{})}
	tm, _ := newTest(t, Options{Devices: twoDevices()[:1], Engine: fe.engine()})
	step := func() { fe.gate <- struct{}{} }

	// A single device opens straight into its probe.
	waitFor(t, tm, "Phases", "Waiting for the first phase")

	step() // dns starts
	out := waitFor(t, tm, " DNS ")
	if strings.Contains(out, "✓ DNS") || strings.Contains(out, "Connect") {
		t.Fatalf("dns should be running and connect absent:\n%s", out)
	}

	step() // dns ends
	out = waitFor(t, tm, "✓ DNS", "3 ms", "40.99.10.34")
	if strings.Contains(out, "Connect") {
		t.Fatalf("connect shown before the engine sent it:\n%s", out)
	}

	step() // connect starts
	out = waitFor(t, tm, "Connect")
	if strings.Contains(out, "✓ Connect") || strings.Contains(out, "Banner") {
		t.Fatalf("connect should be running and banner absent:\n%s", out)
	}
	if strings.Contains(out, "Verdict") {
		t.Fatalf("verdict shown while the check runs:\n%s", out)
	}

	// Let the rest run.
	for range 2*len(fakePhases()) - 3 {
		step()
	}
	waitFor(t, tm, "✗ AUTH", "Verdict: FAIL", "SMTP AUTH is disabled")
	tm.Send(keys("q"))
	fm := final(t, tm)
	if len(fm.Report(0).Phases) != len(fakePhases()) {
		t.Errorf("report has %d phases", len(fm.Report(0).Phases))
	}
}

// TestRerunDropsOldRun: "r" while a check runs starts a new one; the old
// run's phases never show up in the new run.
func TestRerunDropsOldRun(t *testing.T) {
	fe := &fakeEngine{gate: make(chan struct{})}
	tm, _ := newTest(t, Options{Devices: twoDevices()[:1], Engine: fe.engine()})
	fe.gate <- struct{}{}
	waitFor(t, tm, " DNS ")
	tm.Send(keys("r"))
	// The first run ends (its context is cancelled); the second one waits.
	waitFor(t, tm, "Waiting for the first phase")
	for range 2 * len(fakePhases()) {
		fe.gate <- struct{}{}
	}
	waitFor(t, tm, "Verdict: FAIL")
	tm.Send(keys("q"))
	fm := final(t, tm)
	if fe.checks != 2 {
		t.Errorf("checks = %d, want 2", fe.checks)
	}
	if r := fm.Report(0); r == nil || r.Interrupted {
		t.Errorf("shown report is the interrupted first run: %+v", r)
	}
}

// TestTokenSignIn: the token panel shows the token as the device sees it;
// Enter starts the device-code sign-in, whose code and address are shown
// large with a QR code; once signed in the device is checked again.
func TestTokenSignIn(t *testing.T) {
	fe := &fakeEngine{loginGate: make(chan struct{})}
	tm, _ := newTest(t, Options{Devices: twoDevices()[:1], Engine: fe.engine()})
	waitFor(t, tm, "Verdict: FAIL")

	tm.Send(keys("o"))
	waitFor(t, tm, "Token", "Obtained", "42 min left", "87 days left", "sha256:1a2b3c4d", "Press Enter to sign in")

	tm.Send(keyEnter)
	out := waitFor(t, tm, "F J 3   K D 8   L M N", "https://microsoft.com/devicelogin", "and enter the code")
	if !strings.ContainsAny(out, "▀▄█") {
		t.Errorf("no QR code at 80x24:\n%s", out)
	}
	close(fe.loginGate)
	waitFor(t, tm, "Signed in. Checking again", "Verdict: FAIL")
	tm.Send(keys("q"))
	final(t, tm)
	if fe.checks != 2 {
		t.Errorf("checks = %d, want 2 (one after signing in)", fe.checks)
	}
}

// TestListVerdicts: every device's last verdict is on the list.
func TestListVerdicts(t *testing.T) {
	fe := &fakeEngine{}
	tm, _ := newTest(t, Options{Devices: twoDevices(), Engine: fe.engine()})
	waitFor(t, tm, "not checked")
	tm.Send(keys("r"))
	// Each row is drawn whole: name and verdict on one line.
	waitForRe(t, tm, `Reception Epson[^\n]*FAIL`, `Office Ricoh[^\n]*FAIL`)
	tm.Send(keyEnter)
	waitFor(t, tm, "Verdict: FAIL")
	tm.Send(keyEsc)
	tm.Send(keys("q"))
	fm := final(t, tm)
	for i := range fm.devs {
		if fm.devs[i].verdict != report.VerdictFail {
			t.Errorf("device %d verdict %q, want fail", i, fm.devs[i].verdict)
		}
	}
}

// TestLayoutFits: at 80x24 and after a resize every line fits the width,
// and long reply lines are cut with "…".
func TestLayoutFits(t *testing.T) {
	fe := &fakeEngine{}
	ctx := context.Background()
	m := New(ctx, Options{Devices: twoDevices()[:1], Engine: fe.engine(), Output: &bytes.Buffer{}}, nil)
	progress := make(chan report.Phase, 64)
	r := fe.check(ctx, m.devs[0].dev, progress)
	m.Update(reportMsg{dev: 0, run: 0, report: r})
	for _, size := range [][2]int{{80, 24}, {60, 20}, {120, 40}, {40, 12}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, sc := range []screen{screenProbe, screenTranscript, screenToken, screenExplain} {
			m.screen = sc
			m.refresh()
			v := m.View()
			lines := strings.Split(v, "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d screen %d: %d lines", size[0], size[1], sc, len(lines))
			}
			for _, l := range lines {
				if w := lipgloss.Width(l); w > size[0] {
					t.Errorf("%dx%d screen %d: line %d wide: %q", size[0], size[1], sc, w, l)
				}
			}
			if sc == screenProbe && size[0] == 80 && !strings.Contains(v, "…") {
				t.Errorf("long AUTH reply not cut with …:\n%s", v)
			}
		}
	}
}

// TestPanicRestoresTerminal: a panic in Update ends Run with a *PanicError
// after the terminal was restored (cursor shown again, alternate screen
// left); so does a panic inside a command.
func TestPanicRestoresTerminal(t *testing.T) {
	for _, where := range []string{"update", "command"} {
		t.Run(where, func(t *testing.T) {
			var out bytes.Buffer
			opts := Options{
				Devices:   twoDevices(),
				Engine:    (&fakeEngine{}).engine(),
				Input:     strings.NewReader("x"),
				Output:    &out,
				AltScreen: true,
			}
			err := run(context.Background(), opts, func(m tea.Model) tea.Model { return panicky{m.(*Model), where} })
			var pe *PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *PanicError", err)
			}
			if pe.Value != "boom" || len(pe.Stack) == 0 {
				t.Errorf("panic value %v, stack %d bytes", pe.Value, len(pe.Stack))
			}
			o := out.String()
			if !strings.Contains(o, "\x1b[?25h") {
				t.Errorf("cursor not shown again: %q", o)
			}
			if !strings.Contains(o, "\x1b[?1049l") {
				t.Errorf("alternate screen not left: %q", o)
			}
		})
	}
}

// panicky panics on the key "x", in Update or in a command.
type panicky struct {
	*Model
	where string
}

func (p panicky) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.String() == "x" {
		if p.where == "update" {
			panic("boom")
		}
		return p, safe(func() tea.Msg { panic("boom") })
	}
	m, cmd := p.Model.Update(msg)
	p.Model = m.(*Model)
	return p, cmd
}

func TestSpaceCode(t *testing.T) {
	for in, want := range map[string]string{
		"FJ3KD8LMN": "F J 3   K D 8   L M N",
		"abcd":      "A B C D",
		"":          "",
	} {
		if got := spaceCode(in); got != want {
			t.Errorf("spaceCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNoColor(t *testing.T) {
	st := newStyles(&bytes.Buffer{}, true)
	if s := st.Fail.Render("FAIL"); s != "FAIL" {
		t.Errorf("NO_COLOR: %q", s)
	}
}
