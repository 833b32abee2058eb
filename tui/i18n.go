package tui

import (
	"slices"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
)

// nextLang returns the language after lang in the order "l" cycles through.
func nextLang(lang string) string {
	if i := slices.Index(i18n.Langs, lang); i >= 0 {
		return i18n.Langs[(i+1)%len(i18n.Langs)]
	}
	return i18n.Langs[0]
}

// validLang returns lang if the UI has texts for it, else "en".
func validLang(lang string) string {
	if slices.Contains(i18n.Langs, lang) {
		return lang
	}
	return "en"
}

// tr returns the UI text key in lang from the one label table (package
// i18n): a key with a dot is a shared one (verdict.fail, heading.where,
// token_state.obtained), a bare key is the UI's own (tui.<key>). What a
// reply means and what to do about it is never here; that comes from the
// engine's findings.
func tr(lang, key string) string {
	if !strings.Contains(key, ".") {
		key = "tui." + key
	}
	return i18n.T(lang, key)
}
