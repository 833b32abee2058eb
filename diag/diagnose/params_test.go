package diagnose

import (
	"strings"
	"testing"
)

// TestFindingCarriesParamsForLocalize: a finding keeps the values filled
// into its texts, and Localize uses them for another language, even after
// the English texts are gone.
func TestFindingCarriesParamsForLocalize(t *testing.T) {
	h := Hit{ID: "smtp.auth.mailbox_disabled", Params: map[string]string{"user": "scan-4711@contoso.com", "unused": "x"}}
	en := FindingFor(h, Options{Lang: "en"})
	if en.Params["user"] != "scan-4711@contoso.com" {
		t.Fatalf("params = %v", en.Params)
	}
	if _, ok := en.Params["unused"]; ok {
		t.Errorf("a param no text uses was kept: %v", en.Params)
	}
	en.Title, en.Cause, en.Steps = "", "", nil
	de := Localize(en, Options{Lang: "de"})
	all := de.Title + de.Cause
	for _, s := range de.Steps {
		all += s.Text + s.Command
	}
	if !strings.Contains(all, "scan-4711@contoso.com") {
		t.Fatalf("German finding lost the mailbox: %+v", de)
	}
}
