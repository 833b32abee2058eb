package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ClassifyError maps a network, TLS or certificate error to an error kind.
func ClassifyError(err error) report.ErrorKind {
	if err == nil {
		return ""
	}
	var (
		ne      net.Error
		dnsErr  *net.DNSError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		unkErr  x509.UnknownAuthorityError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		certErr *tls.CertificateVerificationError
		tooLong *LineTooLongError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return report.KindCanceled
	case errors.As(err, &tooLong):
		return report.KindTooLong
	case errors.As(err, &dnsErr):
		return report.KindDNS
	case errors.As(err, &hostErr):
		return report.KindCertHost
	case errors.As(err, &invErr):
		switch invErr.Reason {
		case x509.Expired:
			if !invErr.Cert.NotBefore.IsZero() && time.Now().Before(invErr.Cert.NotBefore) {
				return report.KindCertNotYetValid
			}
			return report.KindCertExpired
		}
		return report.KindCertUntrusted
	case errors.As(err, &unkErr):
		return report.KindCertUntrusted
	case errors.As(err, &certErr):
		return report.KindCertUntrusted
	case errors.As(err, &recErr):
		return report.KindNotTLS
	case errors.As(err, &alert):
		if uint8(alert) == 70 { // protocol_version
			return report.KindTLSVersion
		}
		return report.KindTLSHandshake
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return report.KindTimeout
	case errors.As(err, &ne) && ne.Timeout():
		return report.KindTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return report.KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return report.KindReset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return report.KindUnreachable
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return report.KindClosed
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "protocol version"), strings.Contains(msg, "no supported versions"):
		return report.KindTLSVersion
	case strings.Contains(msg, "tls:"):
		return report.KindTLSHandshake
	}
	return report.KindProtocol
}

// Resolve looks host up and returns every address. An IP literal resolves
// to itself.
func Resolve(ctx context.Context, r *net.Resolver, host string) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}, nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupHost(ctx, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("lookup %s: no addresses", host)
	}
	return addrs, nil
}

// DialAny connects to the first address that answers, trying each in turn
// within ctx. It returns the connection and the address used.
func DialAny(ctx context.Context, d *net.Dialer, addrs []string, port int) (net.Conn, string, error) {
	if d == nil {
		d = &net.Dialer{}
	}
	var errs []error
	for _, a := range addrs {
		hp := net.JoinHostPort(a, strconv.Itoa(port))
		c, err := d.DialContext(ctx, "tcp", hp)
		if err == nil {
			return c, hp, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, "", errors.Join(errs...)
}

// TLSCheck records the outcome of certificate verification done during the
// handshake, whether or not a failure aborted it.
type TLSCheck struct {
	Verified  bool
	HostMatch bool
	Err       error
}

// ClientTLSConfig returns the TLS configuration the probe uses. The chain
// and host name are always verified (in VerifyConnection, so the result is
// recorded); with verify false a failure is recorded but does not stop the
// handshake, which is what a device with "Certificate Validation: Disable"
// does. maxVersion 0 means the library's highest.
func ClientTLSConfig(serverName string, roots *x509.CertPool, verify bool, maxVersion uint16, check *TLSCheck, now func() time.Time) *tls.Config {
	if now == nil {
		now = time.Now
	}
	c := &tls.Config{
		ServerName: serverName,
		MaxVersion: maxVersion,
		MinVersion: tls.VersionTLS10,
		// The key exchange groups an MFP's TLS stack offers. Go would
		// lead with the X25519MLKEM768 hybrid, which no device firmware
		// sends and which costs a fleet check CPU on both sides for a
		// key share the device would never make.
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384},
	}
	if maxVersion != 0 && maxVersion < tls.VersionTLS12 {
		// Old devices offer the CBC suites of their day.
		c.CipherSuites = legacyCipherSuites()
	}
	// crypto/tls's own check is replaced by VerifyConnection below, which
	// performs the same verification and records its result.
	c.InsecureSkipVerify = true
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		err := verifyState(cs, serverName, roots, now())
		check.Err = err
		check.Verified = err == nil
		check.HostMatch = len(cs.PeerCertificates) > 0 && cs.PeerCertificates[0].VerifyHostname(serverName) == nil
		if err != nil && !verify {
			return nil
		}
		return err
	}
	return c
}

func legacyCipherSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		if strings.Contains(s.Name, "CBC_SHA") && !strings.Contains(s.Name, "3DES") {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// MinRSABits is the smallest RSA key a verified chain may carry.
const MinRSABits = 2048

func verifyState(cs tls.ConnectionState, serverName string, roots *x509.CertPool, now time.Time) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("server sent no certificate")
	}
	opts := x509.VerifyOptions{
		Roots:         roots,
		CurrentTime:   now,
		DNSName:       serverName,
		Intermediates: x509.NewCertPool(),
	}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
		return err
	}
	if k, ok := cs.PeerCertificates[0].PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < MinRSABits {
		return &WeakKeyError{Bits: k.N.BitLen()}
	}
	return nil
}

// WeakKeyError is a verified chain whose leaf key is too short.
type WeakKeyError struct{ Bits int }

func (e *WeakKeyError) Error() string {
	return fmt.Sprintf("x509: certificate uses a %d-bit RSA key (at least %d expected)", e.Bits, MinRSABits)
}

// CertKind classifies a certificate verification error like ClassifyError.
func CertKind(err error) report.ErrorKind {
	var wk *WeakKeyError
	if errors.As(err, &wk) {
		return report.KindCertWeakKey
	}
	return ClassifyError(err)
}

// TLSInfoFrom turns a finished handshake into report data.
func TLSInfoFrom(cs tls.ConnectionState, serverName string, implicit bool, rootsName string, check *TLSCheck, now time.Time) *report.TLSInfo {
	info := &report.TLSInfo{
		Version:    report.TLSVersionName(cs.Version),
		Cipher:     tls.CipherSuiteName(cs.CipherSuite),
		ServerName: serverName,
		Implicit:   implicit,
		Roots:      rootsName,
	}
	if check != nil {
		info.Verified = check.Verified
		info.HostMatch = check.HostMatch
		if check.Err != nil {
			info.VerifyError = redact.SafePrefix(check.Err.Error(), 500)
		}
	}
	for _, c := range cs.PeerCertificates {
		info.Chain = append(info.Chain, CertInfoFrom(c, now))
	}
	return info
}

// CertInfoFrom describes one certificate.
func CertInfoFrom(c *x509.Certificate, now time.Time) report.CertInfo {
	ci := report.CertInfo{
		Subject:   redact.SafePrefix(c.Subject.String(), 500),
		Issuer:    redact.SafePrefix(c.Issuer.String(), 500),
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		DaysLeft:  int(c.NotAfter.Sub(now).Hours() / 24),
	}
	for _, n := range c.DNSNames {
		ci.SANs = append(ci.SANs, redact.SafePrefix(n, 300))
	}
	for _, ip := range c.IPAddresses {
		ci.SANs = append(ci.SANs, ip.String())
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		ci.KeyType = fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		ci.KeyType = "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		ci.KeyType = "Ed25519"
	}
	return ci
}

// MaxCAFile bounds a --ca file: the system bundle is about 200 KiB.
const MaxCAFile = 4 << 20

// LoadCAFile reads PEM certificates to verify against instead of the system
// roots.
func LoadCAFile(path string) (*x509.CertPool, error) {
	pem, _, err := safefile.ReadFile(path, MaxCAFile)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate found", path)
	}
	return pool, nil
}

// LineTooLongError is a server line longer than the protocol allows.
type LineTooLongError struct{ Limit int }

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("server sent a line longer than %d bytes", e.Limit)
}
