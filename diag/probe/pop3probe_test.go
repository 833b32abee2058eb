package probe_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/pop3sim"
)

// testPKI makes a CA and a server certificate for outlook.office365.com.
func testPKI(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mfpcheck test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "outlook.office365.com"},
		DNSNames:  []string{"outlook.office365.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(200 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der, caDER}, PrivateKey: key}}}, pool
}

const (
	goodToken = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnbmF0dXJlLWdvb2Q"
	badToken  = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLWJhZA"
	user      = "scan@contoso.example"
)

func startSim(t *testing.T) (*pop3sim.Server, *x509.CertPool) {
	t.Helper()
	conf, pool := testPKI(t)
	sim, err := pop3sim.Start(pop3sim.Options{TLS: conf, ReadTimeout: 5 * time.Second,
		Validate: func(u, tok string) bool { return u == user && tok == goodToken }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim, pool
}

func port(t *testing.T, addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func baseConfig(t *testing.T, addr string, pool *x509.CertPool, security report.Security) (probe.POP3Config, *redact.Transcript) {
	red := &redact.Redactor{}
	tr := redact.NewTranscript(time.Now(), red)
	return probe.POP3Config{
		Session: probe.Session{
			Host: "127.0.0.1", Port: port(t, addr), Security: security, ServerName: "outlook.office365.com",
			VerifyCert: true, Roots: pool, RootsName: "test CA", AuthMethod: "oauth2", User: user,
			Token: goodToken, TokenSource: "file test.json", PhaseTimeout: 5 * time.Second,
			Redactor: red, Transcript: tr,
		},
	}, tr
}

func phases(r *report.POP3Report) []string {
	var out []string
	for _, p := range r.Phases {
		out = append(out, string(p.Name)+":"+string(p.Status))
	}
	return out
}

func assertNoSecret(t *testing.T, tr *redact.Transcript, secrets ...string) {
	t.Helper()
	var all strings.Builder
	for _, l := range tr.Lines() {
		all.WriteString(l.Text + "\n")
	}
	for _, s := range secrets {
		for i := 0; i+9 <= len(s); i++ {
			if strings.Contains(all.String(), s[i:i+9]) {
				t.Fatalf("transcript holds part of a secret: %q", s[i:i+9])
			}
		}
	}
}

func TestPOP3ImplicitTLS(t *testing.T) {
	sim, pool := startSim(t)
	cfg, tr := baseConfig(t, sim.TLSAddr, pool, "tls")
	progress := make(chan report.Phase, 100)
	cfg.Progress = progress
	r := probe.POP3(context.Background(), cfg)
	want := []string{"pop3_dns:ok", "pop3_connect:ok", "pop3_stls:skipped", "pop3_tls:ok", "pop3_banner:ok", "pop3_capa:ok", "pop3_auth:ok", "pop3_quit:ok"}
	if got := phases(r); !slices.Equal(got, want) {
		t.Fatalf("phases %v\nwant %v", got, want)
	}
	banner, _ := (&report.Report{POP3: r}).Phase(report.PhasePOP3Banner)
	if banner.Reply.POP3 != "+OK" || banner.Reply.Trailer == nil || banner.Reply.Trailer.Host != "SIM01CA0001.EURPRD01.PROD.OUTLOOK.COM" {
		t.Errorf("banner %+v", banner.Reply)
	}
	capa, _ := (&report.Report{POP3: r}).Phase(report.PhasePOP3CAPA)
	if !slices.Equal(capa.Capabilities, []string{"TOP", "UIDL", "SASL PLAIN XOAUTH2", "USER"}) {
		t.Errorf("capa %v", capa.Capabilities)
	}
	auth, _ := (&report.Report{POP3: r}).Phase(report.PhasePOP3Auth)
	if auth.Reply.Line() != "+OK User successfully authenticated." || !r.Auth.OK || r.Auth.Mechanism != "XOAUTH2" ||
		r.Auth.SecretFingerprint != redact.Fingerprint(goodToken) {
		t.Errorf("auth %+v %+v", auth.Reply, r.Auth)
	}
	quit, _ := (&report.Report{POP3: r}).Phase(report.PhasePOP3Quit)
	if quit.Reply.Text != "Microsoft Exchange Server POP3 server signing off." {
		t.Errorf("quit %+v", quit.Reply)
	}
	if r.TLS == nil || !r.TLS.Verified || !r.TLS.HostMatch || !r.TLS.Implicit || r.TLS.Roots != "test CA" {
		t.Errorf("tls %+v", r.TLS)
	}
	// The two-line form: AUTH XOAUTH2 alone, then the blob on its own line.
	lines := tr.Lines()
	var sent []string
	for _, l := range lines {
		if l.Service != "pop3" {
			t.Errorf("line without service pop3: %+v", l)
		}
		if l.Dir == ">" {
			sent = append(sent, l.Text)
		}
	}
	if len(sent) < 3 || sent[1] != "AUTH XOAUTH2" || !strings.HasPrefix(sent[2], "<XOAUTH2 response: user=scan@contoso.example") {
		t.Errorf("sent %q", sent)
	}
	assertNoSecret(t, tr, goodToken)
	close(progress)
	n := 0
	for range progress {
		n++
	}
	if n < len(want) {
		t.Errorf("%d progress events", n)
	}
}

func TestPOP3STLS(t *testing.T) {
	sim, pool := startSim(t)
	cfg, tr := baseConfig(t, sim.PlainAddr, pool, "starttls")
	r := probe.POP3(context.Background(), cfg)
	want := []string{"pop3_dns:ok", "pop3_connect:ok", "pop3_banner:ok", "pop3_capa:ok", "pop3_stls:ok", "pop3_tls:ok", "pop3_capa:ok", "pop3_auth:ok", "pop3_quit:ok"}
	if got := phases(r); !slices.Equal(got, want) {
		t.Fatalf("phases %v", got)
	}
	if c := r.Phases[3].Capabilities; !slices.Equal(c, []string{"TOP", "UIDL", "STLS"}) || r.Phases[3].Note != "before TLS" {
		t.Errorf("capa before TLS %v", c)
	}
	if c := r.Phases[6].Capabilities; !slices.Contains(c, "SASL PLAIN XOAUTH2") || r.Phases[6].Note != "after TLS" {
		t.Errorf("capa after TLS %v", c)
	}
	if r.Phases[4].Reply.Line() != "+OK Begin TLS negotiation." || r.TLS.Implicit {
		t.Errorf("stls %+v", r.Phases[4].Reply)
	}
	assertNoSecret(t, tr, goodToken)
}

func TestPOP3BadToken(t *testing.T) {
	sim, pool := startSim(t)
	cfg, tr := baseConfig(t, sim.TLSAddr, pool, "tls")
	cfg.Token = badToken
	r := probe.POP3(context.Background(), cfg)
	auth := r.Phases[6]
	if auth.Name != report.PhasePOP3Auth || auth.Status != report.StatusFail || auth.ErrorKind != report.KindReply ||
		auth.Reply == nil || auth.Reply.Line() != "-ERR Authentication failure: unknown user name or bad password." || r.Auth.OK {
		t.Fatalf("auth %+v", auth)
	}
	quit := r.Phases[7]
	if quit.Status != report.StatusSkipped || quit.Note != "pop3_auth failed" {
		t.Errorf("quit %+v", quit)
	}
	assertNoSecret(t, tr, badToken)
	if strings.Contains(auth.Error, badToken[:20]) {
		t.Errorf("error shows the token")
	}
}

func TestPOP3Basic(t *testing.T) {
	sim, pool := startSim(t)
	cfg, tr := baseConfig(t, sim.TLSAddr, pool, "tls")
	cfg.AuthMethod, cfg.Token, cfg.Password = "basic", "", "Winter2026!secret"
	r := probe.POP3(context.Background(), cfg)
	auth := r.Phases[6]
	if auth.Status != report.StatusFail || auth.Reply.Line() != "-ERR Logon failure: unknown user name or bad password." {
		t.Fatalf("auth %+v", auth)
	}
	assertNoSecret(t, tr, cfg.Password)
	found := false
	for _, l := range tr.Lines() {
		if strings.HasPrefix(l.Text, "PASS <redacted sha256:") {
			found = true
		}
	}
	if !found {
		t.Error("PASS line not recorded as redacted")
	}
}

func TestPOP3UnknownCA(t *testing.T) {
	sim, _ := startSim(t)
	_, otherPool := testPKI(t)
	for _, sec := range []report.Security{"tls", "starttls"} {
		cfg, _ := baseConfig(t, map[report.Security]string{"tls": sim.TLSAddr, "starttls": sim.PlainAddr}[sec], otherPool, sec)
		r := probe.POP3(context.Background(), cfg)
		rep := &report.Report{POP3: r}
		tp, _ := rep.Phase(report.PhasePOP3TLS)
		if tp.Status != report.StatusFail || tp.ErrorKind != report.KindCertUntrusted || r.TLS == nil || r.TLS.Verified {
			t.Errorf("%s: tls %+v", sec, tp)
		}
		ap, _ := rep.Phase(report.PhasePOP3Auth)
		if ap.Status != report.StatusSkipped || ap.Note != "pop3_tls failed" {
			t.Errorf("%s: auth %+v", sec, ap)
		}
	}
	// With certificate checks off (a device set so) the session goes on,
	// and the TLS phase warns.
	cfg, _ := baseConfig(t, sim.TLSAddr, otherPool, "tls")
	cfg.VerifyCert = false
	r := probe.POP3(context.Background(), cfg)
	if r.Phases[3].Status != report.StatusWarn || r.Phases[6].Status != report.StatusOK {
		t.Errorf("verify off: %v", phases(r))
	}
}

// hostile runs a one-connection plain server that sends script, then
// reads until closed.
func hostile(t *testing.T, script func(w *bufio.Writer, r *bufio.Reader)) int {
	return serveOnce(t, func(c net.Conn) {
		defer c.Close()
		w := bufio.NewWriter(c)
		script(w, bufio.NewReader(c))
		w.Flush()
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		bufio.NewReader(c).ReadString(0)
	})
}

// hostileThenClose serves one connection: data, then close.
func hostileThenClose(t *testing.T, data []byte) int {
	return serveOnce(t, func(c net.Conn) {
		c.Write(data)
		c.Close()
	})
}

// serveOnce listens on loopback, hands the first connection to serve and
// returns the port.
func serveOnce(t *testing.T, serve func(net.Conn)) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		serve(c)
	}()
	return port(t, l.Addr().String())
}

func TestPOP3Hostile(t *testing.T) {
	cases := []struct {
		name   string
		script func(w *bufio.Writer, r *bufio.Reader)
		phase  report.PhaseName
		kind   report.ErrorKind
	}{
		{"long banner", func(w *bufio.Writer, r *bufio.Reader) {
			w.WriteString("+OK " + strings.Repeat("x", 100000) + "\r\n")
		}, report.PhasePOP3Banner, report.KindTooLong},
		{"endless capa", func(w *bufio.Writer, r *bufio.Reader) {
			w.WriteString("+OK hi\r\n")
			w.Flush()
			r.ReadString('\n')
			w.WriteString("+OK\r\n")
			for i := 0; i < 5000; i++ {
				w.WriteString("CAP" + strconv.Itoa(i) + "\r\n")
			}
		}, report.PhasePOP3CAPA, report.KindTooLong},
		{"not pop3", func(w *bufio.Writer, r *bufio.Reader) {
			w.WriteString("220 smtp.example ESMTP\r\n")
		}, report.PhasePOP3Banner, report.KindProtocol},
		{"silent", func(w *bufio.Writer, r *bufio.Reader) {}, report.PhasePOP3Banner, report.KindTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := hostile(t, c.script)
			r := probe.POP3(context.Background(), probe.POP3Config{
				Session: probe.Session{Host: "127.0.0.1", Port: p, Security: "starttls",
					AuthMethod: "oauth2", User: user, Token: goodToken, PhaseTimeout: 300 * time.Millisecond,
				},
			})
			ph, _ := (&report.Report{POP3: r}).Phase(c.phase)
			if ph.Status != report.StatusFail || ph.ErrorKind != c.kind {
				t.Errorf("%s: %+v", c.phase, ph)
			}
			if last := r.Phases[len(r.Phases)-1]; last.Status != report.StatusSkipped {
				t.Errorf("last phase %+v", last)
			}
		})
	}
}

