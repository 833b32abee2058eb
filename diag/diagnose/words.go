package diagnose

import (
	"strings"

	"github.com/mfpcheck/mfpcheck/diag"
)

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

// PhaseNote returns a phase's note in lang. Notes that carry data (the
// addresses a name resolved to, the TLS version) are returned as they are.
func PhaseNote(lang, note string) string {
	if k, ok := phaseNotes[note]; ok {
		return Label(lang, k)
	}
	if phase, ok := strings.CutSuffix(note, " failed"); ok && !strings.Contains(phase, " ") {
		return strings.ReplaceAll(Label(lang, "phase_note.failed"), "{phase}", phase)
	}
	return note
}

// StatusWord is a phase status in lang ("FAIL", "FEHLER", "ÉCHEC").
func StatusWord(lang string, s diag.Status) string {
	return Label(lang, "status."+string(s))
}

// VerdictWord is a verdict in lang ("FAIL", "FEHLER", "ÉCHEC").
func VerdictWord(lang string, v diag.Verdict) string {
	return Label(lang, "verdict."+string(v))
}

// Colon puts a label before a colon the way lang writes it: "Cause:" in
// English and German, "Cause :" in French.
func Colon(lang, label string) string {
	return label + Label(lang, "colon")
}

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
func PhaseError(lang string, p diag.Phase) string {
	if NormLang(lang) == "en" || p.ErrorKind == "" {
		return p.Error
	}
	if k := "error_kind." + string(p.ErrorKind); Label(lang, k) != k {
		return Label(lang, k)
	}
	return p.Error
}
