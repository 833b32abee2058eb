package profile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/hostport"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
	"go.yaml.in/yaml/v3"
)

// Profile describes one device as its web page (Epson Web Config, Ricoh Web
// Image Monitor, Sharp's web page) shows it. It is read from YAML; see
// fixtures/*.yaml and README.md for the format.
type Profile struct {
	Device       ProfileDevice       `yaml:"device" json:"device"`
	Email        ProfileEmail        `yaml:"email" json:"email"`
	SMTP         ProfileSMTP         `yaml:"smtp" json:"smtp"`
	POP3         *ProfilePOP3        `yaml:"pop3,omitempty" json:"pop3,omitempty"`
	OAuth        ProfileOAuth        `yaml:"oauth,omitempty" json:"oauth"`
	Capabilities ProfileCapabilities `yaml:"capabilities,omitempty" json:"capabilities"`

	// File is the path the profile was read from (not part of the YAML).
	File string `yaml:"-" json:"file,omitempty"`
}

// ProfileDevice is the device's identity.
type ProfileDevice struct {
	Name     string `yaml:"name" json:"name"`
	Vendor   string `yaml:"vendor" json:"vendor"` // epson | ricoh | sharp | other
	Model    string `yaml:"model,omitempty" json:"model,omitempty"`
	Address  string `yaml:"address,omitempty" json:"address,omitempty"`
	Firmware string `yaml:"firmware,omitempty" json:"firmware,omitempty"`
	// Site groups devices for monitoring (a label in mfpcheck serve's
	// service discovery); free text.
	Site string `yaml:"site,omitempty" json:"site,omitempty"`
	// Network is "standard" or "additional" (Epson models with a second
	// network; OAuth 2.0 works only on the standard one).
	Network string `yaml:"network,omitempty" json:"network,omitempty"`
}

// ProfileEmail is the device's email settings.
type ProfileEmail struct {
	AuthMethod report.AuthMethod `yaml:"auth_method" json:"auth_method"`
	Service    string            `yaml:"service" json:"service"` // exchange-online | outlook.com | other
	Sender     string            `yaml:"sender,omitempty" json:"sender,omitempty"`
	Admin      string            `yaml:"admin,omitempty" json:"admin,omitempty"`
	// AutoSender is Ricoh's [Auto Specify Sender Name]: On means the device
	// sends as the administrator address by itself.
	AutoSender bool `yaml:"auto_sender,omitempty" json:"auto_sender,omitempty"`
}

// ProfileSMTP is the SMTP server the device is set to.
type ProfileSMTP struct {
	Server     string          `yaml:"server" json:"server"`
	Port       int             `yaml:"port,omitempty" json:"port,omitempty"`
	Security   report.Security `yaml:"security,omitempty" json:"security,omitempty"` // starttls | tls | none
	VerifyCert *bool           `yaml:"verify_cert,omitempty" json:"verify_cert,omitempty"`
	User       string          `yaml:"user,omitempty" json:"user,omitempty"`
	// PasswordEnv names the environment variable holding the basic-auth
	// password. Passwords are never stored in a profile.
	PasswordEnv string `yaml:"password_env,omitempty" json:"password_env,omitempty"`
	// Timeout is the device's own SMTP timeout (Sharp shows one), e.g. "30s".
	Timeout string `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// ConnectTo, "HOST:PORT", is dialled instead of Server:Port, which is
	// still the name checked against the certificate (curl's --connect-to).
	ConnectTo string `yaml:"connect_to,omitempty" json:"connect_to,omitempty"`
}

// ProfilePOP3 is the optional POP3 server (Sharp internet fax, Epson).
type ProfilePOP3 struct {
	Server     string          `yaml:"server" json:"server"`
	Port       int             `yaml:"port,omitempty" json:"port,omitempty"`
	Security   report.Security `yaml:"security,omitempty" json:"security,omitempty"` // tls | starttls | none
	VerifyCert *bool           `yaml:"verify_cert,omitempty" json:"verify_cert,omitempty"`
	User       string          `yaml:"user,omitempty" json:"user,omitempty"`
	TokenFile  string          `yaml:"token_file,omitempty" json:"token_file,omitempty"`
	ConnectTo  string          `yaml:"connect_to,omitempty" json:"connect_to,omitempty"`
}

// ProfileOAuth is the OAuth 2.0 sign-in the device uses.
type ProfileOAuth struct {
	Tenant    string `yaml:"tenant,omitempty" json:"tenant,omitempty"`
	ClientID  string `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	TokenFile string `yaml:"token_file,omitempty" json:"token_file,omitempty"`
	// Authority overrides https://login.microsoftonline.com (national
	// clouds, tests).
	Authority string `yaml:"authority,omitempty" json:"authority,omitempty"`
}

