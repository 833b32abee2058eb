package sheet

import (
	"reflect"
	"strings"
	"unicode"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
)

// ui holds the sheet's own labels and headings in one language. Meaning
// (causes, steps) never lives here: that comes from the report's findings.
type ui struct {
	Title, FleetTitle                                    string
	Device, Model, Address, Firmware, Network            string
	Checked, From, Tool, Printed, Page, Of               string
	VerdictOK, VerdictWarning, VerdictFail, VerdictError string
	SubOK, SubWarning, SubFail, SubError                 string
	Interrupted, CouldNotRun                             string

	SecNetwork, SecEmail, SecToken, SecTLS, SecProbe, SecPOP3, SecFindings, SecTranscript string
	NotCollected, None                                                                    string

	Hostname, Gateway, DNSServers, Interfaces, Iface, State, MAC, Addresses string
	Up, Down, HostChecks, Role, Host, Reachable, Connect, Yes, No           string
	RoleSMTP, RolePOP3, RoleSignin                                          string

	Setting, OnDevice, SeenByCheck                                string
	AuthMethod, EmailService, CurrentStatus, Account, Sender      string
	Admin, AutoSender, SMTPServer, SMTPPort, Secure, CertValidate string
	POP3Server, POP3Port, DeviceNetwork, OAuth2Firmware           string
	Enable, Disable, On, Off, Other                               string
	InsecureWarning                                               string

	TokSource, TokFormat, TokState, TokSignedIn, TokExpires, TokRefresh string
	TokAudience, TokScopes, TokRoles, TokUser, TokTenant, TokApp        string
	TokFingerprint, TokRefreshFP, TokRefreshError, TokFileMode          string
	TokSignature, TokNotVerified, MinutesLeft, DaysLeft, Expired        string
	NotObtained, Waiting, Obtained, Invalid                             string
	SignedIn, SignedOut                                                 string
	Access, Refresh, LastUsed                                           string

	TLSVersion, TLSCipher, TLSServerName, TLSVerified, TLSHostMatch, TLSRoots string
	Chain, Subject, Issuer, ValidFrom, ValidUntil, Days, Key                  string

	Phase, Status, Start, Time, ReplyOrError, Mechanism, Offered, Secret string
	StatusOK, StatusWarn, StatusFail, StatusSkipped                      string

	SecAnswer, SecAppendix, NothingToDo, DetailsOf   string
	SevError, SevWarning, SevInfo                    string
	Cause, Steps, Where, Delay, Evidence, Sources    string
	FleetDevice, FleetFinding, FleetToken, FleetCert string
	FleetCount                                       string
}

// sharedLabels are the ui fields whose words are the report's shared ones
// (verdicts, severities, token states, headings around findings); every
// other string field F reads sheet.<f in snake case>.
var sharedLabels = map[string]string{
	"VerdictOK": "verdict.ok", "VerdictWarning": "verdict.warning", "VerdictFail": "verdict.fail", "VerdictError": "verdict.error",
	"SevError": "severity.error", "SevWarning": "severity.warning", "SevInfo": "severity.info",
	"NotObtained": "device_state.not_obtained", "Waiting": "device_state.waiting_for_authorization",
	"Obtained": "device_state.obtained", "Invalid": "device_state.invalid",
	"SignedIn": "token.signed_in", "SignedOut": "token.signed_out",
	"Cause": "heading.cause", "Steps": "heading.steps", "Where": "heading.where", "Delay": "heading.delay",
	"Evidence": "heading.evidence", "Sources": "heading.sources",
}

// uiFor returns the labels for lang (en when unknown) from the one label
// table (package i18n). Each call builds a fresh value, so there is no
// shared mutable state.
func uiFor(lang string) *ui {
	u := &ui{}
	v := reflect.ValueOf(u).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type.Kind() != reflect.String {
			continue
		}
		key, ok := sharedLabels[f.Name]
		if !ok {
			key = "sheet." + snake(f.Name)
		}
		v.Field(i).SetString(i18n.T(lang, key))
	}
	return u
}

