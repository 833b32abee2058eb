package probe_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	hsrv "github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// Hostile-server tests: every run against a misbehaving server must end
// with the right failed phase, error kind and catalogue finding, within the
// configured timeouts plus a margin, in bounded memory, with a report free
// of control bytes and secrets, and with no goroutine left behind.
//
// The budgets are short so the suite stays fast; the time bounds derived
// from them are generous (whole phase budgets plus seconds of margin), as
// they must hold on a loaded CI machine.
const (
	hsPhaseTimeout = 300 * time.Millisecond
	hsTimeout      = 20 * hsPhaseTimeout
	hsDrip         = 100 * time.Millisecond
	hsUser         = exosim.DeviceUser
	// hsBudgets is how many phase budgets a failing run may spend: the
	// failing phase, QUIT and one spare.
	hsBudgets = 3
	hsMargin  = 2 * time.Second
	// hsHeapGrowth bounds heap growth during one run (the 10 MB EHLO must
	// not be buffered).
	hsHeapGrowth = 16 << 20
)

// hsToken is a JWT-shaped access token with the claims Exchange reads; the
// tests assert it never reaches the report.
var hsToken = exosim.MintJWT([]byte("hostile-test-key"), map[string]any{
	"aud": "https://outlook.office.com",
	"scp": "SMTP.Send POP.AccessAsUser.All",
	"upn": hsUser, "unique_name": hsUser,
	"tid": exosim.TenantID, "appid": exosim.ClientID, "ver": "1.0",
	"iat": time.Now().Add(-5 * time.Minute).Unix(),
	"nbf": time.Now().Add(-5 * time.Minute).Unix(),
	"exp": time.Now().Add(time.Hour).Unix(),
})

type hsCase struct {
	name  string
	start func(t *testing.T, pki *hsrv.PKI) *hsrv.Server
	// security is the probe's (default starttls).
	security report.Security
	// phase fails (or warns, with status warn) with kind, and the
	// diagnosis names the cause with finding in that phase.
	phase   report.PhaseName
	status  report.Status
	kind    report.ErrorKind
	finding string
	// verdict is the run's verdict when the phase fails (default fail;
	// warning for a transient 4xx reply, issue 11 section 3).
	verdict report.Verdict
	check   func(t *testing.T, r *report.Report)
}

