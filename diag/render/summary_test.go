package render

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
)

// englishWords are labels the text renderer prints in English; none may
// appear in German or French output.
var englishWords = []string{
	"skipped", "Verdict", "Findings", "What to do", "refresh token",
	"days left", "chain verified", "Evidence", "Most likely cause",
	"First step", "Takes effect", "behaving like", "claims read",
	"no test message", "Token claims", "implicit TLS", " failed",
	"expires", "issuer",
}

// rawIDs are internal references no user may see: places by their key,
// the reference notes' source ids, the vendor guides' seed numbers.
var rawIDs = regexp.MustCompile(`\bS\d{1,3}\b|seed \d|peers\.md|m365_admin|exchange_admin|entra_admin|\(other\)`)

// TestTextAnswerLast runs every simulator scenario and checks that the
// text report ends with the summary (verdict, the top finding's title and
// its first step, where the rest is), is in the chosen language, fits an
// 80-column terminal and shows no internal ids.
func TestTextAnswerLast(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every simulator scenario")
	}
	for _, sc := range exosim.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			sim, err := exosim.Start(ctx, exosim.Options{Scenario: sc.Name})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			cfg := simcheck.Config(sim, nil, simcheck.Budget(sc))
			// One check; its report in each language.
			checked := check.Run(ctx, cfg)
			for _, lang := range []string{"en", "de", "fr"} {
				r := check.InLanguage(checked, cfg, lang)
				var b bytes.Buffer
				if err := Text(&b, r, TextOptions{Lang: lang, Width: 80}); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				checkSummary(t, lang, r, out)
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(line, "  ") && len([]rune(line)) > 80 && phaseLine(line) {
						t.Errorf("%s: phase line wider than 80 columns: %q", lang, line)
					}
				}
				if m := rawIDs.FindString(out); m != "" {
					t.Errorf("%s: internal reference %q in the output:\n%s", lang, m, out)
				}
				if lang != "en" {
					for _, w := range englishWords {
						if strings.Contains(out, w) {
							t.Errorf("%s: English %q in the output:\n%s", lang, w, out)
						}
					}
				}
			}
		})
	}
}

// phaseLine tells a phase table line ("  auth  FAIL  0.2 ms …").
func phaseLine(line string) bool {
	f := strings.Fields(line)
	if len(f) < 2 {
		return false
	}
	_, ok := map[string]bool{}[f[0]]
	for _, st := range []report.Status{report.StatusOK, report.StatusWarn, report.StatusFail, report.StatusSkipped} {
		for _, l := range diagnose.Languages {
			if f[1] == diagnose.StatusWord(l, st) {
				ok = true
			}
		}
	}
	return ok
}

// checkSummary asserts the last lines: verdict, then the top finding's
// title and first step, then the pointer to the rest.
func checkSummary(t *testing.T, lang string, r *report.Report, out string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	tail := lines[max(0, len(lines)-6):]
	joined := strings.Join(tail, "\n")
	verdict := diagnose.Colon(lang, diagnose.Label(lang, "summary.verdict")) + " " + diagnose.VerdictWord(lang, r.Verdict)
	if !strings.Contains(joined, verdict) {
		t.Errorf("%s: the last lines lack %q:\n%s", lang, verdict, joined)
	}
	last := lines[len(lines)-1]
	if last != diagnose.Label(lang, "summary.more") && last != diagnose.Label(lang, "summary.more_ok") {
		t.Errorf("%s: last line %q does not say where the rest is", lang, last)
	}
	top, ok := TopFinding(r.Findings)
	if r.Verdict == report.VerdictFail && !ok {
		t.Errorf("%s: verdict fail without a top finding", lang)
	}
	if !ok {
		return
	}
	if !strings.Contains(joined, top.Title) {
		t.Errorf("%s: the last lines lack the top finding %q:\n%s", lang, top.Title, joined)
	}
	if len(top.Steps) > 0 && !strings.Contains(joined, top.Steps[0].Text) {
		t.Errorf("%s: the last lines lack the first step %q:\n%s", lang, top.Steps[0].Text, joined)
	}
}
