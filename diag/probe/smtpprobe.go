package probe

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
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Probe runs the SMTP phases against cfg's server, the way the configured
// device would, and returns the report. It never returns nil and never
// prints; every problem is recorded in the phase where it happened, and the
// phases after a failure are recorded as skipped with the reason.
//
// No mail is sent unless cfg.SendTo is set. Every step is bounded by
// cfg.PhaseTimeout and the whole probe by cfg.Timeout and ctx.
func SMTP(ctx context.Context, cfg Config) *report.Report {
	p := newProber(cfg)
	return p.run(ctx)
}

type prober struct {
	phaseRunner
	cfg   Config
	r     *report.Report
	now   func() time.Time
	tr    *redact.Transcript
	clock deadlineClamp

	raw   net.Conn  // the TCP connection
	wire  *wireConn // the recording layer in use (plain or over TLS)
	tp    *textproto.Conn
	tlsOn bool
	// inFlight are the pipelined commands (RFC 2920) whose replies are
	// still to be read, in order; flightAt is when they went out.
	inFlight []string
	flightAt time.Time
	// canQuit is set while the session is in a state where QUIT makes sense
	// (not mid-handshake, not after the connection died).
	canQuit bool
	caps    []string // capabilities of the last EHLO
}

func newProber(cfg Config) *prober {
	if cfg.Security == "" {
		cfg.Security = "starttls"
	}
	if cfg.Port == 0 {
		cfg.Port = profile.DefaultPort(cfg.Security)
	}
	if cfg.Greeting == "" {
		cfg.Greeting = "ehlo"
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "mfpcheck.local"
	}
	if cfg.Sender == "" {
		cfg.Sender = cfg.User
	}
	tr := cfg.Session.setDefaults()
	start := cfg.Now()
	p := &prober{cfg: cfg, now: cfg.Now, tr: tr}
	p.r = &report.Report{
		Schema:    report.Schema,
		Tool:      report.Tool{Name: "mfpcheck"},
		Generated: start.UTC(),
		Lang:      "en",
		Target: report.Target{
			Host: cfg.Host, Port: cfg.Port, Security: cfg.Security,
			VerifyCert: cfg.VerifyCert, User: cfg.User, Sender: cfg.Sender,
			AuthMethod: cfg.AuthMethod,
			ConnectTo:  cfg.Route.connectTo(cfg.Host, cfg.Port), Proxy: cfg.Route.Proxy.String(),
		},
		Options: report.Options{
			AsDevice: cfg.AsDevice, Greeting: cfg.Greeting, MaxTLS: cfg.MaxTLS,
			Mechanisms: cfg.Mechanisms, InsecureTLS: !cfg.VerifyCert,
			CAFile: caFileName(cfg.RootsName), SendTo: cfg.SendTo,
			Envelope: cfg.Envelope || cfg.SendTo != "",
			Timeout:  report.Duration(cfg.Timeout), PhaseTimeout: report.Duration(cfg.PhaseTimeout),
		},
		Phases:     []report.Phase{},
		Transcript: []report.TranscriptLine{},
		Findings:   []report.Finding{},
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
		replyError: func(err error, ph *report.Phase) bool {
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

func (p *prober) run(ctx context.Context) *report.Report {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	defer func() {
		if p.raw != nil {
			p.raw.Close()
		}
		p.r.Transcript = p.tr.Lines()
		p.r.Duration = report.Duration(time.Since(p.start))
		p.r.Interrupted = p.r.Interrupted || p.interrupted
	}()

	var addrs []string
	p.phase(ctx, report.PhaseDNS, func(ctx context.Context, ph *report.Phase) error {
		var err error
		addrs, ph.Note, err = p.cfg.Route.resolve(ctx, p.cfg.Resolver, p.cfg.Host, p.cfg.Port)
		if err != nil {
			ph.ErrorKind = report.KindDNS
			return err
		}
		dnsHost, _ := p.cfg.Route.Target(p.cfg.Host, p.cfg.Port)
		p.r.DNS = &report.DNSInfo{Host: dnsHost}
		if p.cfg.Route.Proxy == nil {
			p.r.DNS.Addresses = addrs
		}
		return nil
	})
	p.phase(ctx, report.PhaseConnect, func(ctx context.Context, ph *report.Phase) error {
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
		p.skipped(report.PhaseEHLO, "implicit TLS: the greeting is sent after the TLS handshake")
		p.skipped(report.PhaseStartTLS, "implicit TLS: no STARTTLS on this port")
		p.phase(ctx, report.PhaseTLS, p.handshake(true))
		p.phase(ctx, report.PhaseBanner, p.banner)
		p.phase(ctx, report.PhaseEHLOTLS, p.helloAfterTLS)
	case "none":
		p.phase(ctx, report.PhaseBanner, p.banner)
		p.phase(ctx, report.PhaseEHLO, p.helloAfterTLS)
		p.skipped(report.PhaseStartTLS, "the device is set to no secure connection")
		p.skipped(report.PhaseTLS, "the device is set to no secure connection")
		p.skipped(report.PhaseEHLOTLS, "the device is set to no secure connection")
	default:
		p.phase(ctx, report.PhaseBanner, p.banner)
		p.phase(ctx, report.PhaseEHLO, p.hello)
		p.phase(ctx, report.PhaseStartTLS, p.startTLS)
		p.phase(ctx, report.PhaseTLS, p.handshake(false))
		p.phase(ctx, report.PhaseEHLOTLS, p.helloAfterTLS)
	}
	p.phase(ctx, report.PhaseAuth, p.auth)
	if p.r.Options.Envelope {
		p.phase(ctx, report.PhaseMailFrom, p.mailFrom)
		p.phaseFrom(ctx, report.PhaseRcptTo, p.sentAt("RCPT"), p.rcptTo)
	} else {
		p.skipped(report.PhaseMailFrom, "envelope check turned off")
		p.skipped(report.PhaseRcptTo, "envelope check turned off")
	}
	if p.cfg.SendTo != "" {
		p.phase(ctx, report.PhaseData, p.data)
	} else {
		p.skipped(report.PhaseData, "no test message sent (use --send-to ADDR to send one)")
	}
	// QUIT runs even after a failure, as long as the session is open, so the
	// server's last word is recorded; a failed quit alone is only a warning.
	if p.canQuit && p.connAlive() {
		p.skip = ""
		p.phaseFrom(ctx, report.PhaseQuit, p.sentAt("QUIT"), p.quit)
	} else {
		p.skipped(report.PhaseQuit, p.skipReason())
	}
	return p.r
}

// connAlive reports whether no phase failed in a way that leaves the
// connection unusable.
func (p *prober) connAlive() bool {
	for _, ph := range p.r.Phases {
		switch ph.ErrorKind {
		case report.KindTimeout, report.KindBudget, report.KindClosed, report.KindReset, report.KindTooLong, report.KindCanceled, report.KindProtocol, report.KindTLSOnPlain:
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
func (p *prober) replyFromError(se *smtp.SMTPError) *report.Reply {
	if p.wire != nil {
		if raw, ok := p.wire.replyWithCode(se.Code); ok {
			if r, ok := report.ParseReplyLines(raw); ok {
				return r
			}
		}
	}
	text := se.Message
	if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != (smtp.EnhancedCode{}) {
		text = fmt.Sprintf("%d.%d.%d %s", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], text)
	}
	return report.ParseReply(se.Code, text)
}

// lastReply parses the reply just read, if any.
func (p *prober) lastReply() *report.Reply {
	if p.wire == nil {
		return nil
	}
	r, ok := report.ParseReplyLines(p.wire.lastReply())
	if !ok {
		return nil
	}
	return r
}

// readReply reads one reply (want as in textproto.Reader.ReadResponse: 0
// accepts any code) and records it in ph.
func (p *prober) readReply(ph *report.Phase, want int) error {
	_, _, err := p.readReplyMsg(ph, want)
	return err
}

// readReplyMsg reads one reply with textproto, records it in ph (from the
// raw lines on the wire, which keep every line and the trailer) and
// returns its code and text.
func (p *prober) readReplyMsg(ph *report.Phase, want int) (int, string, error) {
	code, msg, err := p.tp.ReadResponse(want)
	if raw, ok := p.wire.nextReply(); ok {
		if r, ok := report.ParseReplyLines(raw); ok {
			ph.Reply = r
		}
	} else if code != 0 {
		ph.Reply = report.ParseReply(code, msg)
	}
	if err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			ph.ErrorKind = report.KindReply
			return code, msg, replyError(te.Code)
		}
		var pe textproto.ProtocolError
		if errors.As(err, &pe) {
			ph.ErrorKind = report.KindProtocol
			if looksLikeTLS(p.wire.lastReply()) || looksLikeTLS(string(pe)) {
				ph.ErrorKind = report.KindTLSOnPlain
				return code, msg, errors.New("server answered with a TLS handshake, not an SMTP reply: this port speaks implicit TLS")
			}
			return code, msg, fmt.Errorf("not an SMTP reply: %q", redact.SafePrefix(string(pe), 80))
		}
		return code, msg, err
	}
	return code, msg, nil
}

// replyError is the error of a phase the server answered with an error
// reply (the reply itself is in the phase).
func replyError(code int) error { return fmt.Errorf("server answered %d", code) }

func (p *prober) banner(ctx context.Context, ph *report.Phase) error {
	if p.tp == nil {
		p.tp = textproto.NewConn(p.wire)
	}
	began := time.Now()
	var sniffed atomic.Bool
	if !p.tlsOn {
		stop := p.sniffTLS(ctx, &sniffed)
		defer stop()
	}
	if err := p.readReply(ph, 220); err != nil {
		if isEOF(err) {
			ph.ErrorKind = report.KindClosed
			return errors.New("server closed the connection without a greeting")
		}
		if sniffed.Load() && ClassifyError(err) == report.KindTimeout && p.wire.lastReply() == "" && p.wire.pending() == 0 {
			ph.ErrorKind = report.KindTLSOnPlain
			return fmt.Errorf("no greeting within %s, but the port answers a TLS handshake: it speaks implicit TLS (SMTPS, like port 465), not plain SMTP with STARTTLS", time.Since(began).Round(100*time.Millisecond))
		}
		return err
	}
	p.canQuit = true
	// Lines that came with the greeting are no answer to anything: read
	// as the EHLO answer they could hide STARTTLS. Dropped, and noted.
	if n := p.tp.R.Buffered(); n > 0 || p.wire.pending() > 0 {
		p.tp.R.Discard(n)
		n += p.wire.discard()
		ph.Status = report.StatusWarn
		ph.Note = fmt.Sprintf("the server sent %d more bytes after its greeting, before EHLO; ignored (a device may take them for its EHLO answer)", n)
	}
	return nil
}

// sniffAfter is how long the banner may keep silent before the
// implicit-TLS check starts: Exchange greets at once, and a greeting later
// than this is rare enough that checking costs nothing.
func sniffAfter(budget time.Duration) time.Duration { return min(budget/4, 2*time.Second) }

// sniffTLS checks, while the banner is awaited, whether a server that has
// not greeted after sniffAfter answers a TLS ClientHello with TLS (a
// ServerHello, or an alert): an implicit-TLS port waits silently for the
// client, exactly like a hung server. The check runs on a second
// connection to the same address, inside the banner's budget, so the
// session itself is untouched (a late greeting still counts) and a silent
// server is reported when its budget ends. When the port speaks TLS, set
// is set and the banner's wait is cut short. The handshake verifies the
// certificate as always; a certificate that fails still proves TLS.
// Nothing is sent over the TLS session. stop ends the check and waits for
// it.
func (p *prober) sniffTLS(ctx context.Context, set *atomic.Bool) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ctx.Done():
			return
		case <-time.After(sniffAfter(p.cfg.PhaseTimeout)):
		}
		d := p.cfg.Dialer
		if d == nil {
			d = &net.Dialer{}
		}
		c, err := d.DialContext(ctx, "tcp", p.raw.RemoteAddr().String())
		if err != nil {
			return
		}
		defer c.Close()
		stop := context.AfterFunc(ctx, func() { c.Close() })
		defer stop()
		if d, ok := ctx.Deadline(); ok {
			c.SetDeadline(d)
		}
		var check TLSCheck
		conf := ClientTLSConfig(p.cfg.ServerName, p.cfg.Roots, true, 0, &check, p.now)
		err = tls.Client(c, conf).HandshakeContext(ctx)
		// An alert, a failed negotiation or a certificate that does not
		// verify is TLS too; a timeout, a hang-up or plain text
		// (RecordHeaderError, kind not_tls) is not.
		kind := ClassifyError(err)
		if err == nil || check.Err != nil || kind == report.KindTLSHandshake || kind == report.KindTLSVersion {
			set.Store(true)
			p.raw.SetReadDeadline(time.Now())
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// hello greets the server the way the device does (EHLO, or HELO for a
// device that only knows HELO) and records the extensions offered.
func (p *prober) hello(ctx context.Context, ph *report.Phase) error {
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
func capabilities(r *report.Reply) []string {
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

func (p *prober) startTLS(ctx context.Context, ph *report.Phase) error {
	if _, ok := hasCap(p.caps, "STARTTLS"); !ok && p.cfg.Greeting != "helo" {
		ph.ErrorKind = report.KindNotOffered
		return errors.New("server does not offer STARTTLS")
	}
	if err := p.tp.PrintfLine("STARTTLS"); err != nil {
		return err
	}
	if err := p.readReply(ph, 220); err != nil {
		return err
	}
	if p.tp.R.Buffered() > 0 || p.wire.pending() > 0 {
		ph.ErrorKind = report.KindProtocol
		return errors.New("server sent data after its STARTTLS reply (possible STARTTLS injection); refusing to continue")
	}
	return nil
}

func (p *prober) handshake(implicit bool) func(context.Context, *report.Phase) error {
	return func(ctx context.Context, ph *report.Phase) error {
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
		p.tp = textproto.NewConn(p.wire)
		return nil
	}
}

// helloAfterTLS greets the server again on the encrypted session (RFC
// 3207: the client forgets what it learnt before STARTTLS); with implicit
// TLS or no TLS it is the first greeting.
func (p *prober) helloAfterTLS(ctx context.Context, ph *report.Phase) error {
	if err := p.hello(ctx, ph); err != nil {
		return err
	}
	if p.cfg.Greeting == "helo" {
		ph.Note = "HELO: the server lists no extensions (no AUTH) to a HELO client"
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
		// Exchange Online offers only XOAUTH2; Dovecot, Gmail and others
		// also offer OAUTHBEARER (RFC 7628). The device's own list, when
		// known, decides the order below.
		want = []string{"XOAUTH2", "OAUTHBEARER"}
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

func (p *prober) auth(ctx context.Context, ph *report.Phase) error {
	if p.cfg.AuthMethod == "none" || p.cfg.AuthMethod == "" {
		ph.Status = report.StatusSkipped
		ph.Note = "the device is set to send without authentication"
		return nil
	}
	offered, ok := p.offeredMechanisms()
	p.r.Auth = &report.AuthInfo{User: p.cfg.User, Offered: offered}
	if !ok {
		ph.ErrorKind = report.KindNotOffered
		if !p.tlsOn && p.cfg.Security != "none" {
			return errors.New("server offers no AUTH")
		}
		return errors.New("server offers no AUTH to this session")
	}
	mech, err := p.chooseMechanism(offered)
	if err != nil {
		ph.ErrorKind = report.KindNotOffered
		return err
	}
	p.r.Auth.Mechanism = mech
	p.r.Target.Mechanism = mech
	var client sasl.Client
	switch mech {
	case "XOAUTH2", "OAUTHBEARER":
		if p.cfg.Token == "" {
			ph.ErrorKind = report.KindNoCredentials
			return errors.New("no access token (use --token-file or the profile's oauth.token_file)")
		}
		p.r.Auth.SecretSource = p.cfg.TokenSource
		p.r.Auth.SecretFingerprint = redact.Fingerprint(p.cfg.Token)
		onChallenge := func(c string) { ph.Challenge = redact.SafePrefix(c, 500) }
		if mech == "XOAUTH2" {
			client = &XOAUTH2Client{User: p.cfg.User, Token: p.cfg.Token, OnChallenge: onChallenge}
		} else {
			client = NewOAuthBearerClient(p.cfg.User, p.cfg.Token, p.cfg.ServerName, p.cfg.Port, onChallenge)
		}
	case "LOGIN", "PLAIN":
		if p.cfg.Password == "" {
			ph.ErrorKind = report.KindNoCredentials
			return errors.New("no password (set the variable named by smtp.password_env, or use --password-env)")
		}
		p.r.Auth.SecretSource = p.cfg.PasswordSource
		p.r.Auth.SecretFingerprint = redact.Fingerprint(p.cfg.Password)
		if mech == "LOGIN" {
			client = sasl.NewLoginClient(p.cfg.User, p.cfg.Password)
		} else {
			client = sasl.NewPlainClient("", p.cfg.User, p.cfg.Password)
		}
	}
	if err := p.authenticate(ph, client); err != nil {
		return err
	}
	p.r.Auth.OK = true
	return nil
}

// maxSASLRounds bounds the challenges of one AUTH exchange: XOAUTH2 needs
// at most one (the error challenge), LOGIN two; a server that keeps
// challenging is not authenticating.
const maxSASLRounds = 8

// authenticate runs the SASL exchange of RFC 4954 on the recorded wire:
// the initial response goes with the AUTH line (one round trip for
// XOAUTH2 and PLAIN), each 334 challenge is answered by the mechanism, and
// the first other reply ends the exchange. "*" (cancel) is only ever sent
// in answer to a challenge the mechanism cannot answer, never after a
// final reply: go-smtp's Auth sends it after a 535 too, which the server
// rejects with 501 and which no device sends, so the exchange is driven
// here instead. Every line after "AUTH MECH" is redacted at the wire.
func (p *prober) authenticate(ph *report.Phase, c sasl.Client) error {
	mech, ir, err := c.Start()
	if err != nil {
		ph.ErrorKind = report.KindProtocol
		return fmt.Errorf("AUTH %s: %w", mech, err)
	}
	line := "AUTH " + mech
	if ir != nil {
		line += " " + saslEncode(ir, true)
	}
	p.wire.setSecret(true)
	defer p.wire.setSecret(false)
	for round := 0; ; round++ {
		if err := p.tp.PrintfLine("%s", line); err != nil {
			return err
		}
		code, msg, err := p.readReplyMsg(ph, 0)
		if err != nil {
			return err
		}
		switch {
		case code == 235:
			return nil
		case code != 334:
			ph.ErrorKind = report.KindReply
			return replyError(code)
		case line == "*":
			ph.ErrorKind = report.KindProtocol
			return errors.New("server sent another challenge after the exchange was cancelled")
		case round >= maxSASLRounds:
			ph.ErrorKind = report.KindProtocol
			return fmt.Errorf("server sent more than %d AUTH challenges", maxSASLRounds)
		}
		challenge, err := base64.StdEncoding.DecodeString(strings.TrimSpace(msg))
		var resp []byte
		if err == nil {
			resp, err = c.Next(challenge)
		}
		if err != nil {
			// RFC 4954 section 4: "*" cancels; the server answers 501.
			if werr := p.tp.PrintfLine("*"); werr != nil {
				return werr
			}
			p.readReply(ph, 0)
			ph.ErrorKind = report.KindProtocol
			return fmt.Errorf("cannot answer the server's AUTH %s challenge: %w", mech, err)
		}
		line = saslEncode(resp, false)
	}
}

// saslEncode is a SASL response in base64; an empty initial response is
// "=" (RFC 4954), an empty answer to a challenge an empty line.
func saslEncode(b []byte, initial bool) string {
	if len(b) == 0 && initial {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

// pipelining reports whether the envelope goes out in one flight: the
// server offers PIPELINING (RFC 2920; Exchange Online does).
func (p *prober) pipelining() bool {
	_, ok := hasCap(p.caps, "PIPELINING")
	return ok
}

// sendFlight writes cmds in one write (one TCP segment for a short
// flight) and remembers the ones after the first, whose replies the
// following phases read.
func (p *prober) sendFlight(cmds ...string) error {
	for _, c := range cmds {
		if strings.ContainsAny(c, "\r\n") {
			return fmt.Errorf("refusing to send %q: line break in an address", redact.SafePrefix(c, 80))
		}
		p.tp.W.WriteString(c + "\r\n")
	}
	p.flightAt = time.Now()
	p.inFlight = cmds[1:]
	return p.tp.W.Flush()
}

// sentAt is when verb's command went out in the last flight, or zero when
// it is not waiting for its reply there.
func (p *prober) sentAt(verb string) time.Time {
	for _, c := range p.inFlight {
		if strings.HasPrefix(c, verb) {
			return p.flightAt
		}
	}
	return time.Time{}
}

// takeFlight reports whether verb's reply is the next one due from the
// flight, and takes it off.
func (p *prober) takeFlight(verb string) bool {
	if len(p.inFlight) > 0 && strings.HasPrefix(p.inFlight[0], verb) {
		p.inFlight = p.inFlight[1:]
		return true
	}
	return false
}

// mailFrom opens the envelope. Where the server offers PIPELINING, RCPT TO
// and (when no message is sent) QUIT go out in the same flight; their
// replies are read by their own phases, each timed from the flight. No
// RSET is needed before QUIT: QUIT ends the transaction.
func (p *prober) mailFrom(ctx context.Context, ph *report.Phase) error {
	if p.tp == nil {
		ph.ErrorKind = report.KindProtocol
		return errors.New("no SMTP session")
	}
	cmds := []string{"MAIL FROM:<" + p.cfg.Sender + ">"}
	if p.pipelining() {
		cmds = append(cmds, "RCPT TO:<"+p.recipient()+">")
		if p.cfg.SendTo == "" {
			cmds = append(cmds, "QUIT")
		}
		ph.Note = "pipelined (RFC 2920) with " + strings.Join(verbs(cmds[1:]), " and ")
	}
	if err := p.sendFlight(cmds...); err != nil {
		ph.ErrorKind = report.KindProtocol
		return err
	}
	return p.readReply(ph, 250)
}

// verbs are the commands' verbs as the phases name them.
func verbs(cmds []string) []string {
	var v []string
	for _, c := range cmds {
		if i := strings.IndexByte(c, ':'); i > 0 {
			c = c[:i]
		}
		v = append(v, c)
	}
	return v
}

func (p *prober) recipient() string {
	if p.cfg.SendTo != "" {
		return p.cfg.SendTo
	}
	return p.cfg.Sender
}

func (p *prober) rcptTo(ctx context.Context, ph *report.Phase) error {
	if p.cfg.SendTo == "" {
		ph.Note = "recipient is the sender itself; nothing is sent"
	}
	if !p.takeFlight("RCPT") {
		if err := p.sendFlight("RCPT TO:<" + p.recipient() + ">"); err != nil {
			ph.ErrorKind = report.KindProtocol
			return err
		}
	}
	// 250, or 251 (not local, will be forwarded).
	return p.readReply(ph, 25)
}

// data sends the test message with go-smtp (DATA, dot-stuffing, the
// final reply). Every earlier reply has been read, so go-smtp's reader
// starts on a clean stream.
func (p *prober) data(ctx context.Context, ph *report.Phase) error {
	c := smtp.NewClient(p.wire)
	c.CommandTimeout = p.cfg.PhaseTimeout
	c.SubmissionTimeout = p.cfg.PhaseTimeout
	w, err := c.Data()
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

// quit ends the session. Replies still due from a flight whose phases did
// not run (RCPT TO after a refused MAIL FROM) are read first; they are in
// the transcript. QUIT itself may already be in the flight. What went wrong
// with QUIT (no answer, a hang-up, an error reply) is recorded in the phase
// as a fact, without failing it: QUIT comes after the device's work is
// done, and the diagnosis rates its outcome (diagnose.judgePhases).
func (p *prober) quit(ctx context.Context, ph *report.Phase) error {
	var err error
	for err == nil && len(p.inFlight) > 0 && p.inFlight[0] != "QUIT" {
		p.inFlight = p.inFlight[1:]
		var unused report.Phase
		err = p.readReply(&unused, 0)
	}
	if err == nil && !p.takeFlight("QUIT") {
		err = p.sendFlight("QUIT")
	}
	if err == nil {
		err = p.readReply(ph, 221)
	}
	if err != nil {
		ph.Error = redact.SafePrefix(err.Error(), 300)
		ph.ErrorKind = ClassifyError(err)
	}
	return nil
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
