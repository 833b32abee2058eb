package probe

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// MaxReplyBytes bounds one server reply (all lines read between two of our
// commands). Exchange's longest reply, the EHLO list, is under 300 bytes; a
// hostile server sending megabytes fails the phase instead of filling memory.
const MaxReplyBytes = 64 << 10

// MaxLineBytes bounds one line from the server. RFC 5321 allows 512 bytes
// for a reply line; go-smtp's client allows 2000.
const MaxLineBytes = 4096

// ErrReplyTooLarge is a reply over MaxReplyBytes.
var ErrReplyTooLarge = &LineTooLongError{Limit: MaxReplyBytes}

// wireConn sits between a connection and the protocol code, SMTP's and
// POP3's alike. It records every line into the transcript (secrets
// redacted at the source), keeps the raw text of the current reply for the
// phase being run, bounds reply size and line length, and clamps every
// deadline the protocol code sets to the phase's budget, so go-smtp's own
// per-command deadlines cannot outlive it.
type wireConn struct {
	net.Conn
	service string
	// pop3: every line is a whole reply ("+OK …", "-ERR …", a list line),
	// and SMTP's reply-code checks do not apply.
	pop3  bool
	tr    *redact.Transcript
	clock *deadlineClamp

	mu       sync.Mutex
	in       bytes.Buffer // partial incoming line
	out      bytes.Buffer // partial outgoing line
	reply    strings.Builder
	replyLen int
	// replies are the complete replies read during the current phase, so
	// the reply that failed a command is found even when the client library
	// sent another command after it.
	replies []string
	// queue holds the complete replies read since our last write, one
	// entry each, oldest first: the reader takes them one by one, so each
	// reply of a pipelined flight (RFC 2920) is kept apart from the next.
	queue   []string
	cur     strings.Builder
	lineLen int
	// secret, while set, replaces every outgoing line except a leading
	// "AUTH MECH" with a redaction mark: SASL payloads never reach the
	// transcript.
	secret bool
	// ready holds received complete lines not yet handed to the reader.
	// Only whole lines go up: a line cut by a timeout or a hang-up never
	// reaches the protocol code, which would parse it as a whole reply
	// (bufio.Reader.ReadLine returns a partial line and drops the error).
	ready []byte
	// rerr, once set, fails every later Read: a reply broke a limit. It
	// must be sticky because bufio drops an error that comes with data.
	rerr error
	// contCode is the code of the multi-line reply being read ("250" after
	// "250-…"), "" between replies.
	contCode string
}

// deadlineClamp holds the current phase's deadline.
type deadlineClamp struct {
	mu sync.Mutex
	t  time.Time
}

func (d *deadlineClamp) set(t time.Time) {
	d.mu.Lock()
	d.t = t
	d.mu.Unlock()
}

func (d *deadlineClamp) clamp(t time.Time) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.t.IsZero() {
		return t
	}
	if t.IsZero() || t.After(d.t) {
		return d.t
	}
	return t
}

func newWireConn(c net.Conn, service string, tr *redact.Transcript, clock *deadlineClamp) *wireConn {
	w := &wireConn{Conn: c, service: service, pop3: service == "pop3", tr: tr, clock: clock}
	c.SetDeadline(clock.clamp(time.Time{}))
	return w
}

func (w *wireConn) SetDeadline(t time.Time) error { return w.Conn.SetDeadline(w.clock.clamp(t)) }
func (w *wireConn) SetReadDeadline(t time.Time) error {
	return w.Conn.SetReadDeadline(w.clock.clamp(t))
}
func (w *wireConn) SetWriteDeadline(t time.Time) error {
	return w.Conn.SetWriteDeadline(w.clock.clamp(t))
}

func (w *wireConn) Read(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.ready) == 0 {
		if w.rerr != nil {
			return 0, w.rerr
		}
		// The lock only guards against Write and the accessors; no other
		// Read runs concurrently, and Write never waits for a Read.
		w.mu.Unlock()
		n, err := w.Conn.Read(b)
		w.mu.Lock()
		if n > 0 {
			if rerr := w.received(b[:n]); rerr != nil {
				w.rerr = rerr
				w.ready = nil
				return 0, rerr
			}
		}
		if err != nil {
			if len(w.ready) > 0 {
				break // the next Read returns the error again
			}
			return 0, err
		}
	}
	n := copy(b, w.ready)
	w.ready = w.ready[n:]
	if len(w.ready) == 0 {
		w.ready = nil
	}
	return n, nil
}

// discard drops the received bytes not yet read (lines a server sent out
// of turn) and returns how many there were.
func (w *wireConn) discard() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.ready) + w.in.Len()
	w.ready = nil
	w.in.Reset()
	w.lineLen = 0
	return n
}

// pending is the number of received bytes not yet read, whole lines or
// not: after a STARTTLS reply there must be none.
func (w *wireConn) pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.ready) + w.in.Len()
}

