package diagnose

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag"
)

// MaxExplainInput bounds what Explain reads; a pasted transcript or device
// log is a few kilobytes, and the rest of a larger input is ignored.
const MaxExplainInput = 4 << 20

// maxExplainLines bounds the number of lines Explain looks at.
const maxExplainLines = 50_000

var (
	aadstsRe   = regexp.MustCompile(`(?i)\bAADSTS(\d{4,8})\b`)
	bareNumRe  = regexp.MustCompile(`^\d{3,8}$`)
	oauthErrRe = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b`)
	pop3ErrRe  = regexp.MustCompile(`^[\s<>|*:-]*-ERR(?:\s+(.*))?$`)
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
func Explain(input string, opts Options) []diag.Finding {
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
	return render(mergeHits(hits), opts)
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
		if m, ok := MatchQuery(Query{Protocol: "entra", AADSTS: n, Text: s}); ok {
			return []Hit{hitFromMatch(m, "", ev, nil)}
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

// explainText reads every reply, AADSTS number, OAuth error and state in a
// block of text.
func explainText(text string) []Hit {
	type found struct {
		hit   Hit
		class int
	}
	var all []found
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if len(lines) > maxExplainLines {
		lines = lines[:maxExplainLines]
	}
	var pending *unwrapped
	var pendingLines []string
	flush := func(u unwrapped, raw []string) {
		q := Query{Protocol: "smtp", Code: u.Code, Enhanced: u.Enhanced, Text: u.Text}
		m, ok := MatchQuery(q)
		if !ok {
			return
		}
		params := map[string]string{"code": replyCode(u)}
		ev := []string{strings.Join(raw, "\n")}
		all = append(all, found{hitFromMatch(m, "", ev, params), replyClass(prepare(q))})
	}
	for _, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if m := pop3ErrRe.FindStringSubmatch(line); m != nil {
			if mm, ok := MatchQuery(Query{Protocol: "pop3", Text: m[1]}); ok {
				all = append(all, found{hitFromMatch(mm, "", []string{line}, nil), 5})
			}
			continue
		}
		if u, ok := unwrapLine(line); ok && (u.Code != 0 || u.Enhanced != "") {
			if u.Sep == '-' {
				if pending == nil || pending.Code != u.Code {
					cp := u
					pending, pendingLines = &cp, nil
				} else if u.Text != "" {
					pending.Text += " " + u.Text
				}
				pendingLines = append(pendingLines, line)
				continue
			}
			if pending != nil && pending.Code == u.Code {
				if u.Enhanced == pending.Enhanced || u.Enhanced == "" {
					u.Enhanced = pending.Enhanced
				}
				u.Text = strings.TrimSpace(pending.Text + " " + u.Text)
				flush(u, append(pendingLines, line))
				pending, pendingLines = nil, nil
				continue
			}
			if pending != nil {
				flush(*pending, pendingLines)
				pending, pendingLines = nil, nil
			}
			flush(u, []string{line})
			continue
		}
		if pending != nil {
			flush(*pending, pendingLines)
			pending, pendingLines = nil, nil
		}
		if ids := aadstsRe.FindAllStringSubmatch(line, -1); len(ids) > 0 {
			for _, id := range ids {
				n, err := strconv.Atoi(id[1])
				if err != nil {
					continue
				}
				if m, ok := MatchQuery(Query{Protocol: "entra", AADSTS: n, Text: line}); ok {
					all = append(all, found{hitFromMatch(m, "", []string{line}, nil), 5})
				}
			}
			continue
		}
		matchedErr := false
		for _, word := range oauthErrRe.FindAllString(line, 8) {
			if m, ok := MatchQuery(Query{Protocol: "oauth", Error: word, Text: line}); ok {
				all = append(all, found{hitFromMatch(m, "", []string{line}, nil), 5})
				matchedErr = true
			}
		}
		if matchedErr {
			continue
		}
		if m, ok := MatchQuery(Query{Protocol: "device", State: trimState(line)}); ok {
			all = append(all, found{hitFromMatch(m, "", []string{line}, nil), 5})
			continue
		}
		// A device job-history code inside a log line ("Job 17: error 361",
		// "Fehlercode 361"); only codes the catalogue knows match.
		for _, c := range deviceCodeRe.FindAllStringSubmatch(line, 4) {
			n, _ := strconv.Atoi(c[1])
			if m, ok := MatchQuery(Query{Protocol: "device", Code: n}); ok {
				all = append(all, found{hitFromMatch(m, "", []string{line}, nil), 5})
			}
		}
	}
	if pending != nil {
		flush(*pending, pendingLines)
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
		if !anyFail || f.class >= 4 {
			hits = append(hits, f.hit)
		}
	}
	return hits
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
func hitFromMatch(m Match, phase string, evidence []string, params map[string]string) Hit {
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

func render(hits []Hit, opts Options) []diag.Finding {
	var out []diag.Finding
	for _, h := range hits {
		out = append(out, FindingFor(h, opts))
	}
	return out
}
