package probe

import (
	"crypto/tls"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testpki"
)

// TestClientOffersTheDevicesGroups: the probe's ClientHello offers the key
// exchange groups a printer's TLS stack offers (X25519, P-256, P-384), not
// Go's post-quantum hybrid first, for every TLS version it may cap at.
func TestClientOffersTheDevicesGroups(t *testing.T) {
	now := time.Now()
	pki, err := testpki.New("curves test CA", now, now)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pki.TLSConfig(testpki.Good)
	if err != nil {
		t.Fatal(err)
	}
	for _, maxVersion := range []uint16{0, tls.VersionTLS12} {
		offered := make(chan []tls.CurveID, 1)
		cfg := srv.Clone()
		cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			offered <- hello.SupportedCurves
			return nil, nil
		}
		a, b := net.Pipe()
		go func() {
			defer b.Close()
			tls.Server(b, cfg).Handshake()
		}()
		var check TLSCheck
		c := tls.Client(a, ClientTLSConfig("localhost", pki.Pool(), true, maxVersion, &check, nil))
		err := c.Handshake()
		c.Close()
		if err != nil {
			t.Fatalf("max version %#x: handshake: %v", maxVersion, err)
		}
		got := <-offered
		want := []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}
		if !slices.Equal(got, want) {
			t.Errorf("max version %#x: ClientHello offers %v, want %v", maxVersion, got, want)
		}
	}
}