// received records b, moves its complete lines to ready and checks the
// limits. The caller holds w.mu.
func (w *wireConn) received(b []byte) error {
	w.replyLen += len(b)
	if w.replyLen > MaxReplyBytes {
		return ErrReplyTooLarge
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			w.in.Write(b)
			w.lineLen += len(b)
			if w.lineLen > MaxLineBytes {
				return &LineTooLongError{Limit: MaxLineBytes}
			}
			return nil
		}
		w.in.Write(b[:i])
		w.ready = append(append(w.ready, w.in.Bytes()...), '\n')
		line := strings.TrimRight(w.in.String(), "\r")
		w.in.Reset()
		w.lineLen = 0
		w.reply.WriteString(line + "\n")
		w.cur.WriteString(line + "\n")
		w.tr.Add(w.service, "<", line) // Add redacts, then bounds
		if !w.pop3 {
			if err := w.checkCode(line); err != nil {
				return err
			}
		}
		if w.pop3 || len(line) == 3 || (len(line) > 3 && line[3] == ' ') {
			w.replies = append(w.replies, w.reply.String())
			if len(w.replies) > 16 {
				w.replies = w.replies[1:]
			}
			w.queue = append(w.queue, w.cur.String())
			w.cur.Reset()
		}
		b = b[i+1:]
	}
	return nil
}

// checkCode fails a multi-line reply whose later lines do not carry the
// first line's code (RFC 5321 section 4.2.1). textproto would read on,
// waiting for a last line with the first code that never comes, until the
// phase times out: a misleading "no answer".
func (w *wireConn) checkCode(line string) error {
	code, sep := "", byte(0)
	if len(line) >= 3 && isDigits(line[:3]) && (len(line) == 3 || line[3] == ' ' || line[3] == '-') {
		code = line[:3]
		if len(line) > 3 {
			sep = line[3]
		}
	}
	if w.contCode != "" && code != w.contCode {
		got := w.contCode
		w.contCode = ""
		return &ReplyMismatchError{First: got, Line: redact.SafePrefix(line, 80)}
	}
	if sep == '-' {
		w.contCode = code
	} else {
		w.contCode = ""
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ReplyMismatchError is a multi-line reply whose lines carry different
// codes, or a line without a code inside a multi-line reply.
type ReplyMismatchError struct {
	First string // the code of the reply's first line
	Line  string // the offending line, sanitized
}

func (e *ReplyMismatchError) Error() string {
	return fmt.Sprintf("server sent a malformed multi-line reply: it began with %s, then %q", e.First, e.Line)
}

// newReply starts a new reply: our command was sent. The caller holds w.mu.
func (w *wireConn) newReply() {
	w.reply.Reset()
	w.queue = nil
	w.cur.Reset()
	w.replyLen = 0
	w.contCode = ""
}

// writeShown sends one command line and records shown in its place: the
// protocol code names a secret line at the source ("PASS <redacted …>").
// shown still passes the transcript's redactor.
func (w *wireConn) writeShown(line, shown string) error {
	w.mu.Lock()
	w.newReply()
	w.tr.Add(w.service, ">", shown)
	w.mu.Unlock()
	_, err := w.Conn.Write([]byte(line + "\r\n"))
	return err
}

func (w *wireConn) Write(b []byte) (int, error) {
	w.mu.Lock()
	// A new command starts a new reply.
	w.newReply()
	rest := b
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			w.out.Write(rest)
			break
		}
		w.out.Write(rest[:i])
		line := strings.TrimRight(w.out.String(), "\r")
		w.out.Reset()
		w.tr.Add(w.service, ">", w.redactOut(line))
		rest = rest[i+1:]
	}
	w.mu.Unlock()
	return w.Conn.Write(b)
}

func (w *wireConn) redactOut(line string) string {
	if !w.secret {
		return line
	}
	f := strings.Fields(line)
	if len(f) >= 2 && strings.EqualFold(f[0], "AUTH") {
		if len(f) == 2 {
			return line
		}
		return fmt.Sprintf("%s %s <redacted %d bytes>", f[0], f[1], len(strings.Join(f[2:], " ")))
	}
	if line == "" || line == "*" || line == "=" {
		return line
	}
	return fmt.Sprintf("<redacted %d bytes>", len(line))
}

func (w *wireConn) setSecret(on bool) {
	w.mu.Lock()
	w.secret = on
	w.mu.Unlock()
}

// lastReply is the raw text of the reply read since our last write.
func (w *wireConn) lastReply() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reply.String()
}

// nextReply takes the oldest complete reply read since our last write and
// not yet taken.
func (w *wireConn) nextReply() (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) == 0 {
		return "", false
	}
	r := w.queue[0]
	w.queue = w.queue[1:]
	return r, true
}

// replyWithCode returns the latest complete reply with this code read
// since resetReplies.
func (w *wireConn) replyWithCode(code int) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	prefix := fmt.Sprintf("%03d", code)
	for i := len(w.replies) - 1; i >= 0; i-- {
		if strings.HasPrefix(w.replies[i], prefix) {
			return w.replies[i], true
		}
	}
	return "", false
}

// resetReplies starts a new phase's reply history.
func (w *wireConn) resetReplies() {
	w.mu.Lock()
	w.replies = nil
	w.mu.Unlock()
}

// event records a non-wire event ("TLS 1.3 established") in the transcript.
func (w *wireConn) event(format string, args ...any) {
	w.tr.Add(w.service, "*", fmt.Sprintf(format, args...))
}

// looksLikeTLS reports whether b starts like a TLS record (handshake or
// alert), which is what a server speaking implicit TLS sends.
func looksLikeTLS(b string) bool {
	return len(b) >= 2 && (b[0] == 0x16 || b[0] == 0x15) && b[1] == 0x03
}

// isEOF reports a connection closed by the peer, cleanly or mid-read.
func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