func TestPOP3Canceled(t *testing.T) {
	p := hostile(t, func(w *bufio.Writer, r *bufio.Reader) {})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	r := probe.POP3(ctx, probe.POP3Config{Session: probe.Session{Host: "127.0.0.1", Port: p, Security: "none", AuthMethod: "none", PhaseTimeout: 10 * time.Second}})
	ph, _ := (&report.Report{POP3: r}).Phase(report.PhasePOP3Banner)
	if ph.Status != report.StatusFail || ph.ErrorKind != report.KindCanceled {
		t.Errorf("banner %+v", ph)
	}
}

func FuzzPOP3Reply(f *testing.F) {
	f.Add("+OK The Microsoft Exchange POP3 service is ready. [UwBJAE0AMAAxAEMAQQAwADAAMAAxAC4ARQBVAFIAUABSAEQAMAAxAC4AUABSAE8ARAAuAE8AVQBUAEwATwBPAEsALgBDAE8ATQA=]")
	f.Add("-ERR Authentication failure: unknown user name or bad password.")
	f.Add("+ eyJzdGF0dXMiOiI0MDEifQ==")
	f.Add("+ok")
	f.Fuzz(func(t *testing.T, line string) {
		r, err := probe.ParsePOP3Reply(line)
		if err == nil && r.POP3 != "+OK" && r.POP3 != "-ERR" && r.POP3 != "+" {
			t.Errorf("status %q", r.POP3)
		}
	})
}

// FuzzPOP3Session feeds arbitrary server bytes to the probe over loopback:
// it must never panic or hang past its budget.
func FuzzPOP3Session(f *testing.F) {
	f.Add([]byte("+OK hi\r\n+OK\r\nTOP\r\nSTLS\r\n.\r\n-ERR no\r\n"))
	f.Add([]byte("+OK\r\n+OK\r\n..x\r\n.\r\n+OK Begin\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The server says data and hangs up: the probe reads it to the end
		// at once, instead of waiting out its phase timeout on most
		// inputs (hanging servers have their own tests above).
		p := hostileThenClose(t, data)
		r := probe.POP3(context.Background(), probe.POP3Config{
			Session: probe.Session{Host: "127.0.0.1", Port: p, Security: "none",
				AuthMethod: "basic", User: user, Password: "pw-secret-123", PhaseTimeout: 100 * time.Millisecond, Timeout: 2 * time.Second,
			},
		})
		if len(r.Phases) == 0 {
			t.Error("no phases")
		}
	})
}