// ProfileCapabilities is what the device's firmware can do, so the probe can
// behave like it.
type ProfileCapabilities struct {
	MaxTLS     string   `yaml:"max_tls,omitempty" json:"max_tls,omitempty"` // 1.0 | 1.1 | 1.2 | 1.3
	Mechanisms []string `yaml:"mechanisms,omitempty" json:"mechanisms,omitempty"`
	Greeting   string   `yaml:"greeting,omitempty" json:"greeting,omitempty"` // ehlo | helo
	// OAuth2 is false when the firmware cannot do OAuth 2.0.
	OAuth2 *bool `yaml:"oauth2,omitempty" json:"oauth2,omitempty"`
}

// ProfileError is a problem in a profile file, with the line it is on.
type ProfileError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *ProfileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "%s: ", e.Field)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// MaxProfileSize bounds what LoadProfile reads; a profile is a few hundred
// bytes.
const MaxProfileSize = 1 << 20

// LoadProfile reads and checks a profile file.
func Load(path string) (*Profile, error) {
	data, _, err := safefile.ReadFile(path, MaxProfileSize)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	p, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	p.resolvePaths(filepath.Dir(path))
	return p, nil
}

// resolvePaths makes token file paths relative to the profile's folder.
func (p *Profile) resolvePaths(dir string) {
	rel := func(s string) string {
		if s == "" || filepath.IsAbs(s) {
			return s
		}
		return filepath.Join(dir, s)
	}
	p.OAuth.TokenFile = rel(p.OAuth.TokenFile)
	if p.POP3 != nil {
		p.POP3.TokenFile = rel(p.POP3.TokenFile)
	}
}

// ParseProfile decodes a profile from YAML. name is used in errors.
// Unknown keys, wrong types and missing required fields are errors naming
// the file, the line and the field.
func Parse(name string, data []byte) (*Profile, error) {
	if len(data) > MaxProfileSize {
		return nil, &ProfileError{File: name, Msg: fmt.Sprintf("file is larger than %d bytes", MaxProfileSize)}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		perr := yamlError(name, err)
		var pe *ProfileError
		if errors.As(perr, &pe) && pe.Line > 0 {
			if lines := strings.Split(string(data), "\n"); pe.Line <= len(lines) && strings.Contains(lines[pe.Line-1], "\t") {
				pe.Msg += " (a tab: YAML indents with spaces)"
			}
		}
		return nil, perr
	}
	if len(root.Content) == 0 {
		return nil, &ProfileError{File: name, Msg: "profile is empty"}
	}
	if err := plainKeys(name, &root, 0); err != nil {
		return nil, err
	}
	var prof Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&prof); err != nil {
		return nil, yamlErrorIn(name, err, &root)
	}
	prof.File = name
	if err := prof.check(name, root.Content[0]); err != nil {
		return nil, err
	}
	prof.applyDefaults()
	return &prof, nil
}

// maxYAMLDepth bounds nesting; a profile is three levels deep.
const maxYAMLDepth = 32

