package check_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
)

// TestInLanguageIsRunInThatLanguage: a report put into German by
// InLanguage has the findings, language and verdict that check.Run in
// German gives, and the English report it came from is unchanged; the
// tests that render every scenario in every language rely on it.
func TestInLanguageIsRunInThatLanguage(t *testing.T) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "mailbox-auth-disabled", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	cfg := simcheck.Config(sim, nil, simcheck.Budget(sim.Scenario()))
	cfg.Lang = "en"
	en := check.Run(context.Background(), cfg)
	enBefore := findingsJSON(t, en)
	cfg.Lang = "de"
	de := check.Run(context.Background(), cfg)

	got := check.InLanguage(en, cfg, "de")
	if got.Lang != "de" || got.Verdict != de.Verdict || got.Verdict != report.VerdictFail {
		t.Errorf("lang %s verdict %s, want de %s", got.Lang, got.Verdict, de.Verdict)
	}
	// The two runs met different sessions, whose trailers are in the
	// evidence; the rest must be the same.
	if g, w := findingsJSON(t, withoutEvidence(got)), findingsJSON(t, withoutEvidence(de)); g != w {
		t.Errorf("findings differ:\nInLanguage %s\nRun        %s", g, w)
	}
	if en.Lang != "en" || findingsJSON(t, en) != enBefore {
		t.Errorf("InLanguage changed the report it was given")
	}
}

func withoutEvidence(r *report.Report) *report.Report {
	c := *r
	c.Findings = nil
	for _, f := range r.Findings {
		f.Evidence = nil
		c.Findings = append(c.Findings, f)
	}
	return &c
}

func findingsJSON(t *testing.T, r *report.Report) string {
	t.Helper()
	b, err := json.Marshal(r.Findings)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
