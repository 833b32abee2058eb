package probe

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"net"
	"net/textproto"
	"strings"
	"time"
)

// POP3 limits. A CAPA list from Exchange is six lines; 100 lines or
// MaxReplyBytes mean a hostile or broken server.
const (
	MaxPOP3CapaLines = 100
)

// ProbePOP3 runs the POP3 phases (RFC 1939, STLS of RFC 2595, SASL AUTH of
// RFC 5034 with XOAUTH2 in the two-line form Exchange Online requires)
// against cfg's server and returns what happened. It never returns nil and
// never prints. After a failed phase the later phases are recorded as
// skipped with the reason. Every step is bounded by cfg.PhaseTimeout, the
// whole probe by cfg.Timeout and ctx.
func POP3(ctx context.Context, cfg POP3Config) *report.POP3Report {
	p := newPOP3Prober(cfg)
	return p.run(ctx)
}

type pop3Prober struct {
	phaseRunner
	cfg POP3Config
	r   *report.POP3Report
	now func() time.Time
	tr  *redact.Transcript

	raw   net.Conn  // the TCP connection
	wire  *wireConn // the recording layer over raw, or over TLS on raw
	clock deadlineClamp
	rd    *textproto.Reader
	caps  []string
}

func newPOP3Prober(cfg POP3Config) *pop3Prober {
	if cfg.Security == "" {
		cfg.Security = "tls"
	}
	if cfg.Port == 0 {
		cfg.Port = 110
		if cfg.Security == "tls" {
			cfg.Port = 995
		}
	}
	tr := cfg.Session.setDefaults()
	p := &pop3Prober{cfg: cfg, now: cfg.Now, tr: tr}
	p.r = &report.POP3Report{
		Target: report.Target{
			Host: cfg.Host, Port: cfg.Port, Security: cfg.Security,
			VerifyCert: cfg.VerifyCert, User: cfg.User, AuthMethod: cfg.AuthMethod,
			ConnectTo: cfg.Route.connectTo(cfg.Host, cfg.Port), Proxy: cfg.Route.Proxy.String(),
		},
		Phases: []report.Phase{},
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
	}
	if cfg.AuthMethod == "oauth2" {
		p.r.Target.Mechanism = "XOAUTH2"
	} else if cfg.AuthMethod == "basic" {
		p.r.Target.Mechanism = "USER"
	}
	return p
}

func (p *pop3Prober) run(ctx context.Context) *report.POP3Report {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	defer func() {
		if p.raw != nil {
			p.raw.Close()
		}
	}()

	var addrs []string
	p.phase(ctx, report.PhasePOP3DNS, func(ctx context.Context, ph *report.Phase) error {
		var err error
		addrs, ph.Note, err = p.cfg.Route.resolve(ctx, p.cfg.Resolver, p.cfg.Host, p.cfg.Port)
		if err != nil {
			ph.ErrorKind = report.KindDNS
			return err
		}
		return nil
	})
	p.phase(ctx, report.PhasePOP3Connect, func(ctx context.Context, ph *report.Phase) error {
		c, used, err := p.cfg.Route.connect(ctx, p.cfg.Dialer, addrs, p.cfg.Host, p.cfg.Port)
		if err != nil {
			setProxyKind(ph, err)
			return err
		}
		p.raw = c
		p.setConn(c)
		ph.Note = used
		return nil
	})
	if p.raw != nil {
		// Ending the probe (Ctrl-C, overall timeout) closes the connection,
		// which unblocks any read or write in progress.
		raw := p.raw
		stop := context.AfterFunc(ctx, func() { raw.Close() })
		defer stop()
	}

	switch p.cfg.Security {
	case "tls":
		p.skipped(report.PhasePOP3STLS, "implicit TLS: no STLS on this port")
		p.phase(ctx, report.PhasePOP3TLS, p.handshake(true))
		p.phase(ctx, report.PhasePOP3Banner, p.banner)
		p.phase(ctx, report.PhasePOP3CAPA, p.capa("after TLS"))
	case "none":
		p.phase(ctx, report.PhasePOP3Banner, p.banner)
		p.phase(ctx, report.PhasePOP3CAPA, p.capa("no TLS"))
		p.skipped(report.PhasePOP3STLS, "the device is set to no secure connection")
		p.skipped(report.PhasePOP3TLS, "the device is set to no secure connection")
	default:
		p.phase(ctx, report.PhasePOP3Banner, p.banner)
		p.phase(ctx, report.PhasePOP3CAPA, p.capa("before TLS"))
		p.phase(ctx, report.PhasePOP3STLS, p.stls)
		p.phase(ctx, report.PhasePOP3TLS, p.handshake(false))
		p.phase(ctx, report.PhasePOP3CAPA, p.capa("after TLS"))
	}
	switch p.cfg.AuthMethod {
	case "oauth2":
		p.phase(ctx, report.PhasePOP3Auth, p.authXOAUTH2)
	case "basic":
		p.phase(ctx, report.PhasePOP3Auth, p.authUserPass)
	default:
		p.skipped(report.PhasePOP3Auth, "the device is set to no authentication")
	}
	p.phase(ctx, report.PhasePOP3Quit, p.quit)
	return p.r
}

