package batch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/profile"
)

// write creates files under dir (name → content) and returns dir.
func write(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadFleetExampleYAML(t *testing.T) {
	path := filepath.Join("..", "..", "fixtures", "fleets", "office.yaml")
	ds, err := LoadFleet(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("got %d devices, want 3", len(ds))
	}
	names := []string{ds[0].Name, ds[1].Name, ds[2].Name}
	if strings.Join(names, ",") != "epson-2f,ricoh-3f,sharp-1f" {
		t.Fatalf("names = %v", names)
	}
	dir := filepath.Dir(path)
	for _, d := range ds {
		p := d.Profile
		// Defaults merged under every device, inline or referenced.
		if p.SMTP.Server != "smtp.office365.com" || p.SMTP.Port != 587 || p.SMTP.Security != "starttls" {
			t.Errorf("%s: smtp = %+v, want the defaults", d.Name, p.SMTP)
		}
		if p.Email.Service != "exchange-online" || p.Email.AuthMethod != "oauth2" {
			t.Errorf("%s: email = %+v, want the defaults", d.Name, p.Email)
		}
		if p.OAuth.Tenant != "contoso.onmicrosoft.com" || p.OAuth.ClientID == "" {
			t.Errorf("%s: oauth = %+v, want the defaults", d.Name, p.OAuth)
		}
		// Token files are resolved against the file that names them.
		if !strings.HasPrefix(p.OAuth.TokenFile, filepath.Join(dir, "tokens")) {
			t.Errorf("%s: token file %q not resolved against %s", d.Name, p.OAuth.TokenFile, dir)
		}
	}
	if ds[0].Source != path+":18" {
		t.Errorf("epson source = %q, want %s:18", ds[0].Source, path)
	}
	// Device keys beside defaults, and the device's own keys win.
	if ds[1].Profile.Email.Admin != "scan@contoso.com" || strings.Join(ds[1].Profile.Capabilities.Mechanisms, ",") != "XOAUTH2,LOGIN" {
		t.Errorf("ricoh profile = %+v", ds[1].Profile)
	}
	sharp := ds[2]
	if sharp.Source != filepath.Join(dir, "sharp-1f.yaml") || sharp.Profile.File != sharp.Source {
		t.Errorf("sharp source = %q file = %q", sharp.Source, sharp.Profile.File)
	}
	if sharp.Profile.POP3 == nil || sharp.Profile.POP3.Server != "outlook.office365.com" ||
		sharp.Profile.POP3.TokenFile != filepath.Join(dir, "tokens", "sharp-1f-pop3.json") {
		t.Errorf("sharp pop3 = %+v", sharp.Profile.POP3)
	}
	if sharp.Profile.SMTP.Timeout != "30s" || sharp.Profile.SMTP.User != "scan@contoso.com" {
		t.Errorf("sharp smtp = %+v", sharp.Profile.SMTP)
	}
	// Epson and Ricoh share no mailbox; Ricoh and Sharp do.
	if ds[0].MailboxKey() == ds[1].MailboxKey() || ds[1].MailboxKey() != ds[2].MailboxKey() {
		t.Errorf("mailbox keys: %q %q %q", ds[0].MailboxKey(), ds[1].MailboxKey(), ds[2].MailboxKey())
	}
}

func TestLoadFleetExampleCSV(t *testing.T) {
	path := filepath.Join("..", "..", "fixtures", "fleets", "inventory.csv")
	ds, err := LoadFleet(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 4 {
		t.Fatalf("got %d devices, want 4", len(ds))
	}
	e := ds[0].Profile
	if e.Device.Vendor != "epson" || e.Device.Model != "WF-C579R" || e.Device.Address != "192.0.2.21" ||
		e.SMTP.User != "scan-2f@contoso.com" || e.SMTP.Port != 587 || e.Email.Service != "exchange-online" ||
		e.OAuth.Tenant != "contoso.onmicrosoft.com" || e.OAuth.TokenFile != filepath.Join(filepath.Dir(path), "tokens", "epson-2f.json") {
		t.Errorf("epson = %+v", e)
	}
	if ds[0].Source != path+":4" || ds[3].Source != path+":7" {
		t.Errorf("sources %q %q, want lines 4 and 7", ds[0].Source, ds[3].Source)
	}
	if ds[2].Profile.SMTP.Security != "starttls" {
		t.Errorf("security not lower-cased: %q", ds[2].Profile.SMTP.Security)
	}
	// Empty cells take the profile defaults: port by security, no token.
	c := ds[3].Profile
	if c.Email.AuthMethod != "basic" || c.SMTP.Port != 587 || c.SMTP.Security != "starttls" || c.OAuth.TokenFile != "" {
		t.Errorf("canon = %+v", c)
	}
}

func TestLoadFleetFolder(t *testing.T) {
	dir := write(t, t.TempDir(), map[string]string{
		"b.yaml":       "device: {name: b, vendor: ricoh}\nemail: {auth_method: oauth2, service: exchange-online}\nsmtp: {server: smtp.office365.com, user: b@x.com}\noauth: {token_file: b.json}\n",
		"a.yml":        "device: {name: a, vendor: epson}\nemail: {auth_method: basic, service: other}\nsmtp: {server: mail.example.com, security: tls}\n",
		"notes.txt":    "not a profile",
		".hidden.yaml": "garbage: [",
		"sub/c.yaml":   "garbage: [",
	})
	ds, err := LoadFleet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Name != "a" || ds[1].Name != "b" {
		t.Fatalf("devices = %+v", ds)
	}
	if ds[0].Profile.SMTP.Port != 465 {
		t.Errorf("a: port %d, want 465 (profile default for tls)", ds[0].Profile.SMTP.Port)
	}
	if ds[1].Profile.OAuth.TokenFile != filepath.Join(dir, "b.json") || ds[1].Source != filepath.Join(dir, "b.yaml") {
		t.Errorf("b = %+v source %q", ds[1].Profile.OAuth, ds[1].Source)
	}
}

// TestLoadFleetErrors feeds broken fleets and inventories; every error
// must name the file and the line of the mistake.
func TestLoadFleetErrors(t *testing.T) {
	const okDefaults = "defaults:\n  email: {auth_method: oauth2, service: exchange-online}\n  smtp: {server: smtp.office365.com}\n"
	cases := []struct {
		name  string
		files map[string]string
		load  string
		want  []string // substrings of the error
	}{
		{"yaml syntax", map[string]string{"f.yaml": "devices:\n  - device: {name: a\n"}, "f.yaml", []string{"f.yaml:1: did not find expected"}},
		{"not a mapping", map[string]string{"f.yaml": "- a\n- b\n"}, "f.yaml", []string{"f.yaml:1:", "defaults: and devices:"}},
		{"unknown top key", map[string]string{"f.yaml": okDefaults + "devcies: []\n"}, "f.yaml", []string{"f.yaml:4: devcies: unknown key"}},
		{"single profile", map[string]string{"f.yaml": "device: {name: a, vendor: epson}\n"}, "f.yaml", []string{"f.yaml:1: device:", "single device profile"}},
		{"no devices", map[string]string{"f.yaml": okDefaults}, "f.yaml", []string{"f.yaml:1: devices: required key is missing"}},
		{"devices not list", map[string]string{"f.yaml": okDefaults + "devices: {a: 1}\n"}, "f.yaml", []string{"f.yaml:4: devices: must be a list"}},
		{"empty list", map[string]string{"f.yaml": okDefaults + "devices: []\n"}, "f.yaml", []string{"f.yaml:4: devices: the list is empty"}},
		{"defaults not map", map[string]string{"f.yaml": "defaults: [1]\ndevices:\n  - profile: x.yaml\n"}, "f.yaml", []string{"f.yaml:1: defaults: must be a mapping"}},
		{"entry not map", map[string]string{"f.yaml": okDefaults + "devices:\n  - just-a-name\n"}, "f.yaml", []string{"f.yaml:5: devices[0]: must be a profile"}},
		{
			"bad vendor inline",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - device:\n      name: a\n      vendor: canon\n"},
			"f.yaml", []string{"f.yaml:7: device.vendor:", `"canon" is not one of`},
		},
		{
			"missing name inline, second entry",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - device: {name: a, vendor: epson}\n  - device:\n      vendor: epson\n"},
			"f.yaml", []string{"f.yaml:6: device.name: required field is missing"},
		},
		{
			"unknown key inline",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - device: {name: a, vendor: epson}\n    smtp:\n      prot: 587\n"},
			"f.yaml", []string{"f.yaml:7: smtp.prot: unknown key", "did you mean port?"},
		},
		{
			"wrong type inline",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - device: {name: a, vendor: epson}\n    smtp:\n      port: many\n"},
			"f.yaml", []string{"f.yaml:7:", "many"},
		},
		{
			"bad value in defaults names the defaults line",
			map[string]string{"f.yaml": "defaults:\n  email: {auth_method: oauth2, service: exchange-online}\n  smtp:\n    server: smtp.office365.com\n    security: ssl\ndevices:\n  - device: {name: a, vendor: epson}\n"},
			"f.yaml", []string{"f.yaml:5: smtp.security:", `"ssl"`},
		},
		{
			"bad value in referenced profile names that file",
			map[string]string{
				"f.yaml":     okDefaults + "devices:\n  - profile: p/dev.yaml\n",
				"p/dev.yaml": "device:\n  name: a\n  vendor: epson\nsmtp:\n  port: 70000\n",
			},
			"f.yaml", []string{filepath.Join("p", "dev.yaml") + ":5: smtp.port:", "70000"},
		},
		{
			"missing referenced profile",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - profile: nope.yaml\n"},
			"f.yaml", []string{"f.yaml:5: devices[0].profile:", "nope.yaml"},
		},
		{
			"referenced profile syntax error",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - profile: bad.yaml\n", "bad.yaml": "device:\n  name: [a\n"},
			"f.yaml", []string{"bad.yaml:"},
		},
		{
			"profile entry with more keys",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - profile: a.yaml\n    device: {name: b}\n"},
			"f.yaml", []string{"f.yaml:5: devices[0]: a profile: entry takes no other keys"},
		},
		{
			"alias",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - &d {device: {name: a, vendor: epson}}\n  - *d\n"},
			"f.yaml", []string{"f.yaml:6:", "aliases"},
		},
		{
			"duplicate names",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - device: {name: a, vendor: epson}\n  - device: {name: A, vendor: ricoh}\n"},
			"f.yaml", []string{"f.yaml:6: device.name:", "already used by", "f.yaml:5"},
		},
		{
			"every bad entry reported",
			map[string]string{"f.yaml": okDefaults + "devices:\n  - device: {name: a, vendor: x}\n  - device: {name: b, vendor: y}\n"},
			"f.yaml", []string{"f.yaml:5: device.vendor", "f.yaml:6: device.vendor"},
		},
		{"csv empty", map[string]string{"i.csv": ""}, "i.csv", []string{"i.csv: inventory is empty"}},
		{"csv unknown column", map[string]string{"i.csv": "# c\nname,vendor,colour\n"}, "i.csv", []string{"i.csv:2: colour: unknown column"}},
		{"csv missing column", map[string]string{"i.csv": "name,vendor,model,address,mailbox,auth_method,server,port\n"}, "i.csv", []string{"i.csv:1: token_file: required column is missing"}},
		{"csv header only", map[string]string{"i.csv": csvHead + "\n"}, "i.csv", []string{"i.csv:1: inventory has a header but no devices"}},
		{"csv bad port", map[string]string{"i.csv": csvHead + "\n" + "a,epson,m,1.2.3.4,a@x.com,oauth2,smtp.office365.com,587\n" + "b,epson,m,1.2.3.5,b@x.com,oauth2,smtp.office365.com,five,\n"}, "i.csv", []string{"i.csv:2:", "wrong number of cells"}},
		{"csv bad port number", map[string]string{"i.csv": csvHead + "\n" + "a,epson,m,1.2.3.4,a@x.com,oauth2,smtp.office365.com,587,t.json\n" + "b,epson,m,1.2.3.5,b@x.com,oauth2,smtp.office365.com,five,t.json\n"}, "i.csv", []string{"i.csv:3: port:", `"five"`}},
		{"csv missing server", map[string]string{"i.csv": csvHead + "\n" + "a,epson,m,1.2.3.4,a@x.com,oauth2,,587,t.json\n"}, "i.csv", []string{"i.csv:2: server: required field is missing"}},
		{"csv port out of range", map[string]string{"i.csv": csvHead + "\n" + "a,epson,m,1.2.3.4,a@x.com,oauth2,s,99999,t.json\n"}, "i.csv", []string{"i.csv:2: port:", "99999"}},
		{"csv bad quote", map[string]string{"i.csv": csvHead + "\n" + "a,epson,\"m,1.2.3.4\n"}, "i.csv", []string{"i.csv:"}},
		{"csv duplicate", map[string]string{"i.csv": csvHead + "\n" + "a,epson,m,1,a@x.com,oauth2,s,587,t\n" + "a,epson,m,2,a@x.com,oauth2,s,587,t\n"}, "i.csv", []string{"i.csv:3: device.name:", "i.csv:2"}},
		{"folder bad profile", map[string]string{"d/a.yaml": "device: {name: a, vendor: epson}\n"}, "d", []string{filepath.Join("d", "a.yaml") + ":1: email.auth_method: required field is missing"}},
		{"folder empty", map[string]string{"d/readme.txt": "x"}, "d", []string{"no profile files"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := write(t, t.TempDir(), tc.files)
			ds, err := LoadFleet(filepath.Join(dir, tc.load))
			if err == nil {
				t.Fatalf("no error; devices %+v", ds)
			}
			msg := err.Error()
			// Errors name paths as given; compare relative to dir.
			msg = strings.ReplaceAll(msg, dir+string(filepath.Separator), "")
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

const csvHead = "name,vendor,model,address,mailbox,auth_method,server,port,token_file"

func TestParseCSVSemicolonAndBOM(t *testing.T) {
	data := "\xef\xbb\xbfName;Vendor;Model;Address;Mailbox;Auth_Method;Server;Port;Token_File;Service\n" +
		"Büro 1;Epson;WF-C5790;10.0.0.5;scan@example.de;OAUTH2;smtp.office365.com;587;tok.json;Exchange-Online\n"
	ds, err := ParseCSV("/inv/x.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	p := ds[0].Profile
	if ds[0].Name != "Büro 1" || p.Device.Vendor != "epson" || p.Email.AuthMethod != "oauth2" || p.OAuth.TokenFile != filepath.Join("/inv", "tok.json") {
		t.Fatalf("profile = %+v", p)
	}
}

func TestParseFleetErrorIsProfileError(t *testing.T) {
	_, err := ParseFleet("f.yaml", []byte("devices:\n  - device: {name: a, vendor: nope}\n    email: {auth_method: oauth2, service: exchange-online}\n    smtp: {server: s}\n"))
	var pe *profile.ProfileError
	if !errors.As(err, &pe) || pe.File != "f.yaml" || pe.Line != 2 || pe.Field != "device.vendor" {
		t.Fatalf("err = %#v", err)
	}
}

// FuzzParseFleet: no input may panic or hang the fleet parser; an error
// always names the file.
func FuzzParseFleet(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("..", "..", "fixtures", "fleets", "office.yaml"))
	f.Add(seed)
	f.Add([]byte("defaults: {smtp: {server: s}}\ndevices:\n  - profile: p.yaml\n  - device: {name: a}\n"))
	f.Add([]byte("devices:\n  - &a {device: {name: x}}\n  - *a\n"))
	f.Add([]byte("devices: [{<<: {device: {name: a}}}]\n"))
	profile := []byte("device: {name: ref, vendor: ricoh}\nemail: {auth_method: oauth2, service: exchange-online}\nsmtp: {server: s}\n")
	read := func(p string) ([]byte, error) {
		if filepath.Base(p) == "p.yaml" {
			return profile, nil
		}
		return nil, os.ErrNotExist
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := parseFleet("fleet.yaml", data, read)
		if err != nil {
			if !strings.Contains(err.Error(), "fleet.yaml") && !strings.Contains(err.Error(), "p.yaml") {
				t.Fatalf("error names no file: %v", err)
			}
			return
		}
		for _, d := range ds {
			if d.Err != nil && d.Name != "" && strings.Contains(d.Err.Error(), "p.yaml") {
				continue // a profile file that cannot be read: that device's error
			}
			if d.Profile == nil || d.Name == "" || d.Profile.SMTP.Server == "" {
				t.Fatalf("device without a valid profile: %+v", d)
			}
		}
	})
}

// FuzzParseCSV: no input may panic the inventory parser; accepted devices
// are valid profiles.
func FuzzParseCSV(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("..", "..", "fixtures", "fleets", "inventory.csv"))
	f.Add(seed)
	f.Add([]byte(csvHead + "\na,epson,m,1,a@x.com,oauth2,s,587,t\n"))
	f.Add([]byte("name;vendor\n\"a;b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ParseCSV("inv.csv", data)
		if err != nil {
			if !strings.Contains(err.Error(), "inv.csv") {
				t.Fatalf("error names no file: %v", err)
			}
			return
		}
		for _, d := range ds {
			if d.Profile == nil || d.Name == "" || d.Profile.SMTP.Server == "" || d.Profile.Device.Vendor == "" {
				t.Fatalf("device without a valid profile: %+v", d)
			}
		}
	})
}

// TestCSVUnknownVendorIsOther: a maker mfpcheck has no menus for does not
// stop the inventory; the row is checked as "other" with a warning.
func TestCSVUnknownVendorIsOther(t *testing.T) {
	data := csvHead + "\n" + "a,Konica Minolta,C300i,1.2.3.4,a@x.com,oauth2,smtp.office365.com,587,t.json\n" +
		"b,RICOH,IM C3000,1.2.3.5,b@x.com,oauth2,smtp.office365.com,587,t.json\n"
	ds, err := ParseCSV("/inv/x.csv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Profile.Device.Vendor != "other" || !strings.Contains(ds[0].Warning, `/inv/x.csv:2: vendor "Konica Minolta": checked as other`) {
		t.Errorf("unknown vendor: vendor %q, warning %q", ds[0].Profile.Device.Vendor, ds[0].Warning)
	}
	if ds[1].Profile.Device.Vendor != "ricoh" || ds[1].Warning != "" {
		t.Errorf("known vendor: vendor %q, warning %q", ds[1].Profile.Device.Vendor, ds[1].Warning)
	}
}
