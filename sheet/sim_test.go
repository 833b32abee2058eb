package sheet

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/fixtures/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/simcheck"
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
	for _, sc := range simScenarios(t) {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			sim, err := exosim.Start(ctx, exosim.Options{Scenario: sc.Name})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			cfg := simcheck.Config(sim, nil, 3*time.Second)
			cfg.Network = true
			cfg.ToolVersion = "test"
			for _, lang := range []string{"en", "de", "fr"} {
				cfg.Lang = lang
				r := check.Run(ctx, cfg)
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
				if len(r.Findings) > 0 {
					assertContains(t, lang+" first finding", sq, squash(fmt.Sprintf("1. %s", r.Findings[0].Title)))
				}
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
}
