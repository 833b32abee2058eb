package probe

import (
	"context"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"maps"
	"net"
	"strings"
	"testing"
	"time"
)

// envelopeServer is a plain-text SMTP server (no TLS, AUTH PLAIN) that
// answers each command from replies, or with Exchange's usual replies.
// With hold set it holds back its replies to MAIL FROM and RCPT TO until
// QUIT has arrived: a client that waits for the MAIL FROM reply before
// sending RCPT TO never gets one. It reports every line it received.
func envelopeServer(t *testing.T, pipelining, hold bool, replies map[string]string) (string, int, chan []string) {
	t.Helper()
	all := map[string]string{
		"EHLO": "250-mx.example\r\n250-AUTH PLAIN\r\n250 8BITMIME",
		"AUTH": "235 2.7.0 Authentication successful",
		"MAIL": "250 2.1.0 Sender OK",
		"RCPT": "250 2.1.5 Recipient OK",
		"QUIT": "221 2.0.0 Service closing transmission channel",
	}
	if pipelining {
		all["EHLO"] = "250-mx.example\r\n250-PIPELINING\r\n250-AUTH PLAIN\r\n250 8BITMIME"
	}
	maps.Copy(all, replies)
	addr, got := scriptedServerHolding(t, "220 mx.example ESMTP", all, func(key string) bool {
		return hold && (key == "MAIL" || key == "RCPT")
	})
	a, _ := net.ResolveTCPAddr("tcp", addr)
	return a.IP.String(), a.Port, got
}

func envelopeProbe(host string, port int) Config {
	return Config{
		Session: Session{
			Host: host, Port: port, Security: "none", AuthMethod: "basic",
			User: "scanner@example.com", Password: "pw-not-shown", PasswordSource: "test", PhaseTimeout: 5 * time.Second,
		},
		Mechanisms: []string{"PLAIN"}, Envelope: true,
	}
}

// TestEnvelopePipelined: where PIPELINING is offered, MAIL FROM, RCPT TO
// and QUIT go out before any of their replies (the server holds every
// reply until QUIT has come), each reply lands in its own phase, and no
// RSET, second EHLO or "*" is sent.
func TestEnvelopePipelined(t *testing.T) {
	host, port, got := envelopeServer(t, true, true, nil)
	r := SMTP(context.Background(), envelopeProbe(host, port))
	want := map[report.PhaseName]string{
		report.PhaseMailFrom: "250 2.1.0 Sender OK",
		report.PhaseRcptTo:   "250 2.1.5 Recipient OK",
		report.PhaseQuit:     "221 2.0.0 Service closing transmission channel",
	}
	for name, line := range want {
		ph, _ := r.Phase(name)
		if ph.Status != report.StatusOK || ph.Reply.Line() != line {
			t.Errorf("%s = %s %q (%s), want ok %q", name, ph.Status, ph.Reply.Line(), ph.Error, line)
		}
	}
	mail, _ := r.Phase(report.PhaseMailFrom)
	rcpt, _ := r.Phase(report.PhaseRcptTo)
	quit, _ := r.Phase(report.PhaseQuit)
	if !strings.Contains(mail.Note, "pipelined") || rcpt.Started != quit.Started || rcpt.Started < mail.Started || rcpt.Started > mail.Started+mail.Duration {
		t.Errorf("flight not recorded: mail %+v, rcpt started %v, quit started %v", mail, rcpt.Started, quit.Started)
	}
	lines := <-got
	wantLines := []string{"EHLO mfpcheck.local", "AUTH PLAIN", "MAIL FROM:<scanner@example.com>", "RCPT TO:<scanner@example.com>", "QUIT"}
	if len(lines) != len(wantLines) {
		t.Fatalf("server received %q, want %q", lines, wantLines)
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, wantLines[i]) {
			t.Errorf("line %d = %q, want %q", i, l, wantLines[i])
		}
	}
}

// TestEnvelopeLockStep: without PIPELINING each command waits for its
// reply, and QUIT follows RCPT TO directly (no RSET, no second EHLO).
func TestEnvelopeLockStep(t *testing.T) {
	host, port, got := envelopeServer(t, false, false, nil)
	r := SMTP(context.Background(), envelopeProbe(host, port))
	if ph, failed := r.FailedPhase(); failed {
		t.Fatalf("%s failed: %s", ph.Name, ph.Error)
	}
	mail, _ := r.Phase(report.PhaseMailFrom)
	rcpt, _ := r.Phase(report.PhaseRcptTo)
	if strings.Contains(mail.Note, "pipelined") || rcpt.Reply.Line() != "250 2.1.5 Recipient OK" {
		t.Errorf("mail %+v, rcpt %+v", mail, rcpt.Reply)
	}
	lines := <-got
	if n := len(lines); n != 5 || lines[3] != "RCPT TO:<scanner@example.com>" || lines[4] != "QUIT" {
		t.Errorf("server received %q", lines)
	}
}

// TestEnvelopePipelinedMailRefused: a refused MAIL FROM fails its phase
// with its own reply; RCPT TO is skipped although its reply (503) came,
// and QUIT still gets its 221.
func TestEnvelopePipelinedMailRefused(t *testing.T) {
	host, port, _ := envelopeServer(t, true, false, map[string]string{
		"MAIL": "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
		"RCPT": "503 5.5.1 Bad sequence of commands",
	})
	r := SMTP(context.Background(), envelopeProbe(host, port))
	mail, _ := r.Phase(report.PhaseMailFrom)
	rcpt, _ := r.Phase(report.PhaseRcptTo)
	quit, _ := r.Phase(report.PhaseQuit)
	if mail.Status != report.StatusFail || mail.ErrorKind != report.KindReply || mail.Reply.Enhanced != "5.7.60" {
		t.Errorf("mail_from = %+v", mail)
	}
	if rcpt.Status != report.StatusSkipped || rcpt.Reply != nil {
		t.Errorf("rcpt_to = %+v", rcpt)
	}
	if quit.Status != report.StatusOK || quit.Reply == nil || quit.Reply.Code != 221 {
		t.Errorf("quit = %+v", quit)
	}
}

// TestNoCancelAfterFinalAuthReply: a 535 ends the AUTH exchange; the
// client sends no "*" (go-smtp does, and the server answers 501), and the
// phase keeps the 535.
func TestNoCancelAfterFinalAuthReply(t *testing.T) {
	host, port, got := envelopeServer(t, true, false, map[string]string{
		"AUTH": "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully.",
		"*":    "501 5.5.2 Cannot decode response",
	})
	r := SMTP(context.Background(), envelopeProbe(host, port))
	auth, _ := r.Phase(report.PhaseAuth)
	if auth.Status != report.StatusFail || auth.Reply == nil || auth.Reply.Enhanced != "5.7.139" {
		t.Errorf("auth = %+v", auth)
	}
	lines := <-got
	if len(lines) != 3 || lines[2] != "QUIT" {
		t.Errorf("server received %q, want EHLO, AUTH, QUIT", lines)
	}
	for _, l := range r.Transcript {
		if strings.HasPrefix(l.Text, "501") || l.Text == "*" {
			t.Errorf("transcript has %q", l.Text)
		}
	}
}
