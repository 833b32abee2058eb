package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
)

// forward6 listens on [::1] and passes each connection on to addr, so a
// test can reach the simulator by an IPv6 literal.
func forward6(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Fatalf("IPv6 loopback is needed for this test: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, c)
				io.Copy(c, up)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestProbePOP3FromTheCommandLine: probe --pop3 HOST:PORT and probe
// pop3s://NAME (with --connect-to) check the POP3 server alone, with the
// user, token and CA given as flags; IPv6 literals work for POP3 and SMTP.
func TestProbePOP3FromTheCommandLine(t *testing.T) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir(), POP3: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	creds := []string{"--user", exosim.DeviceUser, "--token-file", sim.TokenFile(), "--ca", sim.CAFile()}
	_, popPort, _ := net.SplitHostPort(sim.POP3Addr())
	pop6 := forward6(t, sim.POP3Addr())
	smtp6 := forward6(t, sim.SMTPAddr())
	for _, c := range []struct {
		args   []string
		header string
	}{
		{[]string{"--pop3", sim.POP3Addr()}, "POP3 127.0.0.1:" + popPort + " tls"},
		{[]string{"pop3s://outlook.office365.com", "--connect-to", sim.POP3Addr()}, "POP3 outlook.office365.com:995 tls"},
		{[]string{"--pop3", pop6}, "POP3 [::1]:"},
	} {
		a := newTestApp(nil)
		code := a.runCLI(t, append(append([]string{"probe"}, c.args...), creds...)...)
		out := a.out.String()
		if code != ExitOK {
			t.Errorf("%v: exit %d\n%s%s", c.args, code, out, a.err)
			continue
		}
		if !strings.Contains(out, c.header) || !strings.Contains(out, "pop3_auth") {
			t.Errorf("%v: no %q:\n%s", c.args, c.header, out)
		}
		if strings.Contains(out, "  ehlo ") {
			t.Errorf("%v: SMTP was probed too:\n%s", c.args, out)
		}
	}

	a := newTestApp(nil)
	code := a.runCLI(t, append([]string{"probe", smtp6, "--json"}, creds...)...)
	r := a.report(t)
	if code != ExitOK || r.Target.Host != "::1" || r.TLS == nil || !r.TLS.Verified {
		t.Errorf("SMTP over IPv6: exit %d, target %+v, tls %+v\n%s", code, r.Target, r.TLS, a.err)
	}
	if ph, _ := r.Phase(report.PhaseConnect); !strings.HasPrefix(ph.Note, "[::1]:") {
		t.Errorf("connect note %q", ph.Note)
	}

	for _, bad := range [][]string{
		{"probe", "--pop3", sim.POP3Addr(), "smtp.office365.com"},
		{"probe", "imap://outlook.office365.com"},
		{"probe", "pop3s://outlook.office365.com", "--security", "starttls"},
	} {
		a := newTestApp(nil)
		if code := a.runCLI(t, append(bad, creds...)...); code != ExitError {
			t.Errorf("%v: exit %d, want 3", bad, code)
		}
	}
}
