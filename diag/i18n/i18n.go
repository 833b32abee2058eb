// Package i18n owns the one label table: the words the renderers (text,
// PDF sheet, TUI) put around the report's data in English, German and
// French, and the neutral stand-ins for placeholders no evidence filled.
// Meaning (causes, steps) is never here: that is the catalogue's
// (diag/diagnose/catalogue).
package i18n

import (
	"bytes"
	_ "embed"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Langs are the languages every label exists in, in the order the TUI
// cycles through them.
var Langs = []string{"en", "de", "fr"}

//go:embed labels.yaml
var labelsYAML []byte

var load = sync.OnceValues(func() (map[string]map[string]string, error) {
	var l map[string]map[string]string
	dec := yaml.NewDecoder(bytes.NewReader(labelsYAML))
	dec.KnownFields(true)
	err := dec.Decode(&l)
	return l, err
})

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

// DeviceState is a token state (not_obtained, waiting_for_authorization,
// obtained, invalid) as the devices' pages show it in lang ("Obtained").
func DeviceState(lang, state string) string {
	if v := T(lang, "device_state."+state); v != "device_state."+state {
		return v
	}
	return state
}
