package diagnose

import (
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// PhaseNote returns a phase's note in lang (see i18n.PhaseNote).
func PhaseNote(lang, note string) string { return i18n.PhaseNote(lang, note) }

// StatusWord is a phase status in lang ("FAIL", "FEHLER", "ÉCHEC").
func StatusWord(lang string, s report.Status) string {
	return Label(lang, "status."+string(s))
}

// VerdictWord is a verdict in lang ("FAIL", "FEHLER", "ÉCHEC").
func VerdictWord(lang string, v report.Verdict) string {
	return Label(lang, "verdict."+string(v))
}

// Colon puts a label before a colon the way lang writes it (see
// i18n.Colon).
func Colon(lang, label string) string { return i18n.Colon(lang, label) }

// SignatureNote is the id of the info finding that only says the token's
// claims were read without checking its signature; renderers show it as
// one line next to the token (token.unsigned), not as a finding.
const SignatureNote = "token.signature_unverified"

// TokenState is a device-side token state (obtained, invalid …) in lang.
func TokenState(lang, state string) string {
	if v := Label(lang, "token_state."+state); v != "token_state."+state {
		return v
	}
	return state
}

// PhaseError is a phase's local failure in lang: in English the error as
// it happened; in German and French the kind of failure (the error itself,
// in Go's English, stays in the evidence).
func PhaseError(lang string, p report.Phase) string {
	if NormLang(lang) == "en" || p.ErrorKind == "" {
		return p.Error
	}
	if v, ok := i18n.ErrorKind(lang, string(p.ErrorKind)); ok {
		return v
	}
	return p.Error
}
