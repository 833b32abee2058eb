package diagnose

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Query is the evidence the matcher reads: one reply (code, enhanced code,
// text, phase) or one device code, token state, AADSTS number or OAuth
// error string. Zero fields are unknown and match anything, except that an
// entry must match at least one field that is set.
type Query struct {
	Protocol string // smtp (default) | pop3 | entra | oauth | device
	Code     int    // SMTP reply code or device job code
	Enhanced string // "5.7.139"
	// Text is the reply text; the trailer, case and spacing are ignored.
	Text   string
	Phase  report.PhaseName // empty matches every phase
	AADSTS int
	Error  string // OAuth error string (invalid_grant)
	State  string // device token / sign-in state, any language
	// Method is how the input shows the device signed in: "oauth"
	// (XOAUTH2, OAUTHBEARER) or "password" (LOGIN, PLAIN); empty when it
	// does not show.
	Method string
	// Provider is the mail service the reply came from when the input
	// shows it: "exo", "gmail", "ses", "onprem" (Exchange Server),
	// "other"; empty when it does not show.
	Provider string
	// Loose marks Text as free text that may carry a reply's wording
	// without its codes ("SmtpClientAuthentication is disabled for the
	// Mailbox"): only entries whose phrases or wordings appear match.
	Loose bool
}

// Match is the matcher's answer: the best entry, and the other entries
// that fit the evidence as well, most likely first.
type Match struct {
	ID           string
	Generic      bool
	Alternatives []string
}

// maximum bytes of reply text the matcher reads; a longer text is hostile
// or a pasted document, and its head is what names the problem.
const maxMatchText = 16 << 10

// normalize lowers case, removes Exchange's trailer and collapses white
// space, so phrases match however a device or a mail log re-wrapped them.
func normalize(s string) string {
	if len(s) > maxMatchText {
		s = s[:maxMatchText]
	}
	s, _ = report.SplitTrailer(strings.TrimSpace(s))
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// MatchQuery finds the catalogue entry for q. ok is false when no entry
// fits (the generic class entries make that rare for SMTP replies).
//
// Ranking: an entry whose phrases matched beats one matched on enhanced
// code, which beats one matched on the reply code, which beats a generic
// class entry; among equals the higher priority wins and the others become
// alternatives, followed by the winner's own listed alternatives.
func MatchQuery(q Query) (m Match, ok bool) {
	m, _, ok = matchQuery(q)
	return m, ok
}

// matchQuery is MatchQuery that also reports the winner's score, so the
// reader can tell a phrase match from a reading by code alone.
func matchQuery(q Query) (m Match, best int, ok bool) {
	c := cat()
	q = prepare(q)
	type cand struct {
		e     *entry
		score int
		rank  int // the score without the priority
	}
	var cands []cand
	for _, e := range c.entries {
		if s, ok := score(e, q); ok {
			cands = append(cands, cand{e, s, s - clamp(e.Priority, -99, 99)*wPriority})
		}
	}
	if len(cands) == 0 {
		return Match{}, 0, false
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		if cands[i].e.Priority != cands[j].e.Priority {
			return cands[i].e.Priority > cands[j].e.Priority
		}
		return cands[i].e.ID < cands[j].e.ID
	})
	top := cands[0]
	// Several specific entries fit equally well (a bare "550"): the
	// honest reading is the generic one, with the specific ones as
	// alternatives — unless an entry claims the tie by a higher priority
	// (the "535 is ambiguous" entry does).
	var tied []*entry
	for _, cd := range cands {
		if cd.rank == top.rank && !cd.e.Generic {
			tied = append(tied, cd.e)
		}
	}
	if len(tied) > 1 && tied[0].Priority == tied[1].Priority {
		for _, cd := range cands {
			if cd.e.Generic {
				m = Match{ID: cd.e.ID, Generic: true}
				for _, e := range tied {
					if fitsMethod(e.ID, q.Method) {
						m.Alternatives = append(m.Alternatives, e.ID)
					}
				}
				return m, cd.score, true
			}
		}
	}
	m = Match{ID: top.e.ID, Generic: top.e.Generic}
	seen := map[string]bool{top.e.ID: true}
	add := func(id string) {
		if !seen[id] && fitsMethod(id, q.Method) {
			seen[id] = true
			m.Alternatives = append(m.Alternatives, id)
		}
	}
	// An entry that reads a bare code lists its causes in its own order,
	// most likely first.
	if top.e.Match.Bare {
		for _, id := range top.e.Alternatives {
			add(id)
		}
	}
	for _, cd := range cands[1:] {
		if cd.rank == top.rank && !cd.e.Generic {
			add(cd.e.ID)
		}
	}
	for _, id := range top.e.Alternatives {
		add(id)
	}
	return m, top.score, true
}

// fitsMethod reports whether entry id may be offered for an input that
// shows the sign-in method: an entry about passwords is never offered for
// an OAuth sign-in, nor the reverse.
func fitsMethod(id, method string) bool {
	e := cat().byID[id]
	if method == "" || e == nil || e.Match == nil || len(e.Match.Methods) == 0 {
		return true
	}
	return containsStr(e.Match.Methods, method)
}

func prepare(q Query) Query {
	if q.Protocol == "" {
		q.Protocol = "smtp"
	}
	q.Text = normalize(q.Text)
	q.State = normalize(q.State)
	q.Error = strings.ToLower(strings.TrimSpace(q.Error))
	q.Enhanced = strings.TrimSpace(q.Enhanced)
	q.Method = strings.ToLower(q.Method)
	q.Provider = strings.ToLower(q.Provider)
	return q
}

// Specificity weights: see MatchQuery.
const (
	wPhrase   = 1_000_000
	wExact    = 100_000 // enhanced code, AADSTS, error, state
	wCode     = 10_000
	wSubject  = 1_000
	wClass    = 100
	wGeneric  = -10_000_000
	wPriority = 1 // priorities are tie-breakers inside one rank only
)

// score reports whether e fits q and how specifically.
func score(e *entry, q Query) (int, bool) {
	m := e.Match
	if m == nil {
		return 0, false
	}
	proto := m.Protocol
	if proto == "" {
		proto = "smtp"
	}
	if proto != q.Protocol {
		return 0, false
	}
	s, matched := 0, false
	if len(m.Phases) > 0 && q.Phase != "" && !containsStr(m.Phases, string(q.Phase)) {
		return 0, false
	}
	if m.Bare && (q.Text != "" || q.Loose) {
		return 0, false
	}
	if len(m.Methods) > 0 {
		if !containsStr(m.Methods, q.Method) {
			return 0, false
		}
		s += wSubject
	}
	if proto == "smtp" && !e.Generic {
		switch {
		case len(m.Providers) > 0:
			if !containsStr(m.Providers, q.Provider) {
				return 0, false
			}
			s += wSubject
		case q.Provider != "" && q.Provider != "exo":
			// Exchange Online's readings are not offered for another
			// service's reply.
			return 0, false
		}
	}
	if q.Loose && len(e.norm) == 0 && len(e.any) == 0 {
		return 0, false
	}
	if len(e.hints) > 0 && q.Code == 0 && q.Text != "" {
		if !containsAnyStr(q.Text, e.hints) {
			return 0, false
		}
		s += wSubject
	}
	if len(e.any) > 0 {
		if !containsAnyStr(q.Text, e.any) {
			return 0, false
		}
		s, matched = s+wPhrase, true
	}
	if len(m.Codes) > 0 && q.Code != 0 {
		if !containsInt(m.Codes, q.Code) {
			return 0, false
		}
		s, matched = s+wCode, true
	}
	if len(m.Enhanced) > 0 {
		switch {
		case q.Enhanced != "":
			if !containsStr(m.Enhanced, q.Enhanced) {
				return 0, false
			}
			s, matched = s+wExact, true
		case q.Text != "" && !q.Loose:
			// A reply with text but no enhanced code is not the one this
			// entry describes (Exchange Online always sends one).
			return 0, false
		}
	}
	if len(e.norm) > 0 {
		for _, p := range e.norm {
			if p == "" || !strings.Contains(q.Text, p) {
				return 0, false
			}
		}
		s, matched = s+wPhrase*len(e.norm), true
	}
	if len(m.AADSTS) > 0 {
		if !containsInt(m.AADSTS, q.AADSTS) {
			return 0, false
		}
		s, matched = s+wExact, true
	}
	if len(m.Errors) > 0 {
		if !containsStr(m.Errors, q.Error) {
			return 0, false
		}
		s, matched = s+wExact, true
	}
	if len(e.states) > 0 {
		if !e.states[q.State] {
			return 0, false
		}
		s, matched = s+wExact, true
	}
	if len(m.Classes) > 0 {
		cl := replyClass(q)
		if cl == 0 || !containsInt(m.Classes, cl) {
			return 0, false
		}
		s, matched = s+wClass, true
	}
	if len(m.Subjects) > 0 {
		sub := enhancedSubject(q.Enhanced)
		if sub < 0 || !containsInt(m.Subjects, sub) {
			return 0, false
		}
		s, matched = s+wSubject, true
	}
	if !matched {
		return 0, false
	}
	if e.Generic {
		s += wGeneric
	}
	return s + clamp(e.Priority, -99, 99)*wPriority, true
}

// replyClass is the first digit of the reply code, or of the enhanced code
// when the code is unknown.
func replyClass(q Query) int {
	if q.Code >= 200 && q.Code < 600 {
		return q.Code / 100
	}
	if len(q.Enhanced) > 0 && q.Enhanced[0] >= '2' && q.Enhanced[0] <= '5' {
		return int(q.Enhanced[0] - '0')
	}
	return 0
}

// enhancedSubject is the middle number of "5.7.139", or -1.
func enhancedSubject(enh string) int {
	parts := strings.Split(enh, ".")
	if len(parts) != 3 {
		return -1
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 0 || n > 999 {
		return -1
	}
	return n
}

func clamp(v, lo, hi int) int {
	return max(lo, min(hi, v))
}

// containsAnyStr reports whether text holds one of the normalised
// wordings.
func containsAnyStr(text string, wordings []string) bool {
	for _, w := range wordings {
		if w != "" && strings.Contains(text, w) {
			return true
		}
	}
	return false
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

var (
	// An SMTP reply quoted anywhere in a line ("... Error: 535 5.7.139 ...").
	embeddedRe = regexp.MustCompile(`(?:^|[^\w.])([2-5][0-5]\d)([ -])\s*([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)`)
	// A reply without an enhanced code at the start of a line.
	leadingRe = regexp.MustCompile(`^([2-5][0-5]\d)(?:([ -])(.*))?$`)
	// An enhanced code alone ("5.7.57 Client not authenticated ...").
	enhancedOnlyRe = regexp.MustCompile(`^([245]\.\d{1,3}\.\d{1,3})(?:\s+(.*))?$`)
	// Transcript prefixes: "S: ", "<- ", "<<< ", "< ".
	prefixRe = regexp.MustCompile(`^(?:[\s<>|*:-]*(?:(?i:s|server|smtp|recv|received)\s*:\s*)?)`)
)

// unwrapped is one reply read from a line of free text.
type unwrapped struct {
	Code     int
	Enhanced string
	Text     string
	// Outer is the text around the reply (a .NET or vendor wrapper).
	Outer string
	// Sep is '-' for a continuation line of a multi-line reply.
	Sep byte
}

// unwrapLine reads the innermost SMTP reply in line: a reply quoted inside
// another error wins over its wrapper, the last quoted reply over earlier
// ones.
func unwrapLine(line string) (unwrapped, bool) {
	line = strings.TrimSpace(line)
	if len(line) > maxMatchText {
		line = line[:maxMatchText]
	}
	if all := embeddedRe.FindAllStringSubmatchIndex(line, -1); len(all) > 0 {
		loc := all[len(all)-1]
		code, _ := strconv.Atoi(line[loc[2]:loc[3]])
		u := unwrapped{
			Code:     code,
			Enhanced: line[loc[6]:loc[7]],
			Text:     strings.TrimSpace(line[loc[1]:]),
			Outer:    strings.TrimSpace(line[:loc[0]]),
			Sep:      line[loc[4]],
		}
		return u, true
	}
	rest := prefixRe.ReplaceAllString(line, "")
	if m := leadingRe.FindStringSubmatch(rest); m != nil {
		code, _ := strconv.Atoi(m[1])
		u := unwrapped{Code: code, Text: strings.TrimSpace(m[3]), Sep: ' '}
		if m[2] == "-" {
			u.Sep = '-'
		}
		return u, true
	}
	if m := enhancedOnlyRe.FindStringSubmatch(rest); m != nil {
		return unwrapped{Enhanced: m[1], Text: strings.TrimSpace(m[2]), Sep: ' '}, true
	}
	return unwrapped{}, false
}

// ReplyQuery builds the matcher's query for a reply received in phase,
// unwrapping a reply quoted inside the text.
func ReplyQuery(rep *report.Reply, phase report.PhaseName) Query {
	if rep == nil {
		return Query{Phase: phase}
	}
	if rep.POP3 != "" {
		return Query{Protocol: "pop3", Text: rep.Text, Phase: phase}
	}
	q := Query{Protocol: "smtp", Code: rep.Code, Enhanced: rep.Enhanced, Text: rep.Text, Phase: phase}
	if all := embeddedRe.FindAllStringIndex(rep.Text, -1); len(all) > 0 {
		if u, ok := unwrapLine(rep.Text); ok && u.Code != 0 {
			q.Code, q.Enhanced, q.Text = u.Code, u.Enhanced, u.Text
		}
	}
	return q
}
