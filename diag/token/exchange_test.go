package token

import (
	"slices"
	"testing"
)

func TestExchangeTokenFacts(t *testing.T) {
	for _, aud := range []string{"https://outlook.office.com", "https://OUTLOOK.office365.com/", "00000002-0000-0ff1-ce00-000000000000", "https://graph.microsoft.com https://outlook.office.com"} {
		if !IsOutlookAudience([]string{aud}) {
			t.Errorf("%q not accepted", aud)
		}
	}
	for _, aud := range []string{"", "https://graph.microsoft.com", "https://outlook.office.com.evil.example", "00000003-0000-0000-c000-000000000000"} {
		if IsOutlookAudience([]string{aud}) {
			t.Errorf("%q accepted", aud)
		}
	}
	if !HasPermission([]string{"https://outlook.office.com/SMTP.Send offline_access"}, PermSMTPSend) || HasPermission([]string{"Mail.Send"}, PermSMTPSend) {
		t.Error("HasPermission")
	}
	for _, c := range []struct {
		appOnly, pop bool
		want         []string
	}{
		{false, false, []string{"SMTP.Send"}},
		{false, true, []string{"SMTP.Send", "POP.AccessAsUser.All"}},
		{true, false, []string{"SMTP.SendAsApp"}},
		{true, true, []string{"SMTP.SendAsApp", "POP.AccessAsApp"}},
	} {
		if got := Needed(c.appOnly, c.pop); !slices.Equal(got, c.want) {
			t.Errorf("Needed(%v, %v) = %v", c.appOnly, c.pop, got)
		}
	}
	if ScopeSMTPSend != "https://outlook.office.com/SMTP.Send" || ScopePOP != "https://outlook.office.com/POP.AccessAsUser.All" {
		t.Errorf("scopes %s %s", ScopeSMTPSend, ScopePOP)
	}
}
