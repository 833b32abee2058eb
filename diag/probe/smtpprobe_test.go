package probe

import (
	"bufio"
	"context"
	"encoding/base64"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
	"net"
	"strings"
	"testing"
	"time"
)

// scriptedServer answers each line it reads with the next scripted reply
// (a real TCP peer on loopback). It records what it received.
func scriptedServer(t *testing.T, banner string, replies map[string]string) (addr string, got chan []string) {
	t.Helper()
	return scriptedServerHolding(t, banner, replies, nil)
}

// scriptedServerHolding is scriptedServer that, while hold(key) is true
// for the command just answered, keeps its reply in the buffer: it goes
// out with the next reply that is not held.
func scriptedServerHolding(t *testing.T, banner string, replies map[string]string, hold func(key string) bool) (addr string, got chan []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		var lines []string
		defer func() { got <- lines }()
		w := bufio.NewWriter(c)
		w.WriteString(banner + "\r\n")
		w.Flush()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			lines = append(lines, line)
			key := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
			if strings.HasPrefix(line, "AUTH XOAUTH2 ") {
				key = "AUTH XOAUTH2"
			}
			if line == "" {
				key = "<empty>"
			}
			reply, ok := replies[key]
			if !ok {
				reply = "500 5.5.1 unexpected"
			}
			w.WriteString(reply + "\r\n")
			if hold == nil || !hold(key) {
				w.Flush()
			}
			if key == "QUIT" {
				return
			}
		}
	}()
	return ln.Addr().String(), got
}

// TestXOAUTH2ChallengeAnsweredWithEmptyLine: a server that answers a bad
// token with a 334 JSON challenge (Google, Dovecot) gets an empty line, and
// the decoded challenge lands in the report; the token never does.
func TestXOAUTH2ChallengeAnsweredWithEmptyLine(t *testing.T) {
	challenge := `{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`
	addr, got := scriptedServer(t, "220 mx.example ESMTP", map[string]string{
		"EHLO":         "250-mx.example\r\n250-AUTH XOAUTH2 PLAIN\r\n250 8BITMIME",
		"AUTH XOAUTH2": "334 " + base64.StdEncoding.EncodeToString([]byte(challenge)),
		"<empty>":      "535 5.7.8 Username and Password not accepted",
		"*":            "501 5.0.0 cancelled",
		"QUIT":         "221 2.0.0 bye",
	})
	host, port, _ := net.SplitHostPort(addr)
	token := "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ"
	r := SMTP(context.Background(), Config{
		Session: Session{
			Host: host, Port: atoi(port), Security: "none", AuthMethod: "oauth2",
			User: "scanner@example.com", Token: token, TokenSource: "test",
			PhaseTimeout: 5 * time.Second,
		},
	})
	auth, _ := r.Phase(report.PhaseAuth)
	if auth.Status != report.StatusFail || auth.Reply == nil || auth.Reply.Code != 535 || auth.Reply.Enhanced != "5.7.8" {
		t.Fatalf("auth phase = %+v reply %+v", auth, auth.Reply)
	}
	if auth.Challenge != challenge {
		t.Errorf("challenge = %q, want %q", auth.Challenge, challenge)
	}
	lines := <-got
	sawEmpty := false
	for _, l := range lines {
		if l == "" {
			sawEmpty = true
		}
	}
	if !sawEmpty {
		t.Errorf("the client did not answer the challenge with an empty line: %q", lines)
	}
	// The server did receive the real blob …
	blob := XOAUTH2Blob("scanner@example.com", token)
	if !strings.Contains(strings.Join(lines, "\n"), blob) {
		t.Errorf("server never received the XOAUTH2 blob")
	}
	// … and the transcript holds none of it.
	for _, l := range r.Transcript {
		if strings.Contains(l.Text, token[10:30]) || strings.Contains(l.Text, blob[10:40]) {
			t.Fatalf("transcript leaks the token: %q", l.Text)
		}
	}
	if r.Auth == nil || r.Auth.SecretFingerprint != redact.Fingerprint(token) {
		t.Errorf("auth info = %+v", r.Auth)
	}
}

func TestRefusedPortFailsAtConnect(t *testing.T) {
	r := SMTP(context.Background(), Config{Session: Session{Host: "127.0.0.1", Port: testtool.RefusedPort(t), AuthMethod: "none", PhaseTimeout: 2 * time.Second}})
	c, _ := r.Phase(report.PhaseConnect)
	if c.Status != report.StatusFail || c.ErrorKind != report.KindRefused {
		t.Fatalf("connect = %+v", c)
	}
	for _, p := range r.Phases[2:] {
		if p.Status != report.StatusSkipped || p.Note == "" {
			t.Errorf("%s after a failed connect: %+v", p.Name, p)
		}
	}
}

func TestNotAnSMTPServer(t *testing.T) {
	addr, _ := scriptedServer(t, "HTTP/1.1 400 Bad Request", map[string]string{})
	host, port, _ := net.SplitHostPort(addr)
	r := SMTP(context.Background(), Config{Session: Session{Host: host, Port: atoi(port), AuthMethod: "none", PhaseTimeout: 2 * time.Second}})
	b, _ := r.Phase(report.PhaseBanner)
	if b.Status != report.StatusFail || b.ErrorKind != report.KindProtocol {
		t.Fatalf("banner = %+v", b)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// FuzzEHLOCapabilities: any EHLO reply the wire can carry yields a
// capability list without a panic, and AUTH mechanisms are only ever read
// from an AUTH line.
func FuzzEHLOCapabilities(f *testing.F) {
	f.Add("250-SIM01CA0001.outlook.office365.com Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-AUTH LOGIN XOAUTH2\r\n250 SMTPUTF8\r\n")
	f.Add("250-x\r\n250-AUTH\r\n250 STARTTLS\r\n")
	f.Add("250 only-greeting\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		r, ok := report.ParseReplyLines(raw)
		if !ok {
			return
		}
		caps := capabilities(r)
		p := &prober{caps: caps}
		mechs, has := p.offeredMechanisms()
		if !has && len(mechs) > 0 {
			t.Fatalf("mechanisms %v without an AUTH line", mechs)
		}
		for _, m := range mechs {
			if m != strings.ToUpper(m) || strings.ContainsAny(m, " \r\n") {
				t.Fatalf("mechanism %q not normalised", m)
			}
		}
	})
}

// FuzzXOAUTH2Challenge: whatever a server sends as a 334 challenge, the
// client answers with an empty line and keeps a printable copy.
func FuzzXOAUTH2Challenge(f *testing.F) {
	f.Add([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`))
	f.Add([]byte("\x00\xff\x1b[2J"))
	f.Fuzz(func(t *testing.T, challenge []byte) {
		var got string
		c := &XOAUTH2Client{User: "u@example.com", Token: "tok", OnChallenge: func(s string) { got = redact.SafePrefix(s, 500) }}
		resp, err := c.Next(challenge)
		if err != nil || resp == nil || len(resp) != 0 {
			t.Fatalf("answer %q, %v; want an empty line", resp, err)
		}
		for _, r := range got {
			if r < 0x20 && r != '\n' {
				t.Fatalf("control character kept: %q", got)
			}
		}
	})
}
