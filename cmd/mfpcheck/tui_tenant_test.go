package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/tenantsim"
)

// TestTUIDeviceScreenWithTenant: a real check with --tenant-check (the
// Exchange Online simulator and the simulated tenant) on an 80x24 device
// screen: the tenant's summary line shows, and the blocking finding with
// its first step still fits without scrolling, in en and de.
func TestTUIDeviceScreenWithTenant(t *testing.T) {
	for _, sc := range []struct{ scenario, variant, want string }{
		{"mailbox-auth-disabled", "", "SMTP AUTH " + i18n.T("en", "tenant.disabled")},
		{"conditional-access", "", "Block Exchange Online access"},
		{"ok", tenantsim.VariantNoExchangeRole, "SMTP AUTH " + i18n.T("en", "tenant.unknown")},
	} {
		t.Run(sc.scenario+"/"+sc.variant, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			sim, err := exosim.Start(ctx, exosim.Options{Scenario: sc.scenario, POP3: true})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			srv := httptest.NewServer(tenantsim.New(tenantsim.ForScenario(sc.scenario, sc.variant, exosim.DeviceUser, exosim.TenantID, time.Now())))
			defer srv.Close()
			a := newTestApp(nil)
			dev := a.tuiSimDevice(sim, "en")
			cfg := dev.Config.(check.Config)
			cfg.TenantCheck = &tenant.Config{Tenant: exosim.TenantID, User: cfg.Probe.User,
				ExchangeToken: tenantsim.ExchangeToken, GraphToken: tenantsim.GraphToken, Exchange: srv.URL, Graph: srv.URL}
			r := check.Run(ctx, cfg)
			if r.Tenant == nil {
				t.Fatal("no tenant object")
			}
			for _, lang := range []string{"en", "de"} {
				fm := tuiShowing(ctx, t, a, dev, r, lang)
				view := fm.View()
				if n := strings.Count(view, "\n") + 1; n > 24 {
					t.Errorf("%s: the screen has %d lines", lang, n)
				}
				summary := i18n.T(lang, "tui.tenant") + i18n.T(lang, "colon") + " SMTP AUTH"
				if !strings.Contains(view, summary) {
					t.Errorf("%s: the screen lacks the tenant line %q:\n%s", lang, summary, view)
				}
				if lang == "en" && !strings.Contains(view, sc.want) {
					t.Errorf("the tenant line lacks %q:\n%s", sc.want, view)
				}
				top, ok := render.TopFinding(fm.Findings(0))
				if !ok {
					continue
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
