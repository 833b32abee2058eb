// Package profileinit builds a device profile from answers: the questions
// "mfpcheck init" asks (fields.yaml: what each one fills and where the
// device's web page shows it, per maker and language), and the commented
// YAML it writes. The profile is validated by profile.Parse before it
// is returned, so what init writes always loads.
package profileinit

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/mfpcheck/mfpcheck/diag/profile"
)

//go:embed fields.yaml
var fieldsYAML []byte

// Field is one question.
type Field struct {
	Key     string            `yaml:"key"` // dotted profile field
	Ask     map[string]string `yaml:"ask"`
	Default string            `yaml:"default"`
	// Menu is where the device shows the setting, per vendor and language.
	Menu map[string]map[string]string `yaml:"menu"`
	// Only: the question is asked only for this auth method.
	Only string `yaml:"only"`
}

type form struct {
	Pages  map[string]map[string]string `yaml:"pages"`
	Fields []Field                      `yaml:"fields"`
}

// theForm is fields.yaml, read at its first use: parsing it at program
// start cost every mfpcheck command a millisecond.
var theForm = sync.OnceValue(func() form {
	var f form
	if err := yaml.Unmarshal(fieldsYAML, &f); err != nil {
		panic("profileinit: fields.yaml: " + err.Error())
	}
	return f
})

// Fields are the questions, in the order init asks them.
func Fields() []Field { return theForm().Fields }

// Vendors are the makers a profile knows.
var Vendors = []string{"epson", "ricoh", "nashuatec", "sharp", "other"}

// pick returns m[lang], else the first of en, de, fr that m has.
func pick(m map[string]string, lang string) string {
	for _, l := range []string{lang, "en", "de", "fr"} {
		if v := m[l]; v != "" {
			return v
		}
	}
	return ""
}

// vendorKey maps Nashuatec (Ricoh-built) to Ricoh's menu names.
func vendorKey(vendor string) string {
	if vendor == "nashuatec" {
		return "ricoh"
	}
	return vendor
}

// Page is where the vendor's email settings are ("" when unknown).
func Page(vendor, lang string) string { return pick(theForm().Pages[vendor], lang) }

// Question is the field's question in lang.
func (f Field) Question(lang string) string { return pick(f.Ask, lang) }

// MenuName is the vendor's own name for the setting ("" when the makers'
// guides do not name it).
func (f Field) MenuName(vendor, lang string) string {
	return pick(f.Menu[vendorKey(vendor)], lang)
}

// Applies reports whether the field is asked for this auth method.
func (f Field) Applies(authMethod string) bool { return f.Only == "" || f.Only == authMethod }

// Answers are the values given, by dotted key ("smtp.server"), plus
// "device.vendor" and "device.firmware" (from FromDevice).
type Answers map[string]string

// Build writes the commented profile for the answers (defaults filled in)
// and checks it with profile.Parse; name is used in errors.
func Build(name string, a Answers, lang string) ([]byte, error) {
	get := func(key string) string {
		if v := strings.TrimSpace(a[key]); v != "" {
			return v
		}
		for _, f := range theForm().Fields {
			if f.Key == key {
				return f.Default
			}
		}
		return ""
	}
	vendor := strings.ToLower(get("device.vendor"))
	auth := strings.ToLower(get("email.auth_method"))
	server := get("smtp.server")
	var b strings.Builder
	fmt.Fprintf(&b, "# Device profile written by mfpcheck init. Check it against the device's web page")
	if p := Page(vendor, lang); p != "" {
		fmt.Fprintf(&b, ":\n#   %s", p)
	}
	b.WriteString("\n# Every field is described in README.md, \"Device profile\".\n")
	line := func(indent, key, value, comment string) {
		fmt.Fprintf(&b, "%s%s: %s", indent, key, value)
		if comment != "" {
			fmt.Fprintf(&b, "  # %s", comment)
		}
		b.WriteString("\n")
	}
	field := func(key string) Field {
		for _, f := range theForm().Fields {
			if f.Key == key {
				return f
			}
		}
		return Field{Key: key}
	}
	section := ""
	put := func(key, value string) {
		sec, k, _ := strings.Cut(key, ".")
		if sec != section {
			fmt.Fprintf(&b, "%s:\n", sec)
			section = sec
		}
		line("  ", k, value, field(key).MenuName(vendor, lang))
	}
	name0 := get("device.name")
	if name0 == "" {
		name0 = strings.TrimSpace(titleCase(vendor) + " " + get("device.model"))
	}
	put("device.name", quote(name0))
	put("device.vendor", quote(vendor))
	for _, k := range []string{"device.model", "device.firmware", "device.address"} {
		if v := get(k); v != "" {
			put(k, quote(v))
		}
	}
	put("email.auth_method", quote(auth))
	put("email.service", quote(service(server)))
	if v := get("email.sender"); v != "" {
		put("email.sender", quote(v))
	}
	put("smtp.server", quote(server))
	port := get("smtp.port")
	if _, err := strconv.Atoi(port); err != nil {
		return nil, &profile.ProfileError{File: name, Field: "smtp.port", Msg: fmt.Sprintf("%q is not a port number", port)}
	}
	put("smtp.port", port)
	put("smtp.security", quote(strings.ToLower(get("smtp.security"))))
	verify, ok := yesNo(get("smtp.verify_cert"))
	if !ok {
		return nil, &profile.ProfileError{File: name, Field: "smtp.verify_cert", Msg: fmt.Sprintf("%q is not yes or no", get("smtp.verify_cert"))}
	}
	put("smtp.verify_cert", strconv.FormatBool(verify))
	if v := get("smtp.user"); v != "" {
		put("smtp.user", quote(v))
	}
	if auth == "basic" {
		line("  ", "password_env", "MFPCHECK_PASSWORD", "the variable holding the password; passwords are never stored here")
	}
	if v := get("pop3.server"); v != "" {
		put("pop3.server", quote(v))
	}
	if auth == "oauth2" {
		for _, k := range []string{"oauth.tenant", "oauth.client_id", "oauth.token_file"} {
			if v := get(k); v != "" {
				put(k, quote(v))
			}
		}
		if get("oauth.client_id") == "" {
			b.WriteString("  # client_id: the Application (client) ID of the app registration mfpcheck login uses\n")
		}
	}
	data := []byte(b.String())
	if _, err := profile.Parse(name, data); err != nil {
		return nil, err
	}
	return data, nil
}

// service is the email.service for a server name.
func service(server string) string {
	switch strings.ToLower(server) {
	case "smtp.office365.com", "outlook.office365.com":
		return "exchange-online"
	case "smtp-mail.outlook.com":
		return "outlook.com"
	}
	return "other"
}

func yesNo(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "y", "true", "on", "1", "ja", "j", "oui", "o", "enable":
		return true, true
	case "no", "n", "false", "off", "0", "nein", "non", "disable":
		return false, true
	}
	return false, false
}

// quote writes a YAML scalar safely (quoted when it needs to be).
func quote(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return strconv.Quote(s)
	}
	return strings.TrimSuffix(string(out), "\n")
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
