package diag

// POP3Config is the POP3 probe's configuration (Sharp internet fax, Epson
// POP3 server field). The POP3 probe itself lives in pop3probe.go.
type POP3Config struct {
	Host       string
	Port       int
	Security   string // tls (995) | starttls (110, STLS) | none
	ServerName string
	VerifyCert bool
	AuthMethod string // oauth2 | basic | none
	User       string
	Token      string
	Password   string
}
