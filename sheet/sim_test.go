package sheet

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	textrender "github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
)

// simScenarios returns the simulator's scenarios.
func simScenarios(t *testing.T) []exosim.Scenario {
	t.Helper()
	scs := exosim.Scenarios()
	if len(scs) == 0 {
		t.Fatal("the Exchange simulator has no scenarios")
	}
	return scs
}

// TestRenderSimScenarios prints a sheet for every simulator scenario, as
// check.Run reports it, in every language, and checks the text.
func TestRenderSimScenarios(t *testing.T) {
	needTool(t, "pdftotext")
	if testing.Short() {
		t.Skip("runs every simulator scenario")
	}
	runConcurrently(t, 8, simScenarios(t), func(t *testing.T, sc exosim.Scenario) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		sim, err := exosim.Start(ctx, exosim.Options{Scenario: sc.Name})
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		cfg := simcheck.Config(sim, nil, simcheck.Budget(sc))
		cfg.Network = true
		cfg.ToolVersion = "test"
		// One check; its report in each language (check.InLanguage
		// is what check.Run with that language gives).
		checked := check.Run(ctx, cfg)
		for _, lang := range []string{"en", "de", "fr"} {
			r := check.InLanguage(checked, cfg, lang)
			path, raw := render(t, r, Options{Lang: lang})
			if len(raw) > 100_000 {
				t.Errorf("%s: sheet is %d bytes", lang, len(raw))
			}
			pages := pdfText(t, path)
			all := strings.Join(pages, "\n")
			flat, sq := oneLine(all), squash(all)
			w := wants[lang]
			assertContains(t, lang+" title", flat, w.title)
			assertContains(t, lang+" device", sq, squash(deviceName(r)))
			d := &doc{u: uiFor(lang)}
			assertContains(t, lang+" verdict", pages[0], d.verdictLook(r.Verdict).word)
			checkFooters(t, pages, w.page, w.of)
			checkPageOne(t, lang, r, pages[0])
			checkWords(t, lang, all)
			if ph, ok := r.FailedPhase(); ok && ph.Reply != nil && ph.Reply.Trailer != nil {
				assertContains(t, lang+" trailer", sq, squash(ph.Reply.Trailer.Raw))
			}
			if r.Network == nil {
				t.Errorf("%s: check.Run with Network: true gave no network info", lang)
			}
			for _, secret := range []string{sim.Password()} {
				if secret != "" && strings.Contains(sq, secret) {
					t.Errorf("%s: the simulator's password is on the sheet", lang)
				}
			}
			checkLayout(t, path)
		}
	})
}

// runConcurrently runs fn as one subtest per scenario, up to n at a time.
// The subtests mostly wait (on the simulator, pdftotext and qpdf), so
// more run at once than t.Parallel's default (the number of CPUs).
func runConcurrently(t *testing.T, n int, scs []exosim.Scenario, fn func(*testing.T, exosim.Scenario)) {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, sc := range scs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(sc.Name, func(t *testing.T) { fn(t, sc) })
		}()
	}
	wg.Wait()
}

// checkPageOne asserts that page 1 alone gives the answer: for a failing
// device, the top finding's title and every one of its steps (and
// commands) in the sheet's language.
func checkPageOne(t *testing.T, lang string, r *report.Report, page1 string) {
	t.Helper()
	top, ok := textrender.TopFinding(r.Findings)
	if r.Verdict == report.VerdictFail && !ok {
		t.Errorf("%s: failing report without a top finding", lang)
	}
	if !ok {
		return
	}
	sq := squash(page1)
	assertContains(t, lang+" page 1: top finding", sq, squash(clean("1. "+top.Title, false)))
	for i, s := range top.Steps {
		assertContains(t, fmt.Sprintf("%s page 1: step %d", lang, i+1), sq, squash(clean(fmt.Sprintf("%d. %s", i+1, s.Text), false)))
		if s.Command != "" {
			assertContains(t, fmt.Sprintf("%s page 1: command %d", lang, i+1), sq, squash(clean(s.Command, false)))
		}
	}
	for _, bad := range []string{"/tmp/", "exosim-"} {
		if strings.Contains(page1, bad) {
			t.Errorf("%s: page 1 shows a local path (%q)", lang, bad)
		}
	}
}

// englishOnSheet are sheet labels that must not stay English in de/fr.
var englishOnSheet = []string{"What is wrong", "Whose move", "Appendix", "skipped", "Seen by mfpcheck",
	"Takes effect", "Evidence", "refresh token", "days left", "min left", "Findings and fixes", "Session transcript"}

// rawIDs are internal references no reader may see: places by their key,
// the reference notes' source ids, the vendor guides' seed numbers.
var rawIDs = regexp.MustCompile(`\bS\d{1,3}\b|seed \d|peers\.md|m365_admin|exchange_admin|entra_admin|\[reply\]`)

func checkWords(t *testing.T, lang, text string) {
	t.Helper()
	if m := rawIDs.FindString(text); m != "" {
		t.Errorf("%s: internal reference %q on the sheet", lang, m)
	}
	if lang == "en" {
		return
	}
	for _, w := range englishOnSheet {
		if strings.Contains(text, w) {
			t.Errorf("%s: English %q on the sheet", lang, w)
		}
	}
}
