package diagnose

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// The reader turns what people paste (a Python exception, a .NET or Java
// stack trace, a PHPMailer debug log, a nodemailer error object, a swaks
// transcript, a token endpoint's JSON) into the plain lines Explain reads:
// one reply per line, with the context around it (the sign-in method the
// client used, the mail service that answered).

var (
	// Typographic quotes a chat or word processor put in place of ASCII
	// ones.
	typoQuotes = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u2032", "'",
		"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`, "\u00ab", `"`, "\u00bb", `"`, "\u2033", `"`)
	// Escapes of a reply printed inside a string literal (Python's bytes
	// repr, a JSON error object): a literal \r\n is a line break.
	literalEscapes = strings.NewReplacer(`\\`, `\`, `\r\n`, "\n", `\n`, "\n", `\r`, "\n", `\t`, " ", `\"`, `"`, `\'`, `'`)
	// Python's repr of a reply: (535, b'5.7.3 ...'), (535, '...'),
	// {'a@b': (550, b"...")}.
	pyTupleRe = regexp.MustCompile(`\(\s*([2-5][0-5]\d)\s*,\s*[bB]?['"]`)
	// A reply code followed by a colon before the enhanced code: MailKit
	// ("535: 5.7.3"), go-smtp ("SMTP error 535: 5.7.3"), lettre
	// ("permanent error (535): 5.7.3").
	codeColonRe = regexp.MustCompile(`\(?\b([2-5][0-5]\d)\)?:\s+([245]\.\d{1,3}\.\d{1,3})\b`)
	// An enhanced code inside a line after a colon or a quote, with the
	// reply code left out: .NET's "The server response was: 5.7.57 ...",
	// MailKit's "AuthenticationInvalidCredentials: 5.7.3 ...", PHPMailer's
	// "Detail: 5.2.252 SendAsDenied; ...".
	midEnhancedRe = regexp.MustCompile(`(?:[:'"(\[]|\bwas)\s*([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)`)
	// SwiftMailer's and Symfony Mailer's `with message "535 ...`.
	withMessageRe = regexp.MustCompile(`(?i)\bwith message \\?"`)
	// PHPMailer's "SMTP code: 554" that goes with a "Detail:".
	smtpCodeRe = regexp.MustCompile(`(?i)\bSMTP code:\s*([2-5][0-5]\d)\b`)
	// The AUTH command a client sent (not the capability a server
	// offered in "250-AUTH LOGIN XOAUTH2").
	authCmdRe = regexp.MustCompile(`(?i)(?:^|[\s>:'"=-])AUTH[ =]+(XOAUTH2|OAUTHBEARER|LOGIN|PLAIN|CRAM-MD5|NTLM)\b`)
	// Other ways logs name the mechanism in use.
	mechUsedRe = regexp.MustCompile(`(?i)(?:authenticator|mechanism|using|sasl[_ ]method|auth(?:entication)?[_ ]?(?:type|method)?)[\s:=]+["']?(XOAUTH2|OAUTHBEARER|LOGIN|PLAIN)\b|\b(sasl-xoauth2)\b`)
	// The start of a new log record or a stack frame: such a line never
	// continues the reply above it.
	newRecordRe = regexp.MustCompile(`(?i)^(?:\d{1,4}[-/.:]\d|[A-Za-z]{1,8}:\s|[<>|~*=#-]|at\s|file\s|traceback|caused by|\[|\{|\}|code\s*:|response\s*:|command\s*:|stack\s*:)`)
)

// canonicalize rewrites the wrappers libraries put around replies into
// plain reply lines.
func canonicalize(text string) string {
	text = typoQuotes.Replace(text)
	if strings.Contains(text, `\n`) || strings.Contains(text, `\r`) || strings.Contains(text, `\"`) {
		text = literalEscapes.Replace(text)
	}
	text = pyTupleRe.ReplaceAllString(text, " $1 ")
	text = codeColonRe.ReplaceAllString(text, "$1 $2")
	// SwiftMailer and Symfony Mailer quote the reply after "with message":
	// it starts a line of its own, so a reply without an enhanced code
	// ("535 Incorrect authentication data") reads as one.
	text = withMessageRe.ReplaceAllString(text, "\n")
	if strings.Contains(text, "error_description=") || strings.Contains(text, "error=") {
		lines := strings.Split(text, "\n")
		for i, l := range lines {
			lines[i] = urlDecodeLine(l)
		}
		text = strings.Join(lines, "\n")
	}
	return text
}

// urlDecodeLine decodes a query string such as a redirect's
// "error=invalid_grant&error_description=AADSTS70000%3a+..." so the codes
// in it read like the token endpoint's JSON.
func urlDecodeLine(l string) string {
	if !strings.Contains(l, "%") && !strings.Contains(l, "+") {
		return l
	}
	low := strings.ToLower(l)
	if !strings.Contains(low, "error_description=") && !strings.Contains(low, "error=") {
		return l
	}
	parts := strings.Split(l, "&")
	for i, p := range parts {
		if d, err := url.QueryUnescape(p); err == nil {
			parts[i] = d
		}
	}
	return strings.Join(parts, " ")
}

// signInMethod maps a SASL mechanism name to the method entries follow.
func signInMethod(mech string) string {
	switch strings.ToUpper(mech) {
	case "XOAUTH2", "OAUTHBEARER", "SASL-XOAUTH2":
		return "oauth"
	case "LOGIN", "PLAIN", "CRAM-MD5", "NTLM":
		return "password"
	}
	return ""
}

// methodIn returns the sign-in method a line shows the client using, or "".
func methodIn(line string) string {
	if m := authCmdRe.FindStringSubmatch(line); m != nil {
		// "250-AUTH LOGIN XOAUTH2" and "250 AUTH ..." are offers.
		i := strings.Index(strings.ToUpper(line), "AUTH")
		before := strings.TrimSpace(line[:max(i, 0)])
		if !strings.HasSuffix(before, "250-") && !strings.HasSuffix(before, "250") {
			return signInMethod(m[1])
		}
	}
	if m := mechUsedRe.FindStringSubmatch(line); m != nil {
		if m[1] != "" {
			return signInMethod(m[1])
		}
		return "oauth"
	}
	if strings.Contains(line, "334 VXNlcm5hbWU6") || strings.Contains(line, "334 UGFzc3dvcmQ6") {
		return "password" // AUTH LOGIN's "Username:" / "Password:" prompts
	}
	return ""
}

// providerMarks are words that show which mail service a reply or
// transcript came from.
var providerMarks = []struct{ provider, mark string }{
	{"gmail", "gsmtp"},
	{"gmail", "support.google.com/mail"},
	{"gmail", "smtp.gmail.com"},
	{"gmail", "smtp-relay.gmail.com"},
	{"ses", "amazonses.com"},
	{"ses", ".amazonaws.com"},
	{"ses", "email-smtp."},
	{"exo", "outlook.com"},
	{"exo", "office365.com"},
	{"exo", "aka.ms/"},
	{"exo", "storedrv"},
	// An Exchange Server on-premises offers what Exchange Online does not.
	{"onprem", "xexch50"},
	{"onprem", "x-anonymoustls"},
	// Other services' banners.
	{"other", "esmtp postfix"},
	{"other", "protonmail"},
	{"other", "qq.com"},
}

// providersIn returns the services s names, in providerMarks' order,
// without repeats.
func providersIn(s string) []string {
	low := strings.ToLower(s)
	var out []string
	for _, pm := range providerMarks {
		if strings.Contains(low, pm.mark) && !containsExact(out, pm.provider) {
			out = append(out, pm.provider)
		}
	}
	return out
}

// providerFor decides the service a reply came from: the reply's own text
// first (Gmail ends every reply with "gsmtp"), then the whole input when it
// names exactly one service.
func providerFor(reply string, whole []string) string {
	if p := providersIn(reply); len(p) == 1 {
		return p[0]
	}
	if len(whole) == 1 {
		return whole[0]
	}
	return ""
}

// readReply reads the SMTP reply in one canonical line: a full reply
// quoted anywhere (unwrapLine), or an enhanced code after a colon with its
// reply code elsewhere in the line (PHPMailer's "SMTP code: 554") or not
// given at all.
func readReply(line string) (unwrapped, bool) {
	if u, ok := unwrapLine(line); ok && (u.Code != 0 || u.Enhanced != "") {
		if u.Code == 0 {
			if m := smtpCodeRe.FindStringSubmatch(line); m != nil {
				u.Code, _ = strconv.Atoi(m[1])
				u.Text = smtpCodeRe.Split(u.Text, 2)[0]
			}
		}
		return u, true
	}
	if loc := midEnhancedRe.FindStringSubmatchIndex(line); loc != nil {
		u := unwrapped{
			Enhanced: line[loc[2]:loc[3]],
			Text:     strings.TrimSpace(line[loc[1]:]),
			Outer:    strings.TrimSpace(line[:loc[0]]),
			Sep:      ' ',
		}
		if m := smtpCodeRe.FindStringSubmatch(line); m != nil {
			u.Code, _ = strconv.Atoi(m[1])
			u.Text = strings.TrimSpace(smtpCodeRe.Split(u.Text, 2)[0])
		}
		return u, true
	}
	return unwrapped{}, false
}

// continues reports whether line, following a reply, is the rest of that
// reply cut by a terminal or a log's line width: plain words, not a new
// record, not a code of its own.
func continues(line string) bool {
	if line == "" || newRecordRe.MatchString(line) || aadstsRe.MatchString(line) {
		return false
	}
	if _, ok := readReply(line); ok {
		return false
	}
	return true
}

var (
	// Entra codes without the AADSTS prefix, where the context says they
	// are Entra's: the sign-in page's "Error Code: 53003", a sign-in log
	// export's "errorCode": 53003, the token endpoint's "error_codes":[...].
	entraCodeRe = regexp.MustCompile(`(?i)(?:\berror\s*code|"?errorcode"?|"?error_codes"?)\s*[:=]\s*\[?\s*"?(\d{5,8})\b`)
	// A state after a label: "Token state: Ungültig", "Status = Invalid".
	stateLabelRe = regexp.MustCompile(`[:=]\s*([^:=]+?)\s*$`)
)

// inferCode returns the reply code of the entry the matcher chose for a
// reply read without its code, when that entry names exactly one code.
func inferCode(id string) int {
	e := cat().byID[id]
	if e == nil || e.Match == nil || len(e.Match.Codes) != 1 {
		return 0
	}
	return e.Match.Codes[0]
}
