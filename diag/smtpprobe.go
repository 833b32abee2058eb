package diag

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Probe runs the SMTP phases against cfg's server, the way the configured
// device would, and returns the report. It never returns nil and never
// prints; every problem is recorded in the phase where it happened, and the
// phases after a failure are recorded as skipped with the reason.
//
// No mail is sent unless cfg.SendTo is set. Every step is bounded by
// cfg.PhaseTimeout and the whole probe by cfg.Timeout and ctx.
func Probe(ctx context.Context, cfg ProbeConfig) *Report {
	p := newProber(cfg)
	return p.run(ctx)
}

type prober struct {
	phaseRunner
	cfg   ProbeConfig
	r     *Report
	now   func() time.Time
	tr    *Transcript
	clock deadlineClamp

	ctx    context.Context // the whole probe's context
	raw    net.Conn        // the TCP connection
	wire   *wireConn       // the recording layer in use (plain or over TLS)
	tp     *textproto.Conn
	client *smtp.Client
	tlsOn  bool
	// canQuit is set while the session is in a state where QUIT makes sense
	// (not mid-handshake, not after the connection died).
	canQuit bool
	caps    []string // capabilities of the last EHLO
}

func newProber(cfg ProbeConfig) *prober {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.PhaseTimeout <= 0 {
		cfg.PhaseTimeout = DefaultPhaseTimeout
	}
	if cfg.Security == "" {
		cfg.Security = "starttls"
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort(cfg.Security)
	}
	if cfg.ServerName == "" {
		cfg.ServerName = cfg.Host
	}
	if cfg.Greeting == "" {
		cfg.Greeting = "ehlo"
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "mfpcheck.local"
	}
	if cfg.Redactor == nil {
		cfg.Redactor = &Redactor{}
	}
	if cfg.RootsName == "" {
		cfg.RootsName = "system"
	}
	if cfg.Sender == "" {
		cfg.Sender = cfg.User
	}
	cfg.Redactor.Add(cfg.Token)
	cfg.Redactor.Add(cfg.Password)
	if cfg.Route.Proxy != nil {
		cfg.Redactor.Add(cfg.Route.Proxy.Password)
	}
	start := cfg.Now()
	tr := cfg.Transcript
	if tr == nil {
		tr = NewTranscript(time.Now(), cfg.Redactor)
	}
	p := &prober{cfg: cfg, now: cfg.Now, tr: tr}
	p.r = &Report{
		Schema:    Schema,
		Tool:      Tool{Name: "mfpcheck"},
		Generated: start.UTC(),
		Lang:      "en",
		Target: Target{
			Host: cfg.Host, Port: cfg.Port, Security: cfg.Security,
			VerifyCert: cfg.VerifyCert, User: cfg.User, Sender: cfg.Sender,
			AuthMethod: cfg.AuthMethod,
			ConnectTo:  cfg.Route.connectTo(cfg.Host, cfg.Port), Proxy: cfg.Route.Proxy.String(),
		},
		Options: Options{
			AsDevice: cfg.AsDevice, Greeting: cfg.Greeting, MaxTLS: cfg.MaxTLS,
			Mechanisms: cfg.Mechanisms, InsecureTLS: !cfg.VerifyCert,
			CAFile: caFileName(cfg.RootsName), SendTo: cfg.SendTo,
			Envelope: cfg.Envelope || cfg.SendTo != "",
			Timeout:  Duration(cfg.Timeout), PhaseTimeout: Duration(cfg.PhaseTimeout),
		},
		Phases:     []Phase{},
		Transcript: []TranscriptLine{},
		Findings:   []Finding{},
	}
	p.phaseRunner = phaseRunner{
		start: time.Now(), phaseTimeout: cfg.PhaseTimeout, progressCh: cfg.Progress,
		redactor: cfg.Redactor, phases: &p.r.Phases,
		prepare: func(deadline time.Time) {
			p.clock.set(deadline)
			if p.wire != nil {
				p.wire.resetReplies()
			}
			if p.raw != nil {
				p.raw.SetDeadline(deadline)
			}
		},
		replyError: func(err error, ph *Phase) bool {
			var se *smtp.SMTPError
			if !errors.As(err, &se) {
				return false
			}
			if ph.Reply == nil {
				ph.Reply = p.replyFromError(se)
			}
			return true
		},
	}
	return p
}

