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

// TestExplainDeviceCodeInLog: a job-history code inside a device log line
// is read; a bare number in other text is not.
func TestExplainDeviceCodeInLog(t *testing.T) {
	fs := Explain("10:02 Job 17: error 361\n10:03 Auftrag 18 Fehlercode 370\n10:04 scanned 360 pages\n", Options{Lang: "en"})
	ids := map[string]bool{}
	for _, f := range fs {
		ids[f.ID] = true
	}
	if !ids["device.epson.361"] || !ids["device.epson.370"] {
		t.Fatalf("findings %v, want the 361 and 370 entries", ids)
	}
	if ids["device.epson.360"] {
		t.Errorf("\"scanned 360 pages\" was read as code 360")
	}
}
