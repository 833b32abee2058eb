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
	// lettre's Display of a reply without its text: "permanent error
	// (535)", "transient error (454): ...".
	lettreRe = regexp.MustCompile(`(?i)\b(?:permanent|transient) error \(([2-5][0-5]\d)\):?[ \t]*`)
	// lettre's Debug of the same: Code { severity:
	// PermanentNegativeCompletion, category: Unspecified3, detail: Four }.
	lettreCodeRe = regexp.MustCompile(`\bCode\s*\{\s*severity:\s*(\w+),\s*category:\s*(\w+),\s*detail:\s*(\w+)\s*\}`)
	// A reply without an enhanced code inside a line, after a colon or a
	// quote: Ruby's "Net::SMTPServerBusy: 454 Throttling failure", Go's
	// "client auth error: 535 Authentication Credentials Invalid". Only
	// 4xx and 5xx, followed by a word, so times and counts do not read
	// as replies.
	// .NET's "The server response was:" cut by PowerShell's console
	// width between "server" and "response".
	serverResponseWrapRe = regexp.MustCompile(`(?i)\bthe server[ \t]*\r?\n[ \t]*response was:`)
	// gen_smtp's refusal to go on when the server does not offer AUTH:
	// {missing_requirement, "smtp.gmail.com", auth} (Elixir: {:missing_requirement,
	// ~c"host", :auth}).
	genSMTPNoAuthRe = regexp.MustCompile(`\{:?missing_requirement,\s*(?:~c)?["'][^"']*["'],\s*:?auth\}`)
	midCodeRe       = regexp.MustCompile(`(?:[:'"(\[]|\b(?:said|got|was))\s*([45][0-5]\d)[ -]([A-Za-z][^\n]*)$`)
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
	text = serverResponseWrapRe.ReplaceAllString(text, "The server response was:")
	text = pyTupleRe.ReplaceAllString(text, " $1 ")
	text = lettreRe.ReplaceAllString(text, "\n$1 ")
	text = lettreCodeRe.ReplaceAllStringFunc(text, lettreCode)
	text = codeColonRe.ReplaceAllString(text, "$1 $2")
	text = responseFields(text)
	text = genSMTPNoAuthRe.ReplaceAllString(text, "$0\nSMTP AUTH extension not supported by server")
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

// lettre's names for the three digits of a reply code.
var (
	lettreSeverity = map[string]byte{"PositiveCompletion": '2', "PositiveIntermediate": '3', "TransientNegativeCompletion": '4', "PermanentNegativeCompletion": '5'}
	lettreCategory = map[string]byte{"Syntax": '0', "Information": '1', "Connections": '2', "Unspecified3": '3', "Unspecified4": '4', "MailSystem": '5'}
	lettreDetail   = map[string]byte{"Zero": '0', "One": '1', "Two": '2', "Three": '3', "Four": '4', "Five": '5', "Six": '6', "Seven": '7', "Eight": '8', "Nine": '9'}
)

// lettreCode turns lettre's Debug of a reply code into the code on a line
// of its own ("Code { severity: PermanentNegativeCompletion, category:
// MailSystem, detail: Four }" is 554).
func lettreCode(m string) string {
	p := lettreCodeRe.FindStringSubmatch(m)
	s, ok1 := lettreSeverity[p[1]]
	c, ok2 := lettreCategory[p[2]]
	d, ok3 := lettreDetail[p[3]]
	if !ok1 || !ok2 || !ok3 {
		return m
	}
	return "\n" + string([]byte{s, c, d}) + "\n"
}

var (
	// The reply field of an error object (nodemailer's response: '535
	// ...', a JSON dump's "response":"535 ..."), up to its closing quote
	// on the same line.
	responseFieldRe = regexp.MustCompile(`(?i)["']?\bresponse["']?\s*[:=]\s*(?:'([^'\n]*)'?|"([^"\n]*)"?)`)
	// The reply code field next to it (nodemailer's responseCode: 535).
	responseCodeRe = regexp.MustCompile(`(?i)["']?\bresponseCode["']?\s*[:=]\s*["']?([2-5][0-5]\d)\b`)
	// A reply code at the start of a reply.
	replyStartRe = regexp.MustCompile(`^\s*[2-5][0-5]\d(?:[ -]|$)`)
)

