package report

// ErrorKind classifies a phase's error; the diagnosis keys on it. The
// values are part of the JSON schema.
type ErrorKind string

// Error kinds recorded in Phase.ErrorKind.
const (
	KindTimeout         ErrorKind = "timeout"
	KindRefused         ErrorKind = "refused"
	KindUnreachable     ErrorKind = "unreachable"
	KindReset           ErrorKind = "reset"
	KindClosed          ErrorKind = "closed"
	KindDNS             ErrorKind = "dns"
	KindTLSHandshake    ErrorKind = "tls_handshake"
	KindTLSVersion      ErrorKind = "tls_version"
	KindNotTLS          ErrorKind = "not_tls"      // plain text where TLS was expected
	KindTLSOnPlain      ErrorKind = "tls_on_plain" // TLS where plain SMTP was expected
	KindCertExpired     ErrorKind = "cert_expired"
	KindCertNotYetValid ErrorKind = "cert_not_yet_valid"
	KindCertHost        ErrorKind = "cert_host"
	KindCertUntrusted   ErrorKind = "cert_untrusted"
	KindCertWeakKey     ErrorKind = "cert_weak_key"
	KindProtocol        ErrorKind = "protocol"
	KindTooLong         ErrorKind = "too_long"
	KindNotOffered      ErrorKind = "not_offered"
	KindNoCredentials   ErrorKind = "no_credentials"
	KindReply           ErrorKind = "reply" // the server answered with an error reply
	KindCanceled        ErrorKind = "canceled"
	KindInternal        ErrorKind = "internal"
)

// Kinds of failure that happen on this computer (the one mfpcheck runs
// on), not between the device and the server: the test could not be made
// from here, and says nothing about the device.
const (
	// KindOffline: this computer has no route to the network (no default
	// gateway, no interface up): it is offline.
	KindOffline ErrorKind = "offline"
	// KindNoDNS: this computer's DNS server did not answer (not "no such
	// name", which is an answer).
	KindNoDNS ErrorKind = "no_dns"
	// KindBudget: the whole check's time limit (--timeout) ended a phase
	// before the phase's own limit; the server may merely be slow.
	KindBudget ErrorKind = "budget"
)
