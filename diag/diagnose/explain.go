package diagnose

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// MaxExplainInput bounds what Explain reads; a pasted transcript or device
// log is a few kilobytes, and the rest of a larger input is ignored.
const MaxExplainInput = 4 << 20

// maxExplainLines bounds the number of lines Explain looks at.
const maxExplainLines = 50_000

var (
	aadstsRe   = regexp.MustCompile(`(?i)\bAADSTS\s*[:#-]?\s*(\d{4,8})\b`)
	bareNumRe  = regexp.MustCompile(`^\d{3,8}$`)
	oauthErrRe = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b`)
	// rowCodeRe is a job-history row's leading code.
	rowCodeRe = regexp.MustCompile(`^(\d{3})\s+\S`)
	// deviceFlowRe shows a device-code sign-in anywhere in the input.
	deviceFlowRe = regexp.MustCompile(`(?i)device[_ -]?code|devicelogin|device flow|Gerätecode|code d'appareil`)
	// signInCodeRe is the Entra sign-in log's label for its error code.
	signInCodeRe = regexp.MustCompile(`(?i)^sign-?in error code:?$`)
	pop3ErrRe    = regexp.MustCompile(`^[\s<>|*:-]*-ERR(?:\s+(.*))?$`)
)

// Explain decodes free input and returns one finding per distinct catalogue
// entry found, in the order the evidence appears. Input may be:
//
//   - one reply line, with or without Exchange's trailer, or quoted inside
//     another error (.NET's "5.7.57 ... Error: 535 5.7.139 ...");
//   - a bare reply code ("535"), enhanced code ("5.7.139") or device job
//     code ("361");
//   - an AADSTS number ("AADSTS700082", "700082") or an OAuth error string
//     ("invalid_grant");
//   - a device token or sign-in state ("Invalid", "Ungültig", "Signed out");
//   - a whole transcript or device log: every error reply in it is
//     explained (success replies only when there is no error).
//
// When the evidence fits several entries (a bare "535"), the finding lists
// them as Alternatives instead of picking one. Nothing readable gives nil.
// Explain never panics and is deterministic.
func Explain(input string, opts Options) []report.Finding {
	return render(explainHits(input), opts)
}

// explainHits is Explain before the texts are filled in.
func explainHits(input string) []Hit {
	if len(input) > MaxExplainInput {
		input = input[:MaxExplainInput]
	}
	input = strings.ToValidUTF8(input, "\uFFFD")
	trimmed := strings.TrimSpace(input)
	if trimmed == "" {
		return nil
	}
	var hits []Hit
	if !strings.ContainsAny(trimmed, "\r\n") {
		hits = explainToken(trimmed)
	}
	if len(hits) == 0 {
		hits = explainText(trimmed)
	}
	return mergeHits(hits)
}

// explainToken reads a single code, number, error string or state.
func explainToken(s string) []Hit {
	ev := []string{s}
	switch {
	case bareNumRe.MatchString(s):
		n, _ := strconv.Atoi(s)
		if len(s) == 3 {
			if m, ok := MatchQuery(Query{Protocol: "device", Code: n}); ok {
				return []Hit{hitFromMatch(m, "", ev, nil)}
			}
			if m, ok := MatchQuery(Query{Protocol: "smtp", Code: n}); ok {
				return []Hit{hitFromMatch(m, "", ev, map[string]string{"code": s})}
			}
			return nil
		}
		// A number of five or more digits can only be an Entra code here;
		// four digits are one only when the catalogue knows them.
		if h, known := entraHit(s, s); known || len(s) >= 5 {
			return []Hit{h}
		}
		return nil
	case oauthErrRe.MatchString(s) && oauthErrRe.FindString(s) == s:
		if m, ok := MatchQuery(Query{Protocol: "oauth", Error: s}); ok {
			return []Hit{hitFromMatch(m, "", ev, nil)}
		}
	}
	if m, ok := MatchQuery(Query{Protocol: "device", State: trimState(s)}); ok {
		return []Hit{hitFromMatch(m, "", ev, nil)}
	}
	return nil
}

// trimState drops quotes and brackets a technician copies with a state:
// "(Authenticated)", "[Invalid]".
func trimState(s string) string {
	return strings.Trim(strings.TrimSpace(s), "()[]\"'«»„“”:. ")
}