func caFileName(roots string) string {
	if roots == "system" {
		return ""
	}
	return roots
}

func (p *prober) run(ctx context.Context) *Report {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	p.ctx = ctx
	defer func() {
		if p.raw != nil {
			p.raw.Close()
		}
		p.r.Transcript = p.tr.Lines()
		p.r.Duration = Duration(time.Since(p.start))
		p.r.Interrupted = p.r.Interrupted || p.interrupted
	}()

	var addrs []string
	p.phase(ctx, PhaseDNS, func(ctx context.Context, ph *Phase) error {
		var err error
		addrs, ph.Note, err = p.cfg.Route.resolve(ctx, p.cfg.Resolver, p.cfg.Host, p.cfg.Port)
		if err != nil {
			ph.ErrorKind = KindDNS
			return err
		}
		dnsHost, _ := p.cfg.Route.Target(p.cfg.Host, p.cfg.Port)
		p.r.DNS = &DNSInfo{Host: dnsHost}
		if p.cfg.Route.Proxy == nil {
			p.r.DNS.Addresses = addrs
		}
		return nil
	})
	p.phase(ctx, PhaseConnect, func(ctx context.Context, ph *Phase) error {
		c, used, err := p.cfg.Route.connect(ctx, p.cfg.Dialer, addrs, p.cfg.Host, p.cfg.Port)
		if err != nil {
			setProxyKind(ph, err)
			return err
		}
		p.raw = c
		p.r.DNS.Used = used
		ph.Note = used
		p.wire = newWireConn(c, "smtp", p.tr, &p.clock)
		return nil
	})

	if p.raw != nil {
		// Cancelling the probe (Ctrl-C, the overall timeout) closes the
		// connection, which unblocks any read or write in progress.
		raw := p.raw
		stop := context.AfterFunc(ctx, func() { raw.Close() })
		defer stop()
	}

	switch p.cfg.Security {
	case "tls":
		p.skipped(PhaseEHLO, "implicit TLS: the greeting is sent after the TLS handshake")
		p.skipped(PhaseStartTLS, "implicit TLS: no STARTTLS on this port")
		p.phase(ctx, PhaseTLS, p.handshake(true))
		p.phase(ctx, PhaseBanner, p.banner)
		p.phase(ctx, PhaseEHLOTLS, p.helloAfterTLS)
	case "none":
		p.phase(ctx, PhaseBanner, p.banner)
		p.phase(ctx, PhaseEHLO, p.helloAfterTLS)
		p.skipped(PhaseStartTLS, "the device is set to no secure connection")
		p.skipped(PhaseTLS, "the device is set to no secure connection")
		p.skipped(PhaseEHLOTLS, "the device is set to no secure connection")
	default:
		p.phase(ctx, PhaseBanner, p.banner)
		p.phase(ctx, PhaseEHLO, p.helloPlain)
		p.phase(ctx, PhaseStartTLS, p.startTLS)
		p.phase(ctx, PhaseTLS, p.handshake(false))
		p.phase(ctx, PhaseEHLOTLS, p.helloAfterTLS)
	}
	p.phase(ctx, PhaseAuth, p.auth)
	if p.r.Options.Envelope {
		p.phase(ctx, PhaseMailFrom, p.mailFrom)
		p.phase(ctx, PhaseRcptTo, p.rcptTo)
	} else {
		p.skipped(PhaseMailFrom, "envelope check turned off")
		p.skipped(PhaseRcptTo, "envelope check turned off")
	}
	if p.cfg.SendTo != "" {
		p.phase(ctx, PhaseData, p.data)
	} else {
		p.skipped(PhaseData, "no test message sent (use --send-to ADDR to send one)")
	}
	// QUIT runs even after a failure, as long as the session is open, so the
	// server's last word is recorded; a failed quit alone is only a warning.
	if p.canQuit && p.connAlive() {
		p.skip = ""
		p.phase(ctx, PhaseQuit, p.quit)
	} else {
		p.skipped(PhaseQuit, p.skipReason())
	}
	return p.r
}