// plainKeys checks that every mapping key is a plain scalar (no mapping or
// list used as a key) and that nesting stays shallow.
func plainKeys(name string, n *yaml.Node, depth int) error {
	if depth > maxYAMLDepth {
		return &ProfileError{File: name, Line: n.Line, Msg: "nested too deeply"}
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind != yaml.ScalarNode {
				return &ProfileError{File: name, Line: k.Line, Msg: "a key must be a plain name, not a list or a mapping"}
			}
		}
	}
	for _, c := range n.Content {
		if err := plainKeys(name, c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

var (
	yamlLineRe = regexp.MustCompile(`line (\d+): (.*)`)
	typeErrRe  = regexp.MustCompile("cannot unmarshal !!\\w+ `(.*)` into (\\S+)")
)

// yamlError turns a YAML decoder error into a ProfileError with the first line it
// names.
func yamlError(name string, err error) error { return yamlErrorIn(name, err, nil) }

// yamlErrorIn is yamlError with the parsed document, so an unknown key or
// a value of the wrong type is named by its full path ("smtp.securty")
// and an unknown key gets the closest known ones ("did you mean
// security?").
func yamlErrorIn(name string, err error, root *yaml.Node) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		text := m[2]
		field := ""
		path, parent, found := "", "", false
		if root != nil {
			path, parent, found = keyAt(root, line, "")
		}
		if f := regexp.MustCompile(`field (\S+) not found`).FindStringSubmatch(text); f != nil {
			field = f[1]
			if found && strings.HasSuffix(path, f[1]) {
				field = path
			} else if found {
				// The key's own line differs from its value's: the
				// mapping found is the one holding it.
				parent = path
				field = strings.TrimPrefix(path+"."+f[1], ".")
			}
			text = unknownKeyMsg(parent, f[1])
		} else if found && strings.Contains(text, "cannot unmarshal") {
			field = path
			if t := typeErrRe.FindStringSubmatch(text); t != nil {
				want := map[string]string{"int": "a number", "bool": "true or false", "[]string": "a list"}[t[2]]
				if want == "" {
					want = "a " + t[2]
				}
				text = fmt.Sprintf("%q is not %s", t[1], want)
			}
		}
		return &ProfileError{File: name, Line: line, Field: field, Msg: text}
	}
	return &ProfileError{File: name, Msg: msg}
}

// nodeLine finds the line of a dotted key path ("smtp.port") in a YAML
// mapping, or the line of the deepest parent found.
func nodeLine(n *yaml.Node, path string) int {
	line := n.Line
	for _, key := range strings.Split(path, ".") {
		index := -1
		if i := strings.IndexByte(key, '['); i > 0 && strings.HasSuffix(key, "]") {
			index, _ = strconv.Atoi(key[i+1 : len(key)-1])
			key = key[:i]
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line = n.Content[i].Line
				n = n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			return line
		}
		if index >= 0 && n.Kind == yaml.SequenceNode && index < len(n.Content) {
			n = n.Content[index]
			line = n.Line
		}
	}
	return line
}

func (p *Profile) check(name string, root *yaml.Node) error {
	fail := func(field, msg string) error {
		return &ProfileError{File: name, Line: nodeLine(root, field), Field: field, Msg: msg}
	}
	oneOf := func(field, v string, allowed ...string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fail(field, fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", ")))
	}
	required := []struct{ field, value string }{
		{"device.name", p.Device.Name},
		{"device.vendor", p.Device.Vendor},
		{"email.auth_method", string(p.Email.AuthMethod)},
		{"email.service", p.Email.Service},
		{"smtp.server", p.SMTP.Server},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			return fail(r.field, "required field is missing")
		}
	}
	if err := oneOf("device.vendor", p.Device.Vendor, "epson", "ricoh", "nashuatec", "sharp", "other"); err != nil {
		return err
	}
	if p.Device.Network != "" {
		if err := oneOf("device.network", p.Device.Network, "standard", "additional"); err != nil {
			return err
		}
	}
	if err := oneOf("email.auth_method", string(p.Email.AuthMethod), "oauth2", "basic", "none"); err != nil {
		return err
	}
	if err := oneOf("email.service", p.Email.Service, "exchange-online", "outlook.com", "other"); err != nil {
		return err
	}
	if p.SMTP.Security != "" {
		if err := oneOf("smtp.security", string(p.SMTP.Security), "starttls", "tls", "none"); err != nil {
			return err
		}
	}
	if p.SMTP.Port < 0 || p.SMTP.Port > 65535 {
		return fail("smtp.port", fmt.Sprintf("%d is not a TCP port", p.SMTP.Port))
	}
	if err := checkConnectTo(p.SMTP.ConnectTo); err != nil {
		return fail("smtp.connect_to", err.Error())
	}
	if p.POP3 != nil {
		if err := checkConnectTo(p.POP3.ConnectTo); err != nil {
			return fail("pop3.connect_to", err.Error())
		}
	}
	if p.SMTP.Timeout != "" {
		if _, err := parseDuration(p.SMTP.Timeout); err != nil {
			return fail("smtp.timeout", err.Error())
		}
	}
	if p.POP3 != nil {
		if p.POP3.Server == "" {
			return fail("pop3.server", "required field is missing")
		}
		if p.POP3.Security != "" {
			if err := oneOf("pop3.security", string(p.POP3.Security), "tls", "starttls", "none"); err != nil {
				return err
			}
		}
		if p.POP3.Port < 0 || p.POP3.Port > 65535 {
			return fail("pop3.port", fmt.Sprintf("%d is not a TCP port", p.POP3.Port))
		}
	}
	if p.Capabilities.MaxTLS != "" {
		if _, ok := report.TLSVersionByName(p.Capabilities.MaxTLS); !ok {
			return fail("capabilities.max_tls", fmt.Sprintf("%q is not one of 1.0, 1.1, 1.2, 1.3", p.Capabilities.MaxTLS))
		}
	}
	if p.Capabilities.Greeting != "" {
		if err := oneOf("capabilities.greeting", p.Capabilities.Greeting, "ehlo", "helo"); err != nil {
			return err
		}
	}
	for i, m := range p.Capabilities.Mechanisms {
		if err := oneOf(fmt.Sprintf("capabilities.mechanisms[%d]", i), strings.ToUpper(m), "XOAUTH2", "OAUTHBEARER", "LOGIN", "PLAIN", "CRAM-MD5", "NTLM"); err != nil {
			return err
		}
	}
	for _, addr := range []struct{ field, v string }{
		{"email.sender", p.Email.Sender}, {"email.admin", p.Email.Admin}, {"smtp.user", p.SMTP.User},
	} {
		if addr.v != "" && strings.ContainsAny(addr.v, "\r\n<> ") {
			return fail(addr.field, fmt.Sprintf("%q is not an address", addr.v))
		}
	}
	return nil
}

