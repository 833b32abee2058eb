package report

import "crypto/tls"

// The lines drawn on a TLS session, one home for the probe's phase status
// and the diagnosis's findings (tls.legacy_version, tls.cert_expiring).
const (
	// MinTLSVersion: below it (TLS 1.0, 1.1) Microsoft retired the
	// protocol, and a session is a warning.
	MinTLSVersion uint16 = tls.VersionTLS12
	// CertWarnDays: a server certificate with fewer days left is a warning.
	CertWarnDays = 30
)

// LegacyTLS reports whether version ("TLS 1.1", as TLSInfo.Version holds
// it) is below MinTLSVersion. An unknown name is not judged.
func LegacyTLS(version string) bool {
	v, ok := TLSVersionByName(version)
	return ok && v < MinTLSVersion
}

var tlsVersions = []struct {
	name string
	v    uint16
}{
	{"1.0", tls.VersionTLS10},
	{"1.1", tls.VersionTLS11},
	{"1.2", tls.VersionTLS12},
	{"1.3", tls.VersionTLS13},
}

// TLSVersionByName maps "1.0" … "1.3" (or "TLS 1.2") to the crypto/tls
// constant.
func TLSVersionByName(name string) (uint16, bool) {
	for _, t := range tlsVersions {
		if name == t.name || name == "TLS "+t.name || name == "TLS"+t.name {
			return t.v, true
		}
	}
	return 0, false
}

// TLSVersionName maps a crypto/tls version constant to "TLS 1.2".
func TLSVersionName(v uint16) string {
	for _, t := range tlsVersions {
		if t.v == v {
			return "TLS " + t.name
		}
	}
	return tls.VersionName(v)
}