// connAlive reports whether no phase failed in a way that leaves the
// connection unusable.
func (p *prober) connAlive() bool {
	for _, ph := range p.r.Phases {
		switch ph.ErrorKind {
		case KindTimeout, KindClosed, KindReset, KindTooLong, KindCanceled, KindProtocol, KindTLSOnPlain:
			return false
		}
		if ph.Reply != nil && ph.Reply.Code == 421 {
			return false
		}
	}
	return true
}

func (p *prober) skipReason() string {
	if p.skip == "" {
		return "no session"
	}
	return p.skip
}

// replyFromError prefers the raw reply recorded on the wire (which keeps
// every line and the trailer) over go-smtp's parsed error.
func (p *prober) replyFromError(se *smtp.SMTPError) *Reply {
	if p.wire != nil {
		if raw, ok := p.wire.replyWithCode(se.Code); ok {
			if r, ok := ParseReplyLines(raw); ok {
				return r
			}
		}
	}
	text := se.Message
	if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != (smtp.EnhancedCode{}) {
		text = fmt.Sprintf("%d.%d.%d %s", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], text)
	}
	return ParseReply(se.Code, text)
}

// lastReply parses the reply just read, if any.
func (p *prober) lastReply() *Reply {
	if p.wire == nil {
		return nil
	}
	r, ok := ParseReplyLines(p.wire.lastReply())
	if !ok {
		return nil
	}
	return r
}

// readReply reads one reply with textproto (the plain-text part of the
// session, before go-smtp takes over).
func (p *prober) readReply(ph *Phase, want int) error {
	code, msg, err := p.tp.ReadResponse(want)
	if r := p.lastReply(); r != nil {
		ph.Reply = r
	} else if code != 0 {
		ph.Reply = ParseReply(code, msg)
	}
	if err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			ph.ErrorKind = KindReply
			return fmt.Errorf("server answered %d", te.Code)
		}
		var pe textproto.ProtocolError
		if errors.As(err, &pe) {
			ph.ErrorKind = KindProtocol
			if looksLikeTLS(p.wire.lastReply()) || looksLikeTLS(string(pe)) {
				ph.ErrorKind = KindTLSOnPlain
				return errors.New("server answered with a TLS handshake, not an SMTP reply: this port speaks implicit TLS")
			}
			return fmt.Errorf("not an SMTP reply: %q", SafePrefix(string(pe), 80))
		}
		return err
	}
	return nil
}

func (p *prober) banner(ctx context.Context, ph *Phase) error {
	if p.tp == nil {
		p.tp = textproto.NewConn(p.wire)
	}
	if err := p.readReply(ph, 220); err != nil {
		if isEOF(err) {
			ph.ErrorKind = KindClosed
			return errors.New("server closed the connection without a greeting")
		}
		if !p.tlsOn && ClassifyError(err) == KindTimeout && p.wire.lastReply() == "" && p.wire.pending() == 0 && p.speaksTLS() {
			ph.ErrorKind = KindTLSOnPlain
			return fmt.Errorf("no greeting within %s, but the port answers a TLS handshake: it speaks implicit TLS (SMTPS, like port 465), not plain SMTP with STARTTLS", p.cfg.PhaseTimeout)
		}
		return err
	}
	p.canQuit = true
	return nil
}

// sniffTimeout bounds the implicit-TLS check after a silent banner: a TLS
// server answers a ClientHello within one round trip, so a few seconds are
// plenty even when the phase budget is long, and a real tarpit costs
// little more than its phase budget.
const sniffTimeout = 5 * time.Second

// speaksTLS reports whether a server that sent no greeting answers a TLS
// ClientHello with TLS (a ServerHello, or an alert record): an implicit-TLS
// port waits silently for the client, exactly like a hung server. The
// handshake verifies the certificate as always; a certificate that fails
// still proves the port speaks TLS. Nothing is ever sent over the session
// and the connection is not used afterwards.
func (p *prober) speaksTLS() bool {
	if p.ctx == nil || p.ctx.Err() != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(p.ctx, min(p.cfg.PhaseTimeout, sniffTimeout))
	defer cancel()
	d, _ := ctx.Deadline()
	p.raw.SetDeadline(d)
	var check TLSCheck
	conf := ClientTLSConfig(p.cfg.ServerName, p.cfg.Roots, true, 0, &check, p.now)
	err := tls.Client(p.raw, conf).HandshakeContext(ctx)
	// An alert, a failed negotiation or a certificate that does not verify
	// is TLS too; a timeout, a hang-up or plain text (RecordHeaderError,
	// kind not_tls) is not.
	kind := ClassifyError(err)
	return err == nil || check.Err != nil || kind == KindTLSHandshake || kind == KindTLSVersion
}