// snake turns a field name into its label key: TokRefreshFP ->
// tok_refresh_fp, SMTPServer -> smtp_server, OAuth2Firmware ->
// oauth2_firmware.
func snake(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			p := r[i-1]
			if unicode.IsLower(p) || unicode.IsDigit(p) || (unicode.IsUpper(p) && i+1 < len(r) && unicode.IsLower(r[i+1])) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return strings.ReplaceAll(b.String(), "o_auth", "oauth")
}

// ricohLabels renames the email-server fields the way Ricoh's Web Image
// Monitor names them ([Device Settings] > [Email]). Only the English names
// are documented; other languages keep the generic names.
func (u *ui) ricohLabels(lang string) {
	if lang != "en" && lang != "" {
		return
	}
	u.AuthMethod = "Authentication Method for Sending Email"
	u.SMTPServer = "SMTP Server Name"
	u.SMTPPort = "SMTP Port No."
	u.Secure = "Use Secure Connection (SSL)"
	u.Account = "Authentication Email Address"
	u.CurrentStatus = "OAuth 2.0 Authentication"
	u.SignedIn = i18n.T(lang, "vendor.ricoh.authenticated")
	u.SignedOut = i18n.T(lang, "vendor.ricoh.not_authenticated")
}

// fallback replaces common characters outside Windows-1252 with text that
// means the same, so the core fonts never show a wrong glyph.
func fallback(r rune) string {
	switch r {
	case '✓', '✔', '☑', '☒':
		return "[x]"
	case '☐':
		return "[ ]"
	case '✗', '✘', '×':
		return "x"
	case '→', '⇒', '➔', '➜', '⟶':
		return "->"
	case '←', '⇐':
		return "<-"
	case '↔':
		return "<->"
	case '≤':
		return "<="
	case '≥':
		return ">="
	case '≠':
		return "!="
	case '≈':
		return "~"
	case '‐', '‑', '‒', '−', '⁃':
		return "-"
	case '′':
		return "'"
	case '″':
		return "\""
	case '❑', '■', '□', '▪', '◆', '●', '○', '★':
		return "*"
	case '\u00a0', '\u2002', '\u2003', '\u2009', '\u200a', '\u202f', '\u205f', '\u3000':
		return " "
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return ""
	case 'Ĳ':
		return "IJ"
	case 'ĳ':
		return "ij"
	}
	return "?"
}

// cp1252Extra are the Windows-1252 characters in 0x80–0x9F; 0xA0–0xFF is
// Latin-1.
const cp1252Extra = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

// inCP1252 reports whether r has a glyph in the core fonts' encoding.
func inCP1252(r rune) bool {
	return (r >= 0x20 && r < 0x7f) || (r >= 0xa0 && r <= 0xff) || strings.ContainsRune(cp1252Extra, r)
}

// clean makes s printable in the core fonts: control characters become
// spaces (keeping "\n" when multiline), characters outside Windows-1252 get
// a fallback, and letters with a decomposable accent that cp1252 lacks
// (č, ś, ğ …) lose the accent rather than showing mojibake.
func clean(s string, multiline bool) string {
	ok := true
	for _, r := range s {
		if !inCP1252(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && multiline:
			b.WriteByte('\n')
		case r == '\r':
		case r == '\t' || r == '\n' || unicode.IsControl(r):
			b.WriteByte(' ')
		case inCP1252(r):
			b.WriteRune(r)
		default:
			if base, ok := stripAccent(r); ok {
				b.WriteRune(base)
			} else {
				b.WriteString(fallback(r))
			}
		}
	}
	return b.String()
}

// stripAccent maps Latin Extended-A letters (U+0100–U+017F) to their base
// letter: enough for names in Central European addresses.
func stripAccent(r rune) (rune, bool) {
	const bases = "AaAaAaCcCcCcCcDd" + "DdEeEeEeEeEeGgGg" + "GgGgHhHhIiIiIiIi" + "Ii??JjKkkLlLlLlL" +
		"lLlNnNnNnnNnOoOo" + "Oo??RrRrRrSsSsSs" + "SsTtTtTtUuUuUuUu" + "UuUuWwYyYZzZzZzs"
	if r < 0x100 || int(r-0x100) >= len(bases) || bases[r-0x100] == '?' {
		return 0, false
	}
	return rune(bases[r-0x100]), true
}
