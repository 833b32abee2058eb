package report

import "crypto/tls"

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