func hsServer(f func() (*hsrv.Server, error)) func(*testing.T, *hsrv.PKI) *hsrv.Server {
	return func(t *testing.T, _ *hsrv.PKI) *hsrv.Server {
		t.Helper()
		s, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func hsTLSServer(kind hsrv.CertKind, f func(*tls.Config) (*hsrv.Server, error)) func(*testing.T, *hsrv.PKI) *hsrv.Server {
	return func(t *testing.T, pki *hsrv.PKI) *hsrv.Server {
		t.Helper()
		cfg, err := pki.TLSConfig(kind)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestHostileSMTP(t *testing.T) {
	pki, err := hsrv.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	cases := []hsCase{
		{name: "silent", start: hsServer(hsrv.Silent),
			phase: report.PhaseBanner, kind: report.KindTimeout, finding: "smtp.no_banner"},
		{name: "endless line", start: hsServer(hsrv.EndlessLine),
			phase: report.PhaseEHLO, kind: report.KindTooLong, finding: "smtp.too_long"},
		{name: "drip banner", start: hsServer(func() (*hsrv.Server, error) { return hsrv.Drip(hsDrip) }),
			phase: report.PhaseBanner, kind: report.KindTimeout, finding: "smtp.no_banner",
			check: func(t *testing.T, r *report.Report) {
				// The budget is one deadline for the phase, not per read:
				// bytes arriving every 100 ms do not keep it alive.
				b, _ := r.Phase(report.PhaseBanner)
				if b.Duration.D() > hsPhaseTimeout+hsMargin {
					t.Errorf("banner took %s with a %s budget", b.Duration.D(), hsPhaseTimeout)
				}
			}},
		{name: "drip replies", start: hsServer(func() (*hsrv.Server, error) { return hsrv.DripReplies(hsDrip) }),
			phase: report.PhaseEHLO, kind: report.KindTimeout, finding: "net.timeout"},
		{name: "close after STARTTLS 220", start: hsServer(hsrv.CloseAfterStartTLS),
			phase: report.PhaseTLS, kind: report.KindClosed, finding: "net.closed"},
		{name: "garbage instead of TLS", start: hsServer(hsrv.GarbageAfterStartTLS),
			phase: report.PhaseTLS, kind: report.KindNotTLS, finding: "net.tls_garbage"},
		{name: "implicit TLS probed with STARTTLS", start: hsTLSServer(hsrv.CertGood, hsrv.ImplicitTLS),
			phase: report.PhaseBanner, kind: report.KindTLSOnPlain, finding: "tls.starttls_on_implicit_port"},
		{name: "plain SMTP probed with implicit TLS", start: hsServer(hsrv.PlainSMTP), security: "tls",
			phase: report.PhaseTLS, kind: report.KindNotTLS, finding: "tls.implicit_on_starttls_port"},
		{name: "10 MB EHLO reply", start: hsServer(func() (*hsrv.Server, error) { return hsrv.HugeEHLO(10<<20, false) }),
			phase: report.PhaseEHLO, kind: report.KindTooLong, finding: "smtp.too_long"},
		{name: "10 MB EHLO line", start: hsServer(func() (*hsrv.Server, error) { return hsrv.HugeEHLO(10<<20, true) }),
			phase: report.PhaseEHLO, kind: report.KindTooLong, finding: "smtp.too_long"},
		{name: "NUL and control bytes", start: hsServer(hsrv.Binary),
			// 454 4.7.0 is a temporary refusal: a warning, "try again". The
			// greeting is not Exchange Online's, so the reading is the
			// reply class's, never Exchange Online's own entry.
			phase: report.PhaseStartTLS, kind: report.KindReply, finding: "generic.transient", verdict: report.VerdictWarning,
			check: func(t *testing.T, r *report.Report) {
				st, _ := r.Phase(report.PhaseStartTLS)
				if st.Reply == nil || st.Reply.Code != 454 || st.Reply.Enhanced != "4.7.0" {
					t.Errorf("starttls reply %+v", st.Reply)
				}
				b, _ := r.Phase(report.PhaseBanner)
				if b.Reply == nil || !strings.Contains(b.Reply.Text, "ESMTP") {
					t.Errorf("banner reply %+v", b.Reply)
				}
			}},
		{name: "multi-line reply with mismatched codes", start: hsServer(hsrv.Mismatched),
			phase: report.PhaseEHLO, kind: report.KindProtocol, finding: "smtp.protocol_error"},
		{name: "expired certificate", start: hsTLSServer(hsrv.CertExpired, hsrv.STARTTLS),
			phase: report.PhaseTLS, kind: report.KindCertExpired, finding: "tls.cert_expired"},
		{name: "not yet valid certificate", start: hsTLSServer(hsrv.CertNotYetValid, hsrv.STARTTLS),
			phase: report.PhaseTLS, kind: report.KindCertNotYetValid, finding: "tls.cert_not_yet_valid"},
		{name: "self-signed certificate", start: hsTLSServer(hsrv.CertSelfSigned, hsrv.STARTTLS),
			phase: report.PhaseTLS, kind: report.KindCertUntrusted, finding: "tls.cert_untrusted"},
		{name: "wrong host certificate", start: hsTLSServer(hsrv.CertWrongHost, hsrv.STARTTLS),
			phase: report.PhaseTLS, kind: report.KindCertHost, finding: "tls.cert_host"},
		{name: "RSA 1024 certificate", start: hsTLSServer(hsrv.CertWeakRSA, hsrv.STARTTLS),
			phase: report.PhaseTLS, kind: report.KindCertWeakKey, finding: "tls.cert_weak_key"},
		{name: "TLS 1.0 only", start: func(t *testing.T, pki *hsrv.PKI) *hsrv.Server {
			cert, err := pki.Leaf(hsrv.CertGood)
			if err != nil {
				t.Fatal(err)
			}
			s, err := hsrv.TLS10Only(cert)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, phase: report.PhaseTLS, status: report.StatusWarn, finding: "tls.legacy_version",
			check: func(t *testing.T, r *report.Report) {
				if r.TLS == nil || r.TLS.Version != "TLS 1.0" {
					t.Errorf("TLS %+v", r.TLS)
				}
				// The session works, but Exchange Online refuses TLS 1.0:
				// the catalogue rates tls.legacy_version an error.
				if r.Verdict == report.VerdictOK {
					t.Errorf("verdict ok on TLS 1.0")
				}
				if a, _ := r.Phase(report.PhaseAuth); a.Status != report.StatusOK {
					t.Errorf("auth %+v", a)
				}
			}},
		{name: "reset during AUTH", start: hsTLSServer(hsrv.CertGood, hsrv.ResetDuringAuth),
			phase: report.PhaseAuth, kind: report.KindReset, finding: "net.reset"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := c.start(t, pki)
			closed := false
			defer func() {
				if !closed {
					srv.Close()
				}
			}()
			pc := probe.Config{
				Session: probe.Session{
					Host: srv.Host(), Port: srv.Port(), Security: c.security,
					VerifyCert: true, Roots: pki.Pool(), RootsName: "hostile test CA",
					AuthMethod: "oauth2", User: hsUser, Token: hsToken, TokenSource: "test",
					Timeout: hsTimeout, PhaseTimeout: hsPhaseTimeout,
				},
			}
			if pc.Security == "" {
				pc.Security = "starttls"
			}
			var r *report.Report
			elapsed, heap := hsMeasure(t, func() {
				r = check.Run(context.Background(), check.Config{Probe: pc, Lang: "en"})
			}, func() { srv.Close(); closed = true })

			status := c.status
			if status == "" {
				status = report.StatusFail
			}
			ph, ok := r.Phase(c.phase)
			if !ok || ph.Status != status || ph.ErrorKind != c.kind {
				t.Errorf("%s = %s kind %q (%s), want %s kind %q\n%s", c.phase, ph.Status, ph.ErrorKind, ph.Error, status, c.kind, hsPhases(r))
			}
			if status == report.StatusFail {
				if first, _ := r.FailedPhase(); first.Name != c.phase {
					t.Errorf("first failed phase %s, want %s", first.Name, c.phase)
				}
				want := c.verdict
				if want == "" {
					want = report.VerdictFail
				}
				if r.Verdict != want {
					t.Errorf("verdict %s, want %s", r.Verdict, want)
				}
				hsSkippedAfter(t, r, c.phase)
			}
			hsFinding(t, r, c.finding, c.phase)
			if limit := hsBudgets*hsPhaseTimeout + hsMargin; elapsed > limit {
				t.Errorf("run took %s, more than %d phase budgets of %s plus %s", elapsed, hsBudgets, hsPhaseTimeout, hsMargin)
			}
			if heap > hsHeapGrowth {
				t.Errorf("heap grew by %d bytes during the run", heap)
			}
			hsClean(t, r)
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// TestHostilePOP3 runs the POP3 side of check.Run against hostile POP3
// servers, next to a well-behaved SMTP server.
func TestHostilePOP3(t *testing.T) {
	pki, err := hsrv.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name           string
		start          func() (*hsrv.Server, error)
		phase          report.PhaseName
		kind           report.ErrorKind
		finding        string
		budgetsAtLeast int
	}{
		{"silent", hsrv.Silent, report.PhasePOP3Banner, report.KindTimeout, "smtp.no_banner", 1},
		{"endless CAPA line", hsrv.POP3EndlessCAPA, report.PhasePOP3CAPA, report.KindTooLong, "smtp.too_long", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			good, err := pki.TLSConfig(hsrv.CertGood)
			if err != nil {
				t.Fatal(err)
			}
			smtpSrv, err := hsrv.STARTTLS(good)
			if err != nil {
				t.Fatal(err)
			}
			popSrv, err := c.start()
			if err != nil {
				t.Fatal(err)
			}
			stop := func() { smtpSrv.Close(); popSrv.Close() }
			defer stop()
			cfg := check.Config{
				Probe: probe.Config{
					Session: probe.Session{
						Host: smtpSrv.Host(), Port: smtpSrv.Port(), Security: "starttls",
						VerifyCert: true, Roots: pki.Pool(), RootsName: "hostile test CA",
						AuthMethod: "oauth2", User: hsUser, Token: hsToken, TokenSource: "test",
						Timeout: hsTimeout, PhaseTimeout: hsPhaseTimeout,
					},
				},
				POP3: &probe.POP3Config{
					Session: probe.Session{
						Host: popSrv.Host(), Port: popSrv.Port(), Security: "starttls", VerifyCert: true,
						AuthMethod: "oauth2", User: hsUser, Token: hsToken, TokenSource: "test",
					},
				},
				Lang: "en",
			}
			var r *report.Report
			elapsed, heap := hsMeasure(t, func() { r = check.Run(context.Background(), cfg) }, stop)
			if r.POP3 == nil {
				t.Fatal("no POP3 report")
			}
			ph, _ := r.Phase(c.phase)
			if ph.Status != report.StatusFail || ph.ErrorKind != c.kind {
				t.Errorf("%s = %+v", c.phase, ph)
			}
			hsFinding(t, r, c.finding, c.phase)
			if first, ok := r.FailedPhase(); ok {
				t.Errorf("SMTP phase %s failed next to a hostile POP3 server: %s", first.Name, first.Error)
			}
			if limit := hsBudgets*hsPhaseTimeout + hsMargin; elapsed > limit {
				t.Errorf("run took %s", elapsed)
			}
			if heap > hsHeapGrowth {
				t.Errorf("heap grew by %d bytes", heap)
			}
			hsClean(t, r)
		})
	}
}

// hsMeasure runs fn, then stop (closing the servers), and returns fn's
// wall time and the heap growth during it. It fails the test when
// goroutines are left running once everything is closed.
func hsMeasure(t *testing.T, fn, stop func()) (time.Duration, uint64) {
	t.Helper()
	runtime.GC()
	before := runtime.NumGoroutine()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	fn()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	stop()
	var growth uint64
	if m1.HeapAlloc > m0.HeapAlloc {
		growth = m1.HeapAlloc - m0.HeapAlloc
	}
	t.Logf("run %s, heap +%d KiB, allocated %d KiB", elapsed.Round(time.Millisecond), growth>>10, (m1.TotalAlloc-m0.TotalAlloc)>>10)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines left: %d, %d before\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
	return elapsed, growth
}

func hsPhases(r *report.Report) string {
	var b strings.Builder
	for _, p := range r.Phases {
		fmt.Fprintf(&b, "  %s %s %s %s\n", p.Name, p.Status, p.ErrorKind, p.Error)
	}
	return b.String()
}

// hsSkippedAfter: every phase after the failed one is skipped with a reason.
func hsSkippedAfter(t *testing.T, r *report.Report, failed report.PhaseName) {
	t.Helper()
	after := false
	for _, p := range r.Phases {
		if p.Name == report.PhaseQuit && p.Status != report.StatusFail {
			continue // QUIT still runs when the session survived
		}
		if after && (p.Status != report.StatusSkipped || p.Note == "") {
			t.Errorf("%s after the failed %s: %s %q", p.Name, failed, p.Status, p.Note)
		}
		if p.Name == failed {
			after = true
		}
	}
}

func hsFinding(t *testing.T, r *report.Report, id string, phase report.PhaseName) {
	t.Helper()
	var ids []string
	for _, f := range r.Findings {
		if f.ID == id && (f.Phase == phase || f.Phase == "") {
			if f.Title == "" || f.Cause == "" {
				t.Errorf("finding %s has no title or cause", id)
			}
			return
		}
		ids = append(ids, f.ID+"@"+string(f.Phase))
	}
	t.Errorf("no finding %s for %s; findings: %v", id, phase, ids)
}

// hsClean: no control bytes or invalid UTF-8 anywhere a renderer prints
// from, and no secret anywhere in the report.
func hsClean(t *testing.T, r *report.Report) {
	t.Helper()
	bad := func(where, s string, allowNL bool) {
		if !utf8.ValidString(s) {
			t.Errorf("%s: invalid UTF-8 %q", where, s)
			return
		}
		for _, c := range s {
			if (c < 0x20 && !(allowNL && c == '\n')) || c == 0x7f {
				t.Errorf("%s: control byte %#x in %q", where, c, s)
				return
			}
		}
	}
	for _, l := range r.Transcript {
		bad("transcript", l.Text, false)
	}
	phases := append([]report.Phase(nil), r.Phases...)
	if r.POP3 != nil {
		phases = append(phases, r.POP3.Phases...)
	}
	for _, p := range phases {
		bad(string(p.Name)+" error", p.Error, false)
		bad(string(p.Name)+" note", p.Note, false)
		for _, c := range p.Capabilities {
			bad(string(p.Name)+" capability", c, false)
		}
		if p.Reply != nil {
			bad(string(p.Name)+" reply", p.Reply.Text, true)
			bad(string(p.Name)+" reply line", p.Reply.Line(), true)
		}
	}
	for _, f := range r.Findings {
		for _, e := range f.Evidence {
			bad("evidence of "+f.ID, e, true)
		}
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	blob := probe.XOAUTH2Blob(hsUser, hsToken)
	for _, secret := range []string{hsToken, hsToken[len(hsToken)-20:], blob, blob[20:60]} {
		if strings.Contains(string(js), secret) {
			t.Fatalf("report leaks a secret (%d bytes)", len(secret))
		}
	}
	if strings.Contains(string(js), `\u0000`) {
		t.Errorf("report JSON holds a NUL")
	}
}

// TestHostilePOP3Binary: a POP3 server's NUL, escape and non-UTF-8 bytes
// must not reach the report (Transcript.Add, ParsePOP3Reply and the CAPA
// reader sanitize).
func TestHostilePOP3Binary(t *testing.T) {
	srv, err := hsrv.Start(func(c *hsrv.Conn) {
		c.Send("+OK h\x00st\x1b[2J \xff\xfe ready\x7f\r\n")
		c.Hold()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tr := redact.NewTranscript(time.Now(), &redact.Redactor{})
	pr := probe.POP3(context.Background(), probe.POP3Config{
		Session: probe.Session{Host: srv.Host(), Port: srv.Port(), Security: "starttls",
			AuthMethod: "none", PhaseTimeout: hsPhaseTimeout, Transcript: tr,
		},
	})
	hsClean(t, &report.Report{POP3: pr, Transcript: tr.Lines()})
}
