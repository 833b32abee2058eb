package probe

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/hostport"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"golang.org/x/net/proxy"
)

// Route says how mfpcheck reaches a server: straight to the configured name,
// to another address that answers for that name (ConnectTo, curl's
// --connect-to), or through a proxy. The SMTP probe, the POP3 probe and the
// HTTP clients of the token endpoints all dial through a Route, so a
// connection goes the same way whoever makes it. The configured name is
// always the one used for SNI, the certificate check and the report.
type Route struct {
	// ConnectTo, "HOST:PORT", is dialled instead of the configured server.
	ConnectTo string
	// Proxy carries the connection when set.
	Proxy *Proxy
}

// Target returns the host and port a connection to host:port really goes
// to (ConnectTo, else host:port itself).
func (rt Route) Target(host string, port int) (string, int) {
	if rt.ConnectTo == "" {
		return host, port
	}
	h, p, err := hostport.Split(rt.ConnectTo, port)
	if err != nil {
		return host, port
	}
	return h, p
}

// connectTo is what the report records for ConnectTo: the address dialled,
// when it differs from host:port.
func (rt Route) connectTo(host string, port int) string {
	h, p := rt.Target(host, port)
	if h == host && p == port {
		return ""
	}
	return net.JoinHostPort(h, strconv.Itoa(p))
}

// setProxyKind records the kind of a proxy's refusal on the phase.
func setProxyKind(ph *report.Phase, err error) {
	var pe *ProxyError
	if errors.As(err, &pe) && pe.Kind != "" {
		ph.ErrorKind = pe.Kind
	}
}

// resolve is a probe's dns phase: it looks up the host the connection goes
// to, unless a proxy resolves it. note says what was done.
func (rt Route) resolve(ctx context.Context, r *net.Resolver, host string, port int) (addrs []string, note string, err error) {
	h, _ := rt.Target(host, port)
	if rt.Proxy != nil {
		return []string{h}, fmt.Sprintf("%s is resolved by the proxy %s", h, rt.Proxy), nil
	}
	addrs, err = Resolve(ctx, r, h)
	if err != nil {
		return nil, "", fmt.Errorf("look up %s: %w", h, err)
	}
	note = strings.Join(addrs, ", ")
	if h != host {
		note = fmt.Sprintf("%s (connect-to %s for %s)", note, h, host)
	}
	return addrs, note, nil
}

// connect is a probe's connect phase: the first of addrs that answers, or
// the proxy's tunnel to the target. used names what the connection reached.
func (rt Route) connect(ctx context.Context, d *net.Dialer, addrs []string, host string, port int) (c net.Conn, used string, err error) {
	_, p := rt.Target(host, port)
	if rt.Proxy != nil {
		addr := net.JoinHostPort(addrs[0], strconv.Itoa(p))
		c, err = rt.Proxy.Dial(ctx, d, addr)
		if err != nil {
			return nil, "", fmt.Errorf("connect to %s through the proxy %s: %w", addr, rt.Proxy, err)
		}
		return c, fmt.Sprintf("%s via %s", addr, rt.Proxy), nil
	}
	c, used, err = DialAny(ctx, d, addrs, p)
	if err != nil {
		return nil, "", fmt.Errorf("connect to %s port %d: %w", addrs[0], p, err)
	}
	return c, used, nil
}

// DialContext connects to addr along the route (ConnectTo is not applied:
// it names one server's address, not every host's). It has the signature
// of http.Transport.DialContext.
func (rt Route) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{}
	if rt.Proxy != nil {
		return rt.Proxy.Dial(ctx, d, addr)
	}
	return d.DialContext(ctx, network, addr)
}

// HTTPClient returns a client for the token and tenant endpoints that goes
// the route's way. Without a proxy of its own it follows HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY like every Go program.
func (rt Route) HTTPClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if rt.Proxy != nil {
		t.Proxy = nil
		t.DialContext = rt.DialContext
	}
	return &http.Client{Timeout: timeout, Transport: t}
}

// Proxy is a SOCKS5 (RFC 1928, user/password of RFC 1929) or HTTP CONNECT
// (RFC 9110 9.3.6) proxy. The name of the target is sent to the proxy,
// which resolves it (as curl's socks5h:// does; socks5:// is read the same
// way).
type Proxy struct {
	Scheme   string // socks5 | http
	Addr     string // host:port
	User     string
	Password string // registered with the Redactor by the probes
}

