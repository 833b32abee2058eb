package diagnose

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestFindingsSayWhoseMove checks that a finding carries its entry's side
// (the file's default or the entry's own), keeps it in another language,
// and shows it in JSON.
func TestFindingsSayWhoseMove(t *testing.T) {
	for id, want := range map[string]string{
		"smtp.auth.tenant_disabled": "tenant", // smtp.yaml's default
		"smtp.auth.bad_credentials": "device", // the entry's own
		"net.dns_failed":            "network",
		"token.file_mode":           "local",
		"token.opaque":              "input",
		"device.state.invalid":      "device",
	} {
		f := FindingFor(Hit{ID: id}, Options{Lang: "en"})
		if f.Side != want {
			t.Errorf("%s: side %q, want %q", id, f.Side, want)
		}
		if l := Localize(f, Options{Lang: "fr"}); l.Side != want {
			t.Errorf("%s in French: side %q, want %q", id, l.Side, want)
		}
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"side":"`+want+`"`) {
			t.Errorf("%s: JSON lacks the side: %s", id, b)
		}
	}
}
