package report

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

var (
	enhancedRe = regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})(?:\s+|$)`)
	// The trailer is the last bracketed group of the text, at most
	// maxTrailer bytes inside the brackets (checked in code: a {1,200}
	// repeat here compiles to 200 copies, the largest init-time cost of
	// every mfpcheck command).
	trailerRe  = regexp.MustCompile(`\s*\[([^\[\]]+)\]\s*\.?\s*$`)
	trailerTS  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT[\d:.]+Z?$`)
	trailerHex = regexp.MustCompile(`^[0-9A-Fa-f]{16}$`)
	hostRe     = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)
	ipRe       = regexp.MustCompile(`^(IPv6:)?[0-9a-fA-F:.]+$`)
	replyRe    = regexp.MustCompile(`^(\d{3})[ -](.*)$`)
)

// ParseReply splits an SMTP reply (code plus the text after the code, lines
// joined by "\n") into enhanced code, text and Exchange's trailer.
func ParseReply(code int, msg string) *Reply {
	r := &Reply{Code: code}
	msg = strings.TrimRight(msg, "\r\n")
	lines := strings.Split(msg, "\n")
	if m := enhancedRe.FindString(lines[0]); m != "" {
		r.Enhanced = strings.TrimSpace(m)
		lines[0] = strings.TrimPrefix(lines[0], m)
	}
	last := len(lines) - 1
	lines[last], r.Trailer = SplitTrailer(lines[last])
	r.Text = strings.Join(lines, "\n")
	return r
}

// ParseReplyLines parses a raw SMTP reply as read from the wire, one or more
// "NNN-text" / "NNN text" lines. ok is false when the first line carries no
// reply code.
func ParseReplyLines(raw string) (r *Reply, ok bool) {
	raw = strings.TrimRight(raw, "\r\n")
	var code int
	var texts []string
	for i, line := range strings.Split(raw, "\n") {
		line = strings.TrimRight(line, "\r")
		m := replyRe.FindStringSubmatch(line)
		if m == nil {
			if i == 0 {
				return nil, false
			}
			texts = append(texts, line)
			continue
		}
		c, _ := strconv.Atoi(m[1])
		if i == 0 {
			code = c
		}
		// RFC 5321 enhanced codes repeat on every line; keep only the first.
		t := m[2]
		if i > 0 {
			if e := enhancedRe.FindString(t); e != "" {
				t = strings.TrimPrefix(t, e)
			}
		}
		texts = append(texts, t)
	}
	if code < 100 || code > 599 {
		return nil, false
	}
	return ParseReply(code, strings.Join(texts, "\n")), true
}

// maxTrailer bounds what SplitTrailer takes for a trailer; Exchange's
// are under 100 bytes.
const maxTrailer = 200

// SplitTrailer removes Exchange's "[host timestamp session]" tag from the end
// of text. Older replies carry only the host, banners only the session id,
// POP3 banners a base64 UTF-16 host name; all are recognised. A bracketed IP
// address (EHLO's "Hello [192.0.2.1]") is not a trailer.
func SplitTrailer(text string) (string, *Trailer) {
	loc := trailerRe.FindStringSubmatchIndex(text)
	if loc == nil || loc[3]-loc[2] > maxTrailer {
		return text, nil
	}
	inner := text[loc[2]:loc[3]]
	t := &Trailer{Raw: "[" + inner + "]"}
	known := false
	for _, f := range strings.Fields(inner) {
		switch {
		case trailerTS.MatchString(f):
			t.Time, known = f, true
		case trailerHex.MatchString(f):
			t.Session, known = f, true
		case ipRe.MatchString(f):
			// an address, not part of a trailer
		case hostRe.MatchString(f):
			t.Host, known = f, true
		}
	}
	if !known {
		if host, ok := decodeUTF16Host(inner); ok {
			t.Host, known = host, true
		}
	}
	if !known || (t.Host == "" && t.Time == "" && t.Session == "") {
		return text, nil
	}
	return strings.TrimRight(text[:loc[0]], " "), t
}

// decodeUTF16Host decodes the POP3 banner's base64 UTF-16LE server name.
func decodeUTF16Host(s string) (string, bool) {
	if len(s) < 8 || len(s) > 200 {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%2 != 0 {
		return "", false
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	host := string(utf16.Decode(u))
	if !hostRe.MatchString(host) {
		return "", false
	}
	return host, true
}

// Line renders the reply as one line as it came ("535 5.7.3 text [trailer]").
func (r *Reply) Line() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	if r.POP3 != "" {
		b.WriteString(r.POP3)
	} else {
		b.WriteString(strconv.Itoa(r.Code))
	}
	if r.Enhanced != "" {
		b.WriteString(" " + r.Enhanced)
	}
	if r.Text != "" {
		b.WriteString(" " + strings.ReplaceAll(r.Text, "\n", " / "))
	}
	if r.Trailer != nil {
		b.WriteString(" " + r.Trailer.Raw)
	}
	return b.String()
}