// ParseProxy reads socks5://[user:pass@]host:port, socks5h://…, or
// http://[user:pass@]host:port (default ports 1080 and 8080).
func ParseProxy(s string) (*Proxy, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("proxy %q: not a URL like socks5://host:1080 or http://host:8080", redactURL(s))
	}
	p := &Proxy{}
	port := ""
	switch strings.ToLower(u.Scheme) {
	case "socks5", "socks5h":
		p.Scheme, port = "socks5", "1080"
	case "http":
		p.Scheme, port = "http", "8080"
	default:
		return nil, fmt.Errorf("proxy %q: scheme %q is not socks5, socks5h or http", redactURL(s), u.Scheme)
	}
	if u.Port() != "" {
		port = u.Port()
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("proxy %q: %q is not a TCP port", redactURL(s), port)
	}
	p.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		p.User = u.User.Username()
		p.Password, _ = u.User.Password()
	}
	return p, nil
}

// redactURL drops a URL's password before it goes into an error message.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		return "…" + s[i:]
	}
	return s
}

// String is the proxy as the report shows it: scheme, user, host and port,
// never the password.
func (p *Proxy) String() string {
	if p == nil {
		return ""
	}
	s := p.Scheme + "://"
	if p.User != "" {
		s += url.PathEscape(p.User) + "@"
	}
	return s + p.Addr
}

// Dial opens a tunnel to addr through the proxy, reaching the proxy with d.
// ctx bounds the whole exchange.
func (p *Proxy) Dial(ctx context.Context, d *net.Dialer, addr string) (net.Conn, error) {
	if d == nil {
		d = &net.Dialer{}
	}
	if p.Scheme == "socks5" {
		var auth *proxy.Auth
		if p.User != "" {
			auth = &proxy.Auth{User: p.User, Password: p.Password}
		}
		sd, err := proxy.SOCKS5("tcp", p.Addr, auth, d)
		if err != nil {
			return nil, err
		}
		c, err := sd.(proxy.ContextDialer).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, proxyError(err)
		}
		return c, nil
	}
	return p.dialConnect(ctx, d, addr)
}

// MaxProxyReplyBytes bounds the proxy's answer to CONNECT (status line and
// headers): a real one is a few hundred bytes.
const MaxProxyReplyBytes = 16 << 10

// dialConnect tunnels with HTTP CONNECT.
func (p *Proxy) dialConnect(ctx context.Context, d *net.Dialer, addr string) (net.Conn, error) {
	c, err := d.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
		defer c.SetDeadline(time.Time{})
	}
	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if p.User != "" {
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(p.User+":"+p.Password)) + "\r\n"
	}
	if _, err := c.Write([]byte(req + "\r\n")); err != nil {
		c.Close()
		return nil, err
	}
	// The reader hands out one byte per Read, so nothing the server sends
	// after the blank line (an implicit-TLS server's first bytes) is taken
	// off the connection; the body of a 2xx answer to CONNECT is the tunnel
	// and is never read here.
	resp, err := http.ReadResponse(bufio.NewReader(&oneByteReader{c: c, n: MaxProxyReplyBytes}), &http.Request{Method: http.MethodConnect})
	if err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("proxy answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		c.Close()
		return nil, &ProxyError{Status: redact.SafePrefix(resp.Status, 200)}
	}
	return c, nil
}

// oneByteReader reads one byte per call and at most n bytes in all.
type oneByteReader struct {
	c net.Conn
	n int
}

func (r *oneByteReader) Read(b []byte) (int, error) {
	if r.n <= 0 {
		return 0, &LineTooLongError{Limit: MaxProxyReplyBytes}
	}
	if len(b) > 1 {
		b = b[:1]
	}
	n, err := r.c.Read(b)
	r.n -= n
	return n, err
}

// ProxyError is a proxy's refusal to open the tunnel.
type ProxyError struct {
	Status string           // HTTP status line or SOCKS5 reply
	Kind   report.ErrorKind // error kind of the refusal, when the proxy said why
}

func (e *ProxyError) Error() string { return "proxy refused: " + e.Status }

// proxyError turns x/net's SOCKS5 errors (strings naming RFC 1928's reply
// codes) into a ProxyError with the kind they mean.
func proxyError(err error) error {
	if err == nil {
		return nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return err
	}
	msg := err.Error()
	for _, k := range []struct {
		text string
		kind report.ErrorKind
	}{
		{"connection refused", report.KindRefused},
		{"host unreachable", report.KindUnreachable},
		{"network unreachable", report.KindUnreachable},
		{"TTL expired", report.KindTimeout},
		{"general SOCKS server failure", report.KindProtocol},
		{"not allowed by ruleset", report.KindProtocol},
	} {
		if strings.Contains(msg, "unknown error "+k.text) || strings.HasSuffix(msg, k.text) {
			return &ProxyError{Status: k.text, Kind: k.kind}
		}
	}
	return err
}