// checkConnectTo accepts "" or HOST:PORT (IPv6 in brackets).
func checkConnectTo(s string) error {
	if s == "" {
		return nil
	}
	h, port, err := hostport.Split(s, 0)
	if err != nil {
		return err
	}
	if h == "" || port == 0 {
		return fmt.Errorf("%q is not HOST:PORT", s)
	}
	return nil
}

// applyDefaults fills what a device would use when a field is left out.
func (p *Profile) applyDefaults() {
	if p.SMTP.Security == "" {
		p.SMTP.Security = "starttls"
	}
	if p.SMTP.Port == 0 {
		p.SMTP.Port = DefaultPort(p.SMTP.Security)
	}
	if p.POP3 != nil {
		if p.POP3.Security == "" {
			p.POP3.Security = "tls"
		}
		if p.POP3.Port == 0 {
			p.POP3.Port = 995
			if p.POP3.Security != "tls" {
				p.POP3.Port = 110
			}
		}
		if p.POP3.User == "" {
			p.POP3.User = p.SMTP.User
		}
	}
	for i, m := range p.Capabilities.Mechanisms {
		p.Capabilities.Mechanisms[i] = strings.ToUpper(m)
	}
}

// VerifyCertOn reports whether the device validates the server certificate
// (default on, as every device recommends).
func (s ProfileSMTP) VerifyCertOn() bool { return s.VerifyCert == nil || *s.VerifyCert }

// DefaultPort is the port for a security mode: 465 for implicit TLS, 587
// otherwise (Exchange Online's submission port).
func DefaultPort(security report.Security) int {
	if security == "tls" {
		return 465
	}
	return 587
}

// DeviceInfo returns the report's view of the profile's device.
func (p *Profile) DeviceInfo() *report.Device {
	return &report.Device{
		Name:            p.Device.Name,
		Vendor:          p.Device.Vendor,
		Model:           p.Device.Model,
		Address:         p.Device.Address,
		Firmware:        p.Device.Firmware,
		Network:         p.Device.Network,
		AuthMethod:      p.Email.AuthMethod,
		EmailService:    p.Email.Service,
		Sender:          p.Email.Sender,
		Admin:           p.Email.Admin,
		AutoSender:      p.Email.AutoSender,
		OAuth2Supported: p.Capabilities.OAuth2,
		ProfileFile:     p.File,
	}
}

func parseDuration(s string) (d report.Duration, err error) {
	td, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (like 30s or 1m)", s)
	}
	return report.Duration(td), nil
}

func readFileLimited(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxProfileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxProfileSize)
	}
	return b, nil
}
