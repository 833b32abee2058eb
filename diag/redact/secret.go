package redact

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Fingerprint identifies a secret without showing any of it: the first 8 hex
// digits of its SHA-256 and its length.
func Fingerprint(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	return fmt.Sprintf("sha256:%s len %d", hex.EncodeToString(sum[:4]), len(secret))
}

// Redactor replaces known secrets in any text. Secrets are registered at the
// source (where a token or password is read) so no renderer has to know them.
// Besides the raw secret it knows every form the secret takes on the wire or
// in an echo of it: its base64 at each of the three byte alignments (so the
// secret is found inside any base64 blob that carries it, such as an
// XOAUTH2 or OAUTHBEARER initial response or a PLAIN or LOGIN exchange)
// and its URL-encoded form (a token endpoint quoting the form it was sent).
type Redactor struct {
	mu    sync.Mutex
	forms []secretForm
}

type secretForm struct{ text, mark string }

// minSecret is the shortest string treated as a secret; shorter ones would
// redact ordinary words.
const minSecret = 6

// Add registers a secret.
func (r *Redactor) Add(secret string) {
	if r == nil || len(secret) < minSecret {
		return
	}
	mark := "<redacted " + Fingerprint(secret) + ">"
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.forms {
		if f.text == secret {
			return
		}
	}
	add := func(form string) {
		if len(form) >= minSecret {
			r.forms = append(r.forms, secretForm{form, mark})
		}
	}
	add(secret)
	if q := url.QueryEscape(secret); q != secret {
		add(q)
	}
	add(base64.StdEncoding.EncodeToString([]byte(secret)))
	for _, f := range Base64Forms(secret) {
		add(f)
	}
	// Longer forms first, so a form that contains another is replaced whole.
	sort.SliceStable(r.forms, func(i, j int) bool { return len(r.forms[i].text) > len(r.forms[j].text) })
}

// Base64Forms are the parts of the standard (and URL-safe) base64 encoding
// of any text that holds secret, at the three possible byte alignments:
// each is the run of base64 characters that depends on the secret's bytes
// alone. Whatever surrounds the secret in a blob, one of them appears in the
// blob's base64.
func Base64Forms(secret string) []string {
	var out []string
	for k := 0; k < 3; k++ {
		buf := append(make([]byte, k), secret...)
		enc := base64.StdEncoding.EncodeToString(buf)
		start := []int{0, 2, 3}[k]
		end := 4 * (len(buf) / 3)
		if len(buf)%3 == 0 {
			end = len(enc)
		}
		if end-start < minSecret {
			continue
		}
		std := enc[start:end]
		out = append(out, std)
		if u := strings.NewReplacer("+", "-", "/", "_").Replace(std); u != std {
			out = append(out, u)
		}
	}
	return out
}

// Redact returns s with every registered secret replaced. A secret cut
// short counts too: a run of at least minRun bytes of a form's start, or
// any part of a form's start that ends the text, is replaced, so a reply
// shortened before it reached the report leaks nothing either.
func (r *Redactor) Redact(s string) string {
	if r == nil || s == "" {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// Whole forms first: a cut-short run of one form may be the start of
	// another, which must go whole.
	for _, f := range r.forms {
		if strings.Contains(s, f.text) {
			s = strings.ReplaceAll(s, f.text, f.mark)
		}
	}
	for _, f := range r.forms {
		s = redactForm(s, f)
	}
	return s
}

// minRun is the shortest cut-short run of a secret that is replaced inside
// a text.
const minRun = 16

func redactForm(s string, f secretForm) string {
	key := f.text
	if len(key) > minRun {
		key = key[:minRun]
	}
	var b strings.Builder
	from := 0
	for {
		i := strings.Index(s[from:], key)
		if i < 0 {
			// A shorter start of the secret that ends the text.
			for n := min(len(f.text), minRun) - 1; n >= minSecret; n-- {
				if strings.HasSuffix(s[from:], f.text[:n]) {
					b.WriteString(s[from : len(s)-n])
					b.WriteString(f.mark)
					return b.String()
				}
			}
			if from == 0 {
				return s
			}
			b.WriteString(s[from:])
			return b.String()
		}
		i += from
		n := len(key)
		for n < len(f.text) && i+n < len(s) && s[i+n] == f.text[n] {
			n++
		}
		b.WriteString(s[from:i])
		b.WriteString(f.mark)
		from = i + n
	}
}

// Transcript records the lines of a session as they pass, with secrets
// replaced before anything is stored. It is safe for concurrent use (the
// SMTP and POP3 probes may share one).
type Transcript struct {
	mu       sync.Mutex
	start    time.Time
	lines    []report.TranscriptLine
	redactor *Redactor
	// max bounds the number of stored lines; a hostile server cannot grow
	// the report without limit.
	max     int
	dropped int
}

// MaxTranscriptLines bounds a transcript; further lines are counted, not kept.
const MaxTranscriptLines = 2000

// MaxTranscriptLine bounds one stored line, in bytes.
const MaxTranscriptLine = 1000

// NewTranscript starts a transcript whose times are offsets from start.
func NewTranscript(start time.Time, r *Redactor) *Transcript {
	return &Transcript{start: start, redactor: r, max: MaxTranscriptLines}
}

// Add records one line. dir is ">" sent, "<" received, "*" event.
func (t *Transcript) Add(service, dir, text string) {
	if t == nil {
		return
	}
	text = strings.TrimRight(text, "\r\n")
	text = t.redactor.Redact(text)
	// Every line is made printable here, whichever probe recorded it: a
	// hostile server's NUL or escape bytes never reach a renderer.
	if len(text) > MaxTranscriptLine {
		text = fmt.Sprintf("%s… (%d bytes)", SafePrefix(text, MaxTranscriptLine), len(text))
	} else {
		text = SafePrefix(text, MaxTranscriptLine)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) >= t.max {
		t.dropped++
		return
	}
	t.lines = append(t.lines, report.TranscriptLine{
		At: report.Duration(time.Since(t.start)), Service: service, Dir: dir, Text: text,
	})
}

// Lines returns a copy of what was recorded, with a closing note if lines
// were dropped.
func (t *Transcript) Lines() []report.TranscriptLine {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]report.TranscriptLine(nil), t.lines...)
	if t.dropped > 0 {
		out = append(out, report.TranscriptLine{At: report.Duration(time.Since(t.start)), Dir: "*",
			Text: fmt.Sprintf("%d further lines not kept", t.dropped)})
	}
	return out
}

// SafePrefix cuts s to at most n bytes without splitting a UTF-8 rune and
// replaces control bytes, so hostile input prints safely.
func SafePrefix(s string, n int) string {
	if len(s) > n {
		s = s[:n]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return strings.ReplaceAll(SanitizeText(s), "\n", "�")
}