// setConn makes c, through the wire layer SMTP uses (transcript, limits,
// deadlines clamped to the phase), the connection lines are read from and
// written to.
func (p *pop3Prober) setConn(c net.Conn) {
	p.wire = newWireConn(c, "pop3", p.tr, &p.clock)
	p.rd = textproto.NewReader(bufio.NewReader(p.wire))
}

// send writes one command line. shown is what the transcript records (the
// command with any secret replaced); it is never the secret itself.
func (p *pop3Prober) send(line, shown string) error {
	return p.wire.writeShown(line, shown)
}

// readLine reads one server line; the wire layer has recorded it.
func (p *pop3Prober) readLine() (string, error) {
	line, err := p.rd.ReadLine()
	if err != nil {
		var tl *LineTooLongError
		if errors.As(err, &tl) {
			p.wire.event("server line longer than %d bytes, not kept", tl.Limit)
		}
		return "", err
	}
	return line, nil
}

// readStatus reads a "+OK …" / "-ERR …" line into ph.Reply. A -ERR is
// returned as an error with kind KindReply.
func (p *pop3Prober) readStatus(ph *report.Phase) (*report.Reply, error) {
	line, err := p.readLine()
	if err != nil {
		return nil, err
	}
	r, err := ParsePOP3Reply(line)
	if err != nil {
		ph.ErrorKind = report.KindProtocol
		return nil, err
	}
	ph.Reply = r
	if r.POP3 == "-ERR" {
		ph.ErrorKind = report.KindReply
		return r, fmt.Errorf("server answered %s", redact.SafePrefix(r.Line(), 300))
	}
	if r.POP3 != "+OK" {
		ph.ErrorKind = report.KindProtocol
		return r, fmt.Errorf("unexpected continuation %q", redact.SafePrefix(line, 100))
	}
	return r, nil
}

// ParsePOP3Reply splits a POP3 status line ("+OK text", "-ERR text", or
// the SASL continuation "+ data") into status, text and Exchange's
// trailer.
func ParsePOP3Reply(line string) (*report.Reply, error) {
	line = strings.TrimRight(line, "\r\n")
	status, text, _ := strings.Cut(line, " ")
	switch {
	case status == "+":
	case strings.EqualFold(status, "+OK"), strings.EqualFold(status, "-ERR"):
		status = strings.ToUpper(status)
	default:
		return nil, fmt.Errorf("not a POP3 reply: %q", redact.SafePrefix(line, 100))
	}
	r := &report.Reply{POP3: status}
	r.Text, r.Trailer = report.SplitTrailer(redact.SafePrefix(strings.TrimSpace(text), redact.MaxTranscriptLine))
	return r, nil
}

func (p *pop3Prober) banner(ctx context.Context, ph *report.Phase) error {
	_, err := p.readStatus(ph)
	return err
}

// capa sends CAPA and records the list.
func (p *pop3Prober) capa(when string) func(context.Context, *report.Phase) error {
	return func(ctx context.Context, ph *report.Phase) error {
		ph.Note = when
		if err := p.send("CAPA", "CAPA"); err != nil {
			return err
		}
		if _, err := p.readStatus(ph); err != nil {
			return err
		}
		caps, err := p.readMulti()
		if err != nil {
			return err
		}
		p.caps = caps
		ph.Capabilities = caps
		return nil
	}
}

// readMulti reads a dot-terminated multi-line answer, bounded in lines and
// bytes.
func (p *pop3Prober) readMulti() ([]string, error) {
	var out []string
	size := 0
	for {
		line, err := p.readLine()
		if err != nil {
			return out, err
		}
		if line == "." {
			return out, nil
		}
		line = strings.TrimPrefix(line, ".") // dot-stuffing
		size += len(line) + 2
		if len(out) >= MaxPOP3CapaLines || size > MaxReplyBytes {
			return out, &LineTooLongError{Limit: MaxReplyBytes}
		}
		out = append(out, redact.SafePrefix(line, redact.MaxTranscriptLine))
	}
}

func (p *pop3Prober) stls(ctx context.Context, ph *report.Phase) error {
	if p.caps != nil && !p.hasCap("STLS") {
		ph.Note = "STLS not in the CAPA list; sent anyway"
	}
	if err := p.send("STLS", "STLS"); err != nil {
		return err
	}
	_, err := p.readStatus(ph)
	return err
}

func (p *pop3Prober) handshake(implicit bool) func(context.Context, *report.Phase) error {
	return func(ctx context.Context, ph *report.Phase) error {
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
		p.setConn(tc)
		p.caps = nil
		p.wire.event("TLS established: %s, %s", info.Version, info.Cipher)
		return nil
	}
}

func (p *pop3Prober) hasCap(name string) bool {
	for _, c := range p.caps {
		if strings.EqualFold(strings.Fields(c + " x")[0], name) {
			return true
		}
	}
	return false
}