// responseFields puts the reply of an error object on a line of its own,
// so it reads as a reply whatever else the object holds. A reply whose
// text lost its code (response: 'Authentication unsuccessful') gets the
// object's responseCode.
func responseFields(text string) string {
	if !strings.Contains(strings.ToLower(text), "response") {
		return text
	}
	code := ""
	if m := responseCodeRe.FindStringSubmatch(text); m != nil {
		code = m[1]
	}
	return responseFieldRe.ReplaceAllStringFunc(text, func(f string) string {
		m := responseFieldRe.FindStringSubmatch(f)
		v := strings.TrimSpace(m[1] + m[2])
		if v == "" {
			return f
		}
		if !replyStartRe.MatchString(v) {
			if code == "" {
				return f
			}
			// The code alone reads as a bare code (its causes, by the
			// sign-in method the object names); the words stay on the
			// next line.
			return "\n" + code + "\n" + v + "\n"
		}
		return "\n" + v + "\n"
	})
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

// providerWords are replies only one service words that way. Amazon SES
// answers a bad SMTP credential with "535 Authentication Credentials
// Invalid" (no enhanced code; RFC 4954's "535 5.7.8 Authentication
// credentials invalid" from other servers has one), its sending limits
// with "454 Throttling failure: ..." and an unverified sender with "the
// following identities failed the check in region".
var providerWords = []struct {
	provider string
	re       *regexp.Regexp
}{
	{"ses", regexp.MustCompile(`\b535[ -]authentication credentials invalid\b`)},
	{"ses", regexp.MustCompile(`\bthrottling failure: (?:maximum sending rate|daily message quota) exceeded\b`)},
	{"ses", regexp.MustCompile(`\bidentities failed the check in region\b`)},
	{"ses", regexp.MustCompile(`\bmessage rejected: email address is not verified\b`)},
	// Exchange Server on-premises refuses an anonymous sender with 5.7.1;
	// Exchange Online words it "5.7.57 Client not authenticated".
	{"onprem", regexp.MustCompile(`\b5\.7\.1 client was not authenticated\b`)},
}

// providersIn returns the services s names, in providerMarks' order then
// providerWords', without repeats.
func providersIn(s string) []string {
	low := strings.ToLower(s)
	var out []string
	for _, pm := range providerMarks {
		if strings.Contains(low, pm.mark) && !containsExact(out, pm.provider) {
			out = append(out, pm.provider)
		}
	}
	for _, pw := range providerWords {
		if !containsExact(out, pw.provider) && pw.re.MatchString(low) {
			out = append(out, pw.provider)
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
	if loc := midCodeRe.FindStringSubmatchIndex(line); loc != nil && smtpReplyCodes[line[loc[2]:loc[3]]] && !httpStatusBefore(line[:loc[2]]) && !notReplyText(line[loc[4]:loc[5]]) {
		code, _ := strconv.Atoi(line[loc[2]:loc[3]])
		return unwrapped{
			Code:  code,
			Text:  strings.TrimSpace(line[loc[4]:loc[5]]),
			Outer: strings.TrimSpace(line[:loc[0]]),
			Sep:   ' ',
		}, true
	}
	return unwrapped{}, false
}

// smtpReplyCodes are the error replies RFC 5321, RFC 3463's registry and
// RFC 4954 define: a number inside a line is read as a reply only when it
// is one of them (an HTTP 404 or 401 is not).
var smtpReplyCodes = map[string]bool{
	"421": true, "432": true, "450": true, "451": true, "452": true, "454": true, "455": true,
	"500": true, "501": true, "502": true, "503": true, "504": true, "521": true, "530": true,
	"534": true, "535": true, "538": true, "550": true, "551": true, "552": true, "553": true,
	"554": true, "555": true, "556": true,
}

// notReplyWords start what follows a number that is a count, a duration
// or an HTTP status, not a reply: "timeout: 450 ms", "status: 500
// Internal Server Error".
var notReplyWords = regexp.MustCompile(`(?i)^(?:ms|s|sec|secs|seconds?|min|mins|minutes?|bytes?|[kmg]i?b|items?|rows?|records?|lines?|messages?|not found|unauthorized|forbidden|bad request|bad gateway|internal server error|service unavailable|gateway time-?out|method not allowed)\b`)

// notReplyText reports whether the text after a number shows it is not
// an SMTP reply.
func notReplyText(text string) bool { return notReplyWords.MatchString(strings.TrimSpace(text)) }

// httpStatusBefore reports whether the words just before a code make it
// an HTTP status ("http error: 400 and server response"), not a reply.
func httpStatusBefore(before string) bool {
	if len(before) > 24 {
		before = before[len(before)-24:]
	}
	return strings.Contains(strings.ToLower(before), "http")
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