func (p *prober) helloPlain(ctx context.Context, ph *Phase) error {
	verb := "EHLO"
	if p.cfg.Greeting == "helo" {
		verb = "HELO"
	}
	if err := p.tp.PrintfLine("%s %s", verb, p.cfg.LocalName); err != nil {
		return err
	}
	if err := p.readReply(ph, 250); err != nil {
		return err
	}
	p.caps = capabilities(ph.Reply)
	ph.Capabilities = p.caps
	if verb == "HELO" {
		ph.Note = "HELO: the server lists no extensions to a HELO client"
	}
	return nil
}

// capabilities returns the EHLO keywords (lines after the first).
func capabilities(r *Reply) []string {
	if r == nil {
		return nil
	}
	lines := strings.Split(r.Text, "\n")
	if len(lines) < 2 {
		return []string{}
	}
	var caps []string
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l != "" {
			caps = append(caps, l)
		}
	}
	return caps
}

func hasCap(caps []string, name string) (string, bool) {
	for _, c := range caps {
		f := strings.Fields(c)
		if len(f) > 0 && strings.EqualFold(f[0], name) {
			return strings.TrimSpace(strings.TrimPrefix(c, f[0])), true
		}
	}
	return "", false
}

func (p *prober) startTLS(ctx context.Context, ph *Phase) error {
	if _, ok := hasCap(p.caps, "STARTTLS"); !ok && p.cfg.Greeting != "helo" {
		ph.ErrorKind = KindNotOffered
		return errors.New("server does not offer STARTTLS")
	}
	if err := p.tp.PrintfLine("STARTTLS"); err != nil {
		return err
	}
	if err := p.readReply(ph, 220); err != nil {
		return err
	}
	if p.tp.R.Buffered() > 0 || p.wire.pending() > 0 {
		ph.ErrorKind = KindProtocol
		return errors.New("server sent data after its STARTTLS reply (possible STARTTLS injection); refusing to continue")
	}
	return nil
}

func (p *prober) handshake(implicit bool) func(context.Context, *Phase) error {
	return func(ctx context.Context, ph *Phase) error {
		p.canQuit = false
		tc, info, err := tlsHandshake(ctx, p.raw, tlsTarget{
			ServerName: p.cfg.ServerName, Roots: p.cfg.Roots, RootsName: p.cfg.RootsName,
			Verify: p.cfg.VerifyCert, MaxTLS: p.cfg.MaxTLS, Implicit: implicit, Now: p.now,
		}, ph)
		if info != nil {
			p.r.TLS = info
		}
		if err != nil {
			return err
		}
		p.tlsOn = true
		p.canQuit = true
		p.wire = newWireConn(tc, "smtp", p.tr, &p.clock)
		p.wire.event("TLS established: %s, %s", info.Version, info.Cipher)
		if implicit {
			p.tp = textproto.NewConn(p.wire)
		}
		return nil
	}
}

