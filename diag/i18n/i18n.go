// Package i18n owns the one label table: the words the renderers (text,
// PDF sheet, TUI) put around the report's data in English, German and
// French, and the neutral stand-ins for placeholders no evidence filled.
// Meaning (causes, steps) is never here: that is the catalogue's
// (diag/diagnose/catalogue).
package i18n

import (
	"bytes"
	"embed"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Langs are the languages every label exists in, in the order the TUI
// cycles through them.
var Langs = []string{"en", "de", "fr"}

// labels.yaml is the table's source; labels_gen.go (go generate) is the
// same table as Go data, which is what a fresh build reads.
//
//go:embed labels.yaml
var labelsFS embed.FS

var load = sync.OnceValues(func() (map[string]map[string]string, error) {
	if l, ok := fromCompiled(labelsFS, labelsHash, labelsCompiled); ok {
		return l, nil
	}
	return parseLabels(labelsFS)
})

// parseLabels reads labels.yaml strictly.
func parseLabels(fsys embed.FS) (map[string]map[string]string, error) {
	data, err := fsys.ReadFile("labels.yaml")
	if err != nil {
		return nil, err
	}
	var l map[string]map[string]string
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(&l)
	return l, err
}

// Table returns the whole table, language -> key -> text. It is shared:
// callers only read it.
func Table() (map[string]map[string]string, error) { return load() }

// T returns the label key in lang (English when the language or the key
// is unknown there; the key itself as a last resort).
func T(lang, key string) string {
	l, _ := load()
	if v, ok := l[Norm(lang)][key]; ok {
		return v
	}
	if v, ok := l["en"][key]; ok {
		return v
	}
	return key
}

// Norm maps a language tag to en, de or fr ("de_DE.UTF-8" -> de);
// anything else is en.
func Norm(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if len(l) >= 2 {
		switch l[:2] {
		case "de":
			return "de"
		case "fr":
			return "fr"
		}
	}
	return "en"
}

// VendorState is a token state as the vendor's web page or panel names it
// in lang: Epson's "Signed in" / "Signed out", Ricoh's (and Nashuatec's)
// "(Authenticated)" / "(Not authenticated)", otherwise DeviceState.
func VendorState(lang, vendor, state string) string {
	signedIn := state == "obtained"
	switch strings.ToLower(vendor) {
	case "epson":
		if signedIn {
			return T(lang, "token.signed_in")
		}
		return T(lang, "token.signed_out")
	case "ricoh", "nashuatec":
		if signedIn {
			return T(lang, "vendor.ricoh.authenticated")
		}
		return T(lang, "vendor.ricoh.not_authenticated")
	}
	return DeviceState(lang, state)
}

// DeviceState is a token state (not_obtained, waiting_for_authorization,
// obtained, invalid) as the devices' pages show it in lang ("Obtained").
func DeviceState(lang, state string) string {
	if v := T(lang, "device_state."+state); v != "device_state."+state {
		return v
	}
	return state
}

// phaseNotes maps the probe's notes (plain English, part of the JSON
// schema) to their label keys, so every renderer shows them in the
// report's language.
var phaseNotes = map[string]string{
	"interrupted":                            "phase_note.interrupted",
	"no session":                             "phase_note.no_session",
	"implicit TLS: no STLS on this port":     "phase_note.implicit_no_stls",
	"implicit TLS: no STARTTLS on this port": "phase_note.implicit_no_starttls",
	"implicit TLS: the greeting is sent after the TLS handshake":      "phase_note.implicit_greeting",
	"the device is set to no secure connection":                       "phase_note.no_security",
	"the device is set to no authentication":                          "phase_note.no_auth",
	"envelope check turned off":                                       "phase_note.no_envelope",
	"no test message sent (use --send-to ADDR to send one)":           "phase_note.no_data",
	"HELO: the server lists no extensions to a HELO client":           "phase_note.helo_no_ext",
	"HELO: the server lists no extensions (no AUTH) to a HELO client": "phase_note.helo_no_auth",
	"the device is set to send without authentication":                "phase_note.send_no_auth",
	"recipient is the sender itself; nothing is sent":                 "phase_note.rcpt_self",
	"the server had already ended the session":                        "phase_note.server_ended",
	"STLS not in the CAPA list; sent anyway":                          "phase_note.stls_not_listed",
	"after TLS":                                                       "phase_note.after_tls",
	"before TLS":                                                      "phase_note.before_tls",
	"no TLS":                                                          "phase_note.no_tls",
}

// PhaseNote returns a probe phase's note in lang. Notes that carry data
// (the addresses a name resolved to, the TLS version) are returned as they
// are.
func PhaseNote(lang, note string) string {
	if k, ok := phaseNotes[note]; ok {
		return T(lang, k)
	}
	if phase, ok := strings.CutSuffix(note, " failed"); ok && !strings.Contains(phase, " ") {
		return strings.ReplaceAll(T(lang, "phase_note.failed"), "{phase}", phase)
	}
	return note
}

// ErrorKind names a kind of local failure (timeout, refused …) in lang;
// ok is false for a kind without a label.
func ErrorKind(lang, kind string) (string, bool) {
	if kind == "" {
		return "", false
	}
	v := T(lang, "error_kind."+kind)
	return v, v != "error_kind."+kind
}

// Colon puts a label before a colon the way lang writes it: "Cause:" in
// English and German, "Cause :" in French.
func Colon(lang, label string) string { return label + T(lang, "colon") }

// VendorName spells a profile's vendor key the way the maker does
// ("ricoh" → "Ricoh", "nashuatec" → "Nashuatec"); "other" and "" are "".
func VendorName(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "epson":
		return "Epson"
	case "ricoh":
		return "Ricoh"
	case "nashuatec":
		return "Nashuatec"
	case "sharp":
		return "Sharp"
	case "other", "":
		return ""
	}
	return v
}

// Side is what a renderer shows after "Whose move": the side's name, or,
// when the evidence leaves it open (a finding's Sides), every side it
// could be, most likely first.
func Side(lang, side string, sides []string) string {
	return SideText(func(key string) string { return T(lang, key) }, side, sides)
}

// SideText is Side with the words looked up by label (a renderer that
// takes its label function from outside, as the TUI does).
func SideText(label func(key string) string, side string, sides []string) string {
	if len(sides) < 2 {
		if side == "" {
			return ""
		}
		return label("side." + side)
	}
	names := make([]string, len(sides))
	for i, s := range sides {
		names[i] = label("side." + s)
	}
	return label("side.depends") + strings.Join(names, "; ")
}