// deviceCodeRe finds a job-history code after a word that introduces one,
// in the languages the devices log in.
var deviceCodeRe = regexp.MustCompile(`(?i)\b(?:error|err|fehler|fehlercode|code|erreur|code d'erreur|status)\s*[:#=]?\s*(\d{3})\b`)

// explainText reads every reply, AADSTS number, OAuth error, state and
// library error in a block of text, after canonicalize has unwrapped what
// libraries put around them.
func explainText(text string) []Hit {
	type found struct {
		hit   Hit
		class int
	}
	var all []found
	text = canonicalize(text)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if len(lines) > maxExplainLines {
		lines = lines[:maxExplainLines]
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	whole := providersIn(text)
	var flow []string
	if deviceFlowRe.MatchString(text) {
		flow = append(flow, "device_code")
	}
	// methodAt[i] is the sign-in method in force at line i: the last AUTH
	// before it, or, in logs that print the command after the reply
	// (nodemailer), the first one after it.
	methodAt := make([]string, len(lines))
	last := ""
	for i, l := range lines {
		if m := methodIn(l); m != "" {
			last = m
		}
		methodAt[i] = last
	}
	next := ""
	for i := len(lines) - 1; i >= 0; i-- {
		if methodAt[i] == "" {
			methodAt[i] = next
		} else {
			next = methodAt[i]
		}
	}
	addMatch := func(m Match, ev string, params map[string]string) {
		all = append(all, found{hitFromMatch(m, "", []string{ev}, params), 5})
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if m := pop3ErrRe.FindStringSubmatch(line); m != nil {
			if mm, ok := MatchQuery(Query{Protocol: "pop3", Text: m[1]}); ok {
				addMatch(mm, line, nil)
			}
			continue
		}
		// A job-history row: the device's code first, then its status
		// text ("361<TAB>Die Verbindung ... ist abgelaufen.").
		if c := rowCodeRe.FindStringSubmatch(line); c != nil {
			n, _ := strconv.Atoi(c[1])
			if m, ok := MatchQuery(Query{Protocol: "device", Code: n}); ok {
				addMatch(m, line, nil)
				continue
			}
		}
		if u, ok := readReply(line); ok {
			raw := []string{line}
			start := i
			// A multi-line reply: "535-5.7.8 ..." lines, then "535 5.7.8 ...".
			for u.Sep == '-' && i+1 < len(lines) {
				nu, ok := readReply(lines[i+1])
				if !ok || nu.Code != u.Code {
					break
				}
				if u.Enhanced == "" {
					u.Enhanced = nu.Enhanced
				}
				u.Text = strings.TrimSpace(u.Text + " " + nu.Text)
				u.Sep = nu.Sep
				i++
				raw = append(raw, lines[i])
			}
			// Python's repr of a multi-line reply repeats the enhanced
			// code on each line, without the reply code.
			for u.Enhanced != "" && i+1 < len(lines) {
				nu, ok := readReply(lines[i+1])
				if !ok || nu.Code != 0 || nu.Enhanced != u.Enhanced {
					break
				}
				u.Text = strings.TrimSpace(u.Text + " " + nu.Text)
				i++
				raw = append(raw, lines[i])
			}
			method := methodAt[start]
			h, class, sc, ok := replyHit(u, raw, method, whole)
			// A reply cut by a terminal or a log's line width: the next
			// plain lines are joined back when that names the cause
			// better.
			var extra []string
			for j := i + 1; j < len(lines) && j <= i+3 && continues(lines[j]); j++ {
				extra = append(extra, lines[j])
			}
			if len(extra) > 0 {
				// A terminal cuts anywhere, a log at a word: try both.
				used := false
				for _, sep := range []string{" ", ""} {
					u2 := u
					u2.Text = strings.TrimSpace(u.Text + sep + strings.Join(extra, sep))
					if h2, c2, sc2, ok2 := replyHit(u2, append(raw, extra...), method, whole); ok2 && (!ok || sc2 > sc) {
						h, class, sc, ok, used = h2, c2, sc2, true, true
					}
				}
				if used {
					i += len(extra)
				}
			}
			if ok && cat().byID[h.ID] != nil && cat().byID[h.ID].Generic {
				// A relay that wraps another service's error in a plain
				// reply ("554 5.0.0 ... (code=ErrorAccessDenied ...)"):
				// the wrapped error says more than the reply's class.
				if m, found2 := looseMatch(strings.Join(raw, " "), "", "", "graph"); found2 {
					addMatch(m, strings.Join(raw, "\n"), nil)
					continue
				}
			}
			if ok {
				all = append(all, found{h, class})
				continue
			}
			// Nothing read it as a reply (a "361 ..." status row, a
			// 3xx line): let the other readers try the line.
			i = start
		}
		if ids := aadstsRe.FindAllStringSubmatch(line, -1); len(ids) > 0 {
			unknown := false
			for _, id := range ids {
				if h, known := entraHit(id[1], line, flow...); known {
					all = append(all, found{h, 5})
				} else if h.ID != "" {
					all = append(all, found{h, 5})
					unknown = true
				}
			}
			// An unknown code never hides the parts that are known: the
			// OAuth error next to it still gets its answer.
			if unknown {
				for _, word := range oauthErrRe.FindAllString(line, 8) {
					if m, ok := MatchQuery(Query{Protocol: "oauth", Error: word, Text: line}); ok {
						addMatch(m, line, nil)
					}
				}
			}
			continue
		}
		if c := entraCodeRe.FindStringSubmatch(line); c != nil {
			if h, known := entraHit(c[1], line, flow...); known {
				all = append(all, found{h, 5})
				continue
			}
		}
		// The Entra sign-in log shows its label and value on two lines:
		// "Sign-in error code" / "50199".
		if i > 0 && bareNumRe.MatchString(line) && len(line) >= 5 && signInCodeRe.MatchString(lines[i-1]) {
			h, _ := entraHit(line, lines[i-1]+" "+line, flow...)
			all = append(all, found{h, 5})
			continue
		}
		matchedErr := false
		for _, word := range oauthErrRe.FindAllString(line, 8) {
			if m, ok := MatchQuery(Query{Protocol: "oauth", Error: word, Text: line}); ok {
				addMatch(m, line, nil)
				matchedErr = true
			}
		}
		if matchedErr {
			continue
		}
		if m, ok := stateIn(line); ok {
			addMatch(m, line, nil)
			continue
		}
		// A device job-history code inside a log line ("Job 17: error 361",
		// "Fehlercode 361"); only codes the catalogue knows match.
		matchedCode := false
		for _, c := range deviceCodeRe.FindAllStringSubmatch(line, 4) {
			n, _ := strconv.Atoi(c[1])
			if m, ok := MatchQuery(Query{Protocol: "device", Code: n}); ok {
				addMatch(m, line, nil)
				matchedCode = true
			}
		}
		if matchedCode {
			continue
		}
		// Words alone: a reply's text without its codes, an error a mail
		// library or TLS stack raised itself, a Graph error code.
		if m, ok := looseMatch(line, methodAt[i], providerFor(line, whole), "smtp", "client", "graph"); ok {
			addMatch(m, line, nil)
		}
	}
	// An AADSTS code says more than the OAuth error string around it.
	knownEntra := false
	for _, f := range all {
		if strings.HasPrefix(f.hit.ID, "entra.aadsts.") {
			knownEntra = true
		}
	}
	// In a transcript the failures matter; success replies are explained
	// only when nothing failed.
	anyFail := false
	for _, f := range all {
		if f.class >= 4 {
			anyFail = true
		}
	}
	var hits []Hit
	for _, f := range all {
		if knownEntra && strings.HasPrefix(f.hit.ID, "oauth.") {
			continue
		}
		if !anyFail || f.class >= 4 {
			hits = append(hits, f.hit)
		}
	}
	return hits
}

// replyHit matches one reply read from text, with the sign-in method and
// the providers the input shows, and returns its hit, reply class and the
// matcher's score.
func replyHit(u unwrapped, raw []string, method string, whole []string) (Hit, int, int, bool) {
	q := Query{Protocol: "smtp", Code: u.Code, Enhanced: u.Enhanced, Text: u.Text, Method: method,
		Provider: providerFor(strings.Join(raw, " "), whole)}
	m, sc, ok := matchQuery(q)
	if !ok {
		return Hit{}, 0, 0, false
	}
	if u.Code == 0 {
		// "5.7.3 Authentication unsuccessful": the reply code is the one
		// of the entry the text and the enhanced code point to.
		u.Code = inferCode(m.ID)
		q.Code = u.Code
	}
	params := map[string]string{"code": replyCode(u)}
	return hitFromMatch(m, "", []string{strings.Join(raw, "\n")}, params), replyClass(prepare(q)), sc, true
}

// entraHit reads an Entra error number: its catalogue entry, or, for a
// number the catalogue does not know, the unknown-code entry with
// Microsoft's lookup link. known is false for the latter.
func entraHit(num, line string, flow ...string) (h Hit, known bool) {
	n, err := strconv.Atoi(num)
	if err != nil {
		return Hit{}, false
	}
	// The flow the whole input shows (a device-code sign-in) is read with
	// the line, so an entry about that flow can match.
	text := strings.TrimSpace(line + " " + strings.Join(flow, " "))
	if m, ok := MatchQuery(Query{Protocol: "entra", AADSTS: n, Text: text}); ok {
		return hitFromMatch(m, "", []string{line}, entraParams(num)), true
	}
	return Hit{ID: entraUnknownID, Evidence: []string{line}, Params: entraParams(num)}, false
}

// entraParams fill {aadsts} ("AADSTS700082") and {code} ("700082"), as the
// token rules do.
func entraParams(num string) map[string]string {
	num = strings.TrimLeft(num, "0")
	return map[string]string{"aadsts": "AADSTS" + num, "code": num}
}

// looseMatch reads text for the wording of an entry of the first of
// protocols that has one.
func looseMatch(text, method, provider string, protocols ...string) (Match, bool) {
	for _, proto := range protocols {
		q := Query{Protocol: proto, Text: text, Loose: true, Method: method, Provider: provider}
		if m, ok := MatchQuery(q); ok {
			return m, true
		}
	}
	return Match{}, false
}

// entraUnknownID is the entry for an AADSTS number not in the catalogue.
const entraUnknownID = "entra.unknown"

// stateIn reads a device token or sign-in state: the whole line, or the
// value after a label ("Token state: Ungültig").
func stateIn(line string) (Match, bool) {
	if m, ok := MatchQuery(Query{Protocol: "device", State: trimState(line)}); ok {
		return m, true
	}
	if c := stateLabelRe.FindStringSubmatch(line); c != nil {
		return MatchQuery(Query{Protocol: "device", State: trimState(c[1])})
	}
	return Match{}, false
}

// replyCode is "535 5.7.3" for the {code} placeholder.
func replyCode(u unwrapped) string {
	var parts []string
	if u.Code != 0 {
		parts = append(parts, strconv.Itoa(u.Code))
	}
	if u.Enhanced != "" {
		parts = append(parts, u.Enhanced)
	}
	return strings.Join(parts, " ")
}

// hitFromMatch turns a matcher answer into a hit.
func hitFromMatch(m Match, phase report.PhaseName, evidence []string, params map[string]string) Hit {
	return Hit{ID: m.ID, Phase: phase, Evidence: evidence, Params: params, Alternatives: m.Alternatives}
}

// mergeHits keeps the first hit of each id, adding later hits' evidence,
// alternatives and missing params to it.
func mergeHits(hits []Hit) []Hit {
	var out []Hit
	idx := map[string]int{}
	for _, h := range hits {
		i, ok := idx[h.ID]
		if !ok {
			idx[h.ID] = len(out)
			h.Evidence = append([]string(nil), h.Evidence...)
			h.Alternatives = append([]string(nil), h.Alternatives...)
			if h.Params != nil {
				cp := make(map[string]string, len(h.Params))
				for k, v := range h.Params {
					cp[k] = v
				}
				h.Params = cp
			}
			out = append(out, h)
			continue
		}
		o := &out[i]
		for _, ev := range h.Evidence {
			if !containsExact(o.Evidence, ev) {
				o.Evidence = append(o.Evidence, ev)
			}
		}
		for _, a := range h.Alternatives {
			if a != o.ID && !containsExact(o.Alternatives, a) {
				o.Alternatives = append(o.Alternatives, a)
			}
		}
		for k, v := range h.Params {
			if _, ok := o.Params[k]; !ok {
				if o.Params == nil {
					o.Params = map[string]string{}
				}
				o.Params[k] = v
			}
		}
		if o.Phase == "" {
			o.Phase = h.Phase
		}
	}
	return out
}

func containsExact(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func render(hits []Hit, opts Options) []report.Finding {
	var out []report.Finding
	for _, h := range hits {
		out = append(out, FindingFor(h, opts))
	}
	return out
}