// helloAfterTLS hands the session to go-smtp and greets the server. After
// STARTTLS there is no new greeting, so go-smtp is given a synthetic one
// that is never recorded; with implicit TLS or no TLS the real banner was
// already read by the banner phase.
func (p *prober) helloAfterTLS(ctx context.Context, ph *Phase) error {
	p.wire.prelude = []byte("220 resumed\r\n")
	p.client = smtp.NewClient(p.wire)
	p.client.CommandTimeout = p.cfg.PhaseTimeout
	p.client.SubmissionTimeout = p.cfg.PhaseTimeout
	if p.cfg.Greeting == "helo" {
		p.tp = textproto.NewConn(p.wire)
		p.wire.prelude = nil
		if err := p.tp.PrintfLine("HELO %s", p.cfg.LocalName); err != nil {
			return err
		}
		p.client = nil
		if err := p.readReply(ph, 250); err != nil {
			return err
		}
		p.caps = []string{}
		ph.Capabilities = p.caps
		ph.Note = "HELO: the server lists no extensions (no AUTH) to a HELO client"
		return nil
	}
	if err := p.client.Hello(p.cfg.LocalName); err != nil {
		return err
	}
	ph.Reply = p.lastReply()
	p.caps = capabilities(ph.Reply)
	ph.Capabilities = p.caps
	if p.tlsOn && p.r.TLS != nil && p.r.TLS.Version != "" && p.r.TLS.Version < "TLS 1.2" {
		ph.Status = StatusWarn
	}
	return nil
}

// offeredMechanisms returns the AUTH mechanisms of the last EHLO.
func (p *prober) offeredMechanisms() ([]string, bool) {
	v, ok := hasCap(p.caps, "AUTH")
	if !ok {
		return nil, false
	}
	return strings.Fields(strings.ToUpper(v)), true
}

// chooseMechanism picks what the device would use: its own mechanisms in
// its order, filtered by the auth method, that the server offers.
func (p *prober) chooseMechanism(offered []string) (string, error) {
	var want []string
	switch p.cfg.AuthMethod {
	case "oauth2":
		want = []string{"XOAUTH2"}
	default:
		want = []string{"LOGIN", "PLAIN"}
	}
	if len(p.cfg.Mechanisms) > 0 {
		var dev []string
		for _, m := range p.cfg.Mechanisms {
			if slices.Contains(want, m) {
				dev = append(dev, m)
			}
		}
		if len(dev) == 0 {
			return "", fmt.Errorf("the device's mechanisms (%s) cannot do %s authentication",
				strings.Join(p.cfg.Mechanisms, " "), p.cfg.AuthMethod)
		}
		want = dev
	}
	for _, m := range want {
		if slices.Contains(offered, m) {
			return m, nil
		}
	}
	return "", fmt.Errorf("server offers AUTH %s; the device can do %s",
		strings.Join(offered, " "), strings.Join(want, " "))
}

func (p *prober) auth(ctx context.Context, ph *Phase) error {
	if p.cfg.AuthMethod == "none" || p.cfg.AuthMethod == "" {
		ph.Status = StatusSkipped
		ph.Note = "the device is set to send without authentication"
		return nil
	}
	offered, ok := p.offeredMechanisms()
	p.r.Auth = &AuthInfo{User: p.cfg.User, Offered: offered}
	if !ok {
		ph.ErrorKind = KindNotOffered
		if !p.tlsOn && p.cfg.Security != "none" {
			return errors.New("server offers no AUTH")
		}
		return errors.New("server offers no AUTH to this session")
	}
	mech, err := p.chooseMechanism(offered)
	if err != nil {
		ph.ErrorKind = KindNotOffered
		return err
	}
	p.r.Auth.Mechanism = mech
	p.r.Target.Mechanism = mech
	var client sasl.Client
	switch mech {
	case "XOAUTH2":
		if p.cfg.Token == "" {
			ph.ErrorKind = KindNoCredentials
			return errors.New("no access token (use --token-file or the profile's oauth.token_file)")
		}
		p.r.Auth.SecretSource = p.cfg.TokenSource
		p.r.Auth.SecretFingerprint = Fingerprint(p.cfg.Token)
		client = &XOAUTH2Client{User: p.cfg.User, Token: p.cfg.Token, OnChallenge: func(c string) { ph.Challenge = SafePrefix(c, 500) }}
	case "LOGIN", "PLAIN":
		if p.cfg.Password == "" {
			ph.ErrorKind = KindNoCredentials
			return errors.New("no password (set the variable named by smtp.password_env, or use --password-env)")
		}
		p.r.Auth.SecretSource = p.cfg.PasswordSource
		p.r.Auth.SecretFingerprint = Fingerprint(p.cfg.Password)
		if mech == "LOGIN" {
			client = sasl.NewLoginClient(p.cfg.User, p.cfg.Password)
		} else {
			client = sasl.NewPlainClient("", p.cfg.User, p.cfg.Password)
		}
	}
	p.wire.setSecret(true)
	err = p.client.Auth(client)
	p.wire.setSecret(false)
	if err != nil {
		return err
	}
	ph.Reply = p.lastReply()
	p.r.Auth.OK = true
	return nil
}

