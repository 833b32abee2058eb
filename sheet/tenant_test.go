package sheet

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/tenantsim"
)

// tenantCase is one demo scenario with --tenant-check, and what its sheet's
// tenant section must show (label keys, read in the sheet's language, and
// verbatim texts).
type tenantCase struct {
	scenario, variant string
	labels            []string // tenant.* keys
	verbatim          []string
	// failedRead is a read that must show as failed with the role or
	// licence it lacked.
	failedRead, status, needs string
	signInError               int
}

var tenantCases = []tenantCase{
	{scenario: "mailbox-auth-disabled", labels: []string{"disabled", "source.mailbox"},
		verbatim: []string{"SmtpClientAuthenticationDisabled = True", "Get-CASMailbox"}},
	{scenario: "security-defaults", labels: []string{"source.security_defaults", "security_defaults"}},
	{scenario: "conditional-access", labels: []string{"block.all_sign_ins", "ca_result.failure"},
		verbatim: []string{"Block Exchange Online access from", "53003", "Microsoft-managed: Block legacy"}, signInError: 53003},
	{scenario: "ok", variant: tenantsim.VariantNoP1, labels: []string{"usage", "used"},
		failedRead: "sign-ins", status: "read.unlicensed", needs: "needs Microsoft Entra ID P1 or P2"},
	{scenario: "ok", variant: tenantsim.VariantNoExchangeRole, labels: []string{"unofficial_tag", "unofficial"},
		failedRead: "Get-CASMailbox", status: "read.forbidden", needs: "needs an Exchange administrator role"},
}

// TestRenderTenantSection checks the tenant section of the demo's
// scenarios (a real check against the Exchange Online simulator and the
// simulated tenant) in every language: what the tenant decides, the reads
// with their status, failed reads naming what was missing, no admin token
// anywhere, and page 1 still the answer alone.
func TestRenderTenantSection(t *testing.T) {
	needTool(t, "pdftotext")
	for _, tc := range tenantCases {
		t.Run(tc.scenario+"/"+tc.variant, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			sim, err := exosim.Start(ctx, exosim.Options{Scenario: tc.scenario})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			cfg := simcheck.Config(sim, nil, 5*time.Second)
			cfg.ToolVersion = "test"
			srv := httptest.NewServer(tenantsim.New(tenantsim.ForScenario(tc.scenario, tc.variant, cfg.Probe.User, exosim.TenantID, time.Now())))
			defer srv.Close()
			cfg.TenantCheck = &tenant.Config{Tenant: exosim.TenantID, User: cfg.Probe.User,
				ExchangeToken: tenantsim.ExchangeToken, GraphToken: tenantsim.GraphToken, Exchange: srv.URL, Graph: srv.URL}
			checked := check.Run(ctx, cfg)
			if checked.Tenant == nil {
				t.Fatal("check.Run with TenantCheck gave no tenant object")
			}
			for _, lang := range []string{"en", "de", "fr"} {
				r := check.InLanguage(checked, cfg, lang)
				path, raw := render(t, r, Options{Lang: lang})
				pages := pdfText(t, path)
				all := strings.Join(pages, "\n")
				sq := squash(all)
				T := func(k string) string { return i18n.T(lang, "tenant."+k) }
				head := squash(clean(T("decides"), false))
				if strings.Contains(squash(pages[0]), head) {
					t.Errorf("%s: the tenant section is on page 1 (page 1 is the answer)", lang)
				}
				assertContains(t, lang+" section", sq, head)
				assertContains(t, lang+" mailbox", sq, squash(cfg.Probe.User))
				for _, k := range append([]string{"reads", "col.read", "ca", "signins"}, tc.labels...) {
					assertContains(t, lang+" label "+k, sq, firstWords(T(k)))
				}
				for _, v := range tc.verbatim {
					assertContains(t, lang+" verbatim", sq, squash(v))
				}
				if tc.failedRead != "" {
					assertContains(t, lang+" failed read", sq, squash(tc.failedRead+clean(T(tc.status), false)))
					assertContains(t, lang+" missing role or licence", sq, squash(tc.needs))
				}
				if tc.signInError != 0 {
					title := diagnose.SignInError(tc.signInError, diagnose.Options{Lang: lang})
					if title == "" {
						t.Fatalf("the catalogue does not decode error %d", tc.signInError)
					}
					assertContains(t, lang+" decoded sign-in error", sq, firstWords(title))
				}
				for _, secret := range []string{tenantsim.ExchangeToken, tenantsim.GraphToken} {
					if strings.Contains(sq, secret) || strings.Contains(string(raw), secret) {
						t.Errorf("%s: an admin token is on the sheet", lang)
					}
				}
				checkWords(t, lang, all)
				checkLayout(t, path)
			}
		})
	}
}

// TestRenderTenantBounded: a tenant with more policies, sign-ins and reads
// than a sheet holds shows the first ones and says how many it left out,
// in each language.
func TestRenderTenantBounded(t *testing.T) {
	needTool(t, "pdftotext")
	off := false
	info := &report.TenantInfo{Tenant: "contoso.onmicrosoft.com", User: "scanner@contoso.com",
		SMTPAuth:         report.TenantSMTPAuth{OrgDisabled: &off, Effective: "enabled", Source: "organization"},
		SecurityDefaults: &off, RejectDirectSend: &off}
	for i := range 100 {
		info.ConditionalAccess = append(info.ConditionalAccess, report.TenantCAPolicy{Name: fmt.Sprintf("Policy %03d", i), State: "enabled", Blocks: []string{"mfa"}})
		info.SignIns = append(info.SignIns, report.TenantSignIn{Time: fixedGenerated.Add(-time.Duration(i) * time.Minute), App: "Office 365 Exchange Online", ClientApp: "Authenticated SMTP", ConditionalAccess: "notApplied"})
		info.Reads = append(info.Reads, report.TenantRead{What: fmt.Sprintf("read %03d", i), Status: "ok"})
	}
	for _, lang := range []string{"en", "de", "fr"} {
		r := okReport(lang)
		r.Tenant = info
		path, _ := render(t, r, Options{Lang: lang})
		sq := squash(strings.Join(pdfText(t, path), "\n"))
		more := func(n int) string {
			return squash(clean(strings.ReplaceAll(i18n.T(lang, "tenant.more"), "{n}", fmt.Sprint(n)), false))
		}
		for _, n := range []int{100 - maxTenantCA, 100 - maxTenantSignIns, 100 - maxTenantReads} {
			assertContains(t, lang+" cut", sq, more(n))
		}
		assertContains(t, lang+" first policy", sq, "Policy000")
		if strings.Contains(sq, fmt.Sprintf("Policy%03d", maxTenantCA)) {
			t.Errorf("%s: policy %d is printed past the cap", lang, maxTenantCA)
		}
		checkLayout(t, path)
	}
}

// firstWords is the start of a text that may wrap in its table cell (the
// other columns' lines come between its lines in pdftotext -layout): its
// first three words, squashed.
func firstWords(s string) string {
	words := strings.Fields(clean(s, false))
	return squash(strings.Join(words[:min(3, len(words))], " "))
}
