package diag

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
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
// It also knows each secret's base64 forms, as they travel on the wire.
type Redactor struct {
	mu      sync.Mutex
	secrets []string
}

// minSecret is the shortest string treated as a secret; shorter ones would
// redact ordinary words.
const minSecret = 6

// Add registers a secret.
func (r *Redactor) Add(secret string) {
	if r == nil || len(secret) < minSecret {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, secret,
		base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawStdEncoding.EncodeToString([]byte(secret)))
}

// Redact returns s with every registered secret replaced.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "<redacted "+Fingerprint(sec)+">")
		}
	}
	return s
}

// Transcript records the lines of a session as they pass, with secrets
// replaced before anything is stored. It is safe for concurrent use (the
// SMTP and POP3 probes may share one).
type Transcript struct {
	mu       sync.Mutex
	start    time.Time
	lines    []TranscriptLine
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
	t.lines = append(t.lines, TranscriptLine{
		At: Duration(time.Since(t.start)), Service: service, Dir: dir, Text: text,
	})
}

// Lines returns a copy of what was recorded, with a closing note if lines
// were dropped.
func (t *Transcript) Lines() []TranscriptLine {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]TranscriptLine(nil), t.lines...)
	if t.dropped > 0 {
		out = append(out, TranscriptLine{At: Duration(time.Since(t.start)), Dir: "*",
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
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return '�'
		}
		return r
	}, s)
}
