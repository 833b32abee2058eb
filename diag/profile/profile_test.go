package profile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestExampleProfilesLoad(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/profiles/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("example profiles: %v %v", files, err)
	}
	vendors := map[string]bool{}
	for _, f := range files {
		p, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		vendors[p.Device.Vendor] = true
		if p.SMTP.Port == 0 || p.SMTP.Security == "" {
			t.Errorf("%s: defaults not applied: %+v", f, p.SMTP)
		}
		if p.OAuth.TokenFile != "" && !filepath.IsAbs(p.OAuth.TokenFile) && !strings.HasPrefix(p.OAuth.TokenFile, filepath.Dir(f)) {
			t.Errorf("%s: token file %q not resolved against the profile's folder", f, p.OAuth.TokenFile)
		}
	}
	for _, v := range []string{"epson", "ricoh", "sharp"} {
		if !vendors[v] {
			t.Errorf("no example profile for %s", v)
		}
	}
}

func TestProfileErrorsNameLineAndField(t *testing.T) {
	base := "device:\n  name: X\n  vendor: epson\nemail:\n  auth_method: oauth2\n  service: exchange-online\nsmtp:\n  server: smtp.office365.com\n"
	cases := []struct {
		name, yaml string
		line       int
		field      string
	}{
		{"unknown key", base + "  colour: red\n", 9, "smtp.colour"},
		{"wrong type", base + "  port: lots\n", 9, ""},
		{"missing vendor", strings.Replace(base, "  vendor: epson\n", "", 1), 1, "device.vendor"},
		{"bad security", base + "  security: ssl\n", 9, "smtp.security"},
		{"bad port", base + "  port: 70000\n", 9, "smtp.port"},
		{"bad max tls", base + "capabilities:\n  max_tls: \"0.9\"\n", 10, "capabilities.max_tls"},
		{"bad mechanism", base + "capabilities:\n  mechanisms: [GSSAPI]\n", 10, "capabilities.mechanisms[0]"},
		{"pop3 without server", base + "pop3:\n  port: 995\n", 9, "pop3.server"},
		{"address with newline", strings.Replace(base, "email:\n", "email:\n  sender: \"a@b\\nRCPT TO:<x>\"\n", 1), 5, "email.sender"},
		{"bad timeout", base + "  timeout: soon\n", 9, "smtp.timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(c.yaml))
			var pe *ProfileError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ProfileError", err)
			}
			if pe.File != "p.yaml" || pe.Line != c.line || (c.field != "" && pe.Field != c.field) {
				t.Fatalf("got %q (line %d field %q), want line %d field %q", err, pe.Line, pe.Field, c.line, c.field)
			}
		})
	}
}

func TestProfileDefaults(t *testing.T) {
	p, err := Parse("p.yaml", []byte("device: {name: X, vendor: ricoh}\nemail: {auth_method: oauth2, service: exchange-online}\nsmtp: {server: smtp.office365.com, security: tls}\npop3: {server: outlook.office365.com, security: starttls}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.SMTP.Port != 465 || p.POP3.Port != 110 || !p.SMTP.VerifyCertOn() {
		t.Fatalf("defaults: smtp %+v pop3 %+v", p.SMTP, p.POP3)
	}
}

func FuzzParseProfile(f *testing.F) {
	files, _ := filepath.Glob("../../fixtures/profiles/*.yaml")
	for _, file := range files {
		if b, err := readFileLimited(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("device: [\n"))
	f.Add([]byte("smtp:\n  port: -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err == nil && (p.Device.Name == "" || p.SMTP.Server == "") {
			t.Fatalf("accepted a profile without required fields: %+v", p)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// TestProfileComplexKeyIsAnError: gopkg.in/yaml.v3 panicked when a merge key brings a
// mapping whose key is itself a mapping (found by FuzzParseFleet); a
// profile like that is an error naming the line.
func TestProfileComplexKeyIsAnError(t *testing.T) {
	for _, doc := range []string{
		"device: [{<<, {000000, {000000}}}]\n",
		"device:\n  name: X\n  vendor: epson\n  ? [a, b]\n  : c\n",
	} {
		_, err := Parse("p.yaml", []byte(doc))
		var pe *ProfileError
		if !errors.As(err, &pe) || pe.Line == 0 {
			t.Errorf("%q: err = %v, want a ProfileError with a line", doc, err)
		}
	}
}

// TestProfileErrorsNameThePath: an unknown key is named by its full path
// with the closest known key; a wrong type names its field; a tab is
// called a tab on its own line.
func TestProfileErrorsNameThePath(t *testing.T) {
	base := "device:\n  name: x\n  vendor: epson\nemail:\n  auth_method: oauth2\n  service: exchange-online\nsmtp:\n  server: smtp.office365.com\n"
	for _, c := range []struct{ doc, want string }{
		{base + "  securty: starttls\n", "p.yaml:9: smtp.securty: unknown key (not a profile field); did you mean security?"},
		{base + "  port: abc\n", `p.yaml:9: smtp.port: "abc" is not a number`},
		{"device:\n\tname: x\n", "p.yaml:2: found character that cannot start any token (a tab: YAML indents with spaces)"},
	} {
		_, err := Parse("p.yaml", []byte(c.doc))
		if err == nil || err.Error() != c.want {
			t.Errorf("error = %v, want %s", err, c.want)
		}
	}
}