// saslMechs is the mechanism list of the CAPA "SASL" line.
func (p *pop3Prober) saslMechs() []string {
	for _, c := range p.caps {
		f := strings.Fields(c)
		if len(f) > 0 && strings.EqualFold(f[0], "SASL") {
			return f[1:]
		}
	}
	return nil
}

// authXOAUTH2 signs in with AUTH XOAUTH2 in two lines: "AUTH XOAUTH2",
// the server's "+", then the base64 blob. Exchange Online rejects the blob
// on the AUTH line itself.
func (p *pop3Prober) authXOAUTH2(ctx context.Context, ph *report.Phase) error {
	mechs := p.saslMechs()
	p.r.Auth = &report.AuthInfo{Mechanism: "XOAUTH2", Offered: mechs, User: p.cfg.User,
		SecretSource: p.cfg.TokenSource, SecretFingerprint: redact.Fingerprint(p.cfg.Token)}
	if p.cfg.Token == "" {
		ph.ErrorKind = report.KindNoCredentials
		return errors.New("no OAuth access token for POP3 (token file or variable)")
	}
	if p.caps != nil && !containsFold(mechs, "XOAUTH2") {
		ph.ErrorKind = report.KindNotOffered
		return fmt.Errorf("the server does not offer XOAUTH2 (SASL: %s)", strings.Join(mechs, " "))
	}
	blob := base64.StdEncoding.EncodeToString([]byte("user=" + p.cfg.User + "\x01auth=Bearer " + p.cfg.Token + "\x01\x01"))
	p.cfg.Redactor.Add(blob)
	if err := p.send("AUTH XOAUTH2", "AUTH XOAUTH2"); err != nil {
		return err
	}
	line, err := p.readLine()
	if err != nil {
		return err
	}
	r, err := ParsePOP3Reply(line)
	if err != nil {
		ph.ErrorKind = report.KindProtocol
		return err
	}
	if r.POP3 != "+" {
		ph.Reply = r
		ph.ErrorKind = report.KindReply
		return fmt.Errorf("AUTH XOAUTH2 refused: %s", redact.SafePrefix(r.Line(), 300))
	}
	if err := p.send(blob, fmt.Sprintf("<XOAUTH2 response: user=%s, token %s>", p.cfg.User, redact.Fingerprint(p.cfg.Token))); err != nil {
		return err
	}
	line, err = p.readLine()
	if err != nil {
		return err
	}
	if strings.HasPrefix(line, "+ ") || line == "+" {
		// An error challenge (JSON, Google style): answer with an empty line,
		// then the final reply follows.
		if dec, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(line, "+"))); derr == nil {
			ph.Challenge = redact.SafePrefix(string(dec), 500)
		}
		if err := p.send("", ""); err != nil {
			return err
		}
		line, err = p.readLine()
		if err != nil {
			return err
		}
	}
	r, err = ParsePOP3Reply(line)
	if err != nil {
		ph.ErrorKind = report.KindProtocol
		return err
	}
	ph.Reply = r
	if r.POP3 != "+OK" {
		ph.ErrorKind = report.KindReply
		return fmt.Errorf("sign-in refused: %s", redact.SafePrefix(r.Line(), 300))
	}
	p.r.Auth.OK = true
	return nil
}

// authUserPass signs in with USER/PASS (basic POP is off in Exchange
// Online; the probe shows what the device gets).
func (p *pop3Prober) authUserPass(ctx context.Context, ph *report.Phase) error {
	p.r.Auth = &report.AuthInfo{Mechanism: "USER", Offered: p.saslMechs(), User: p.cfg.User,
		SecretSource: p.cfg.PasswordSource, SecretFingerprint: redact.Fingerprint(p.cfg.Password)}
	if p.cfg.Password == "" {
		ph.ErrorKind = report.KindNoCredentials
		return errors.New("no password for POP3")
	}
	if strings.ContainsAny(p.cfg.User+p.cfg.Password, "\r\n") {
		ph.ErrorKind = report.KindInternal
		return errors.New("user or password holds a line break")
	}
	if err := p.send("USER "+p.cfg.User, "USER "+p.cfg.User); err != nil {
		return err
	}
	if _, err := p.readStatus(ph); err != nil {
		return err
	}
	if err := p.send("PASS "+p.cfg.Password, "PASS <redacted "+redact.Fingerprint(p.cfg.Password)+">"); err != nil {
		return err
	}
	if _, err := p.readStatus(ph); err != nil {
		return err
	}
	p.r.Auth.OK = true
	return nil
}

func (p *pop3Prober) quit(ctx context.Context, ph *report.Phase) error {
	if err := p.send("QUIT", "QUIT"); err != nil {
		return err
	}
	_, err := p.readStatus(ph)
	if err != nil && ph.ErrorKind != report.KindReply {
		// The server hanging up instead of signing off is worth a note,
		// not a failure of the check.
		ph.Status = report.StatusWarn
		ph.ErrorKind = ClassifyError(err)
		ph.Error = redact.SafePrefix(err.Error(), 300)
		return nil
	}
	return err
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
