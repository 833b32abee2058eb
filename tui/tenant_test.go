package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// fakeTenant is a tenant read whose mailbox has SMTP AUTH off, with more
// policies and sign-ins than the block shows and a read that failed.
func fakeTenant() *report.TenantInfo {
	yes, no := true, false
	t := &report.TenantInfo{Tenant: "contoso.onmicrosoft.com", User: "scanner@contoso.com",
		SMTPAuth:         report.TenantSMTPAuth{OrgDisabled: &no, MailboxDisabled: &yes, Effective: "disabled", Source: "mailbox"},
		SecurityDefaults: &no, RejectDirectSend: &no,
		Reads: []report.TenantRead{
			{What: "Get-CASMailbox", Status: "ok", Unofficial: true},
			{What: "sign-ins", Status: "unlicensed", Detail: "needs Microsoft Entra ID P1 or P2"},
		}}
	for i := range 6 {
		t.ConditionalAccess = append(t.ConditionalAccess, report.TenantCAPolicy{Name: fmt.Sprintf("Block legacy %d", i),
			State: "enabledForReportingButNotEnforced", Blocks: []string{"legacy_auth"}, AppliesToMailbox: true})
	}
	for i := range 5 {
		t.SignIns = append(t.SignIns, report.TenantSignIn{Time: time.Date(2026, 1, 12, 9, 50-i, 0, 0, time.UTC),
			App: "Office 365 Exchange Online", ClientApp: "Authenticated SMTP", ErrorCode: 53003, Reason: "Access has been blocked by Conditional Access policies."})
	}
	return t
}

// TestDeviceScreenTenant: at 80x24, a report with a tenant object shows
// the tenant's one-line summary under the token line with the answer still
// on the first screen; scrolling down shows the block (SMTP AUTH with the
// mailbox's value, the policies with "n more", the failed read and its
// missing licence), and it follows the language.
func TestDeviceScreenTenant(t *testing.T) {
	fe := &fakeEngine{tenant: fakeTenant()}
	tm, _ := newTest(t, Options{Devices: twoDevices(), Engine: fe.engine(), Lang: "en", SheetDir: t.TempDir()})
	waitFor(t, tm, "Devices (2)")
	tm.Send(keyEnter)
	waitFor(t, tm, "Verdict: FAIL", "Tenant: SMTP AUTH off (set on the mailbox)", "Recent sign-ins 53003", "1 not read",
		"1. step-one-en")
	tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	waitFor(t, tm, "SmtpClientAuthenticationDisabled: organisation: false · mailbox: true",
		"! Block legacy 0 (report-only)", "… 2 more not printed", "✗ sign-ins: no licence — needs Microsoft Entra ID P1 or P2")
	for range 3 {
		tm.Send(tea.KeyMsg{Type: tea.KeyUp})
	}
	waitFor(t, tm, "What the tenant decides", "SMTP AUTH for scanner@contoso.com: off (set on the mailbox)")
	tm.Send(keys("l"))
	waitFor(t, tm, "Was der Mandant entscheidet", "SMTP AUTH für scanner@contoso.com: aus (am Postfach gesetzt)", "Bedingter Zugriff:")
	tm.Send(keys("q"))
	final(t, tm)
}

// TestDeviceScreenWithoutTenant: no tenant object, no tenant lines.
func TestDeviceScreenWithoutTenant(t *testing.T) {
	fe := &fakeEngine{}
	tm, _ := newTest(t, Options{Devices: twoDevices(), Engine: fe.engine(), Lang: "en", SheetDir: t.TempDir()})
	waitFor(t, tm, "Devices (2)")
	tm.Send(keyEnter)
	waitFor(t, tm, "Verdict: FAIL", "1. step-one-en")
	tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	out := waitFor(t, tm, "2. step-two-en")
	tm.Send(keys("q"))
	final(t, tm)
	for _, s := range []string{"Tenant:", "What the tenant decides"} {
		if strings.Contains(out, s) {
			t.Errorf("a report without a tenant object shows %q", s)
		}
	}
}
