package probe

// POP3Config is the POP3 probe's configuration (Sharp internet fax, Epson
// POP3 server field): a Session, the same shape as the SMTP probe's. The
// POP3 probe itself lives in pop3probe.go.
type POP3Config struct {
	Session
}