func (p *prober) mailFrom(ctx context.Context, ph *Phase) error {
	if p.client == nil {
		ph.ErrorKind = KindProtocol
		return errors.New("no SMTP session")
	}
	if err := p.client.Mail(p.cfg.Sender, nil); err != nil {
		return err
	}
	ph.Reply = p.lastReply()
	return nil
}

func (p *prober) rcptTo(ctx context.Context, ph *Phase) error {
	to := p.cfg.SendTo
	if to == "" {
		to = p.cfg.Sender
		ph.Note = "recipient is the sender itself; nothing is sent"
	}
	if err := p.client.Rcpt(to, nil); err != nil {
		return err
	}
	ph.Reply = p.lastReply()
	return nil
}

func (p *prober) data(ctx context.Context, ph *Phase) error {
	w, err := p.client.Data()
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	msg := fmt.Sprintf("From: <%s>\r\nTo: <%s>\r\nSubject: mfpcheck test message\r\nDate: %s\r\nMessage-ID: <%d.mfpcheck@%s>\r\n\r\nThis is a test message sent by mfpcheck to check scan-to-email.\r\n",
		p.cfg.Sender, p.cfg.SendTo, p.now().Format(time.RFC1123Z), p.now().UnixNano(), sanitizeHost(host))
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	ph.Reply = p.lastReply()
	return nil
}

func sanitizeHost(h string) string {
	h = strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, h)
	if h == "" {
		return "localhost"
	}
	return h
}

func (p *prober) quit(ctx context.Context, ph *Phase) error {
	var err error
	if p.client != nil {
		if p.r.Options.Envelope && p.cfg.SendTo == "" && p.phaseOK(PhaseMailFrom) {
			p.client.Reset()
		}
		err = p.client.Quit()
	} else if p.tp != nil {
		if err = p.tp.PrintfLine("QUIT"); err == nil {
			_, _, err = p.tp.ReadResponse(221)
		}
	}
	ph.Reply = p.lastReply()
	if err != nil && !p.phaseOKAll() {
		// The session already failed; the server may well have hung up.
		ph.Status = StatusWarn
		ph.Note = "the server had already ended the session"
		return nil
	}
	if err != nil {
		ph.Status = StatusWarn
		ph.Error = SafePrefix(err.Error(), 300)
		ph.ErrorKind = ClassifyError(err)
		return nil
	}
	return nil
}

func (p *prober) phaseOK(name string) bool {
	for _, ph := range p.r.Phases {
		if ph.Name == name {
			return ph.Status == StatusOK || ph.Status == StatusWarn
		}
	}
	return false
}

func (p *prober) phaseOKAll() bool {
	for _, ph := range p.r.Phases {
		if ph.Status == StatusFail {
			return false
		}
	}
	return true
}

// XOAUTH2Client is the XOAUTH2 SASL mechanism (go-sasl has none): the
// initial response is "user=ADDR^Aauth=Bearer TOKEN^A^A". A 334 challenge
// carries base64 JSON describing the error (Google, Dovecot); it is handed
// to OnChallenge and answered with an empty line, after which the server
// sends its final failure. Exchange Online answers a bad token with
// 535 5.7.3 at once.
type XOAUTH2Client struct {
	User, Token string
	OnChallenge func(decoded string)
}

// Start implements sasl.Client.
func (c *XOAUTH2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + c.User + "\x01auth=Bearer " + c.Token + "\x01\x01"), nil
}

// Next implements sasl.Client.
func (c *XOAUTH2Client) Next(challenge []byte) ([]byte, error) {
	if c.OnChallenge != nil {
		c.OnChallenge(string(challenge))
	}
	return []byte{}, nil
}

// XOAUTH2Blob is the base64 initial response, for tools that want to show
// its shape (with a redacted token).
func XOAUTH2Blob(user, token string) string {
	return base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01"))
}
