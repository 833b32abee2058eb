package i18n

import "testing"

// TestTableComplete checks that every key exists in every language and
// that no text is empty.
func TestTableComplete(t *testing.T) {
	tab, err := Table()
	if err != nil {
		t.Fatal(err)
	}
	if len(tab) != len(Langs) {
		t.Errorf("table has %d languages, want %v", len(tab), Langs)
	}
	for _, lang := range Langs {
		for key := range tab["en"] {
			if v, ok := tab[lang][key]; !ok || (v == "") != (tab["en"][key] == "") {
				t.Errorf("%s: %q missing or empty", lang, key)
			}
		}
		for key := range tab[lang] {
			if _, ok := tab["en"][key]; !ok {
				t.Errorf("%s: %q has no English text", lang, key)
			}
		}
	}
}

func TestT(t *testing.T) {
	for _, c := range []struct{ lang, key, want string }{
		{"de_DE.UTF-8", "verdict.error", "ABBRUCH"},
		{"fr", "verdict.fail", "ÉCHEC"},
		{"it", "verdict.warning", "WARNING"},
		{"de", "no.such.key", "no.such.key"},
		{"fr", "device_state.invalid", "Non valide"},
	} {
		if got := T(c.lang, c.key); got != c.want {
			t.Errorf("T(%q, %q) = %q, want %q", c.lang, c.key, got, c.want)
		}
	}
	if got := DeviceState("de", "obtained"); got != "Abgerufen" {
		t.Errorf("TokenState = %q", got)
	}
	for _, c := range []struct{ vendor, state, want string }{
		{"epson", "obtained", "Signed in"}, {"Epson", "invalid", "Signed out"},
		{"nashuatec", "obtained", "(Authenticated)"}, {"ricoh", "waiting_for_authorization", "(Not authenticated)"},
		{"sharp", "waiting_for_authorization", "Waiting for authorization"}, {"", "obtained", "Obtained"},
	} {
		if got := VendorState("en", c.vendor, c.state); got != c.want {
			t.Errorf("VendorState(%s, %s) = %q, want %q", c.vendor, c.state, got, c.want)
		}
	}
	if got := DeviceState("en", "odd"); got != "odd" {
		t.Errorf("unknown state = %q", got)
	}
}
