package redact

import (
	"encoding/base64"
	"encoding/json"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitizeText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text, ünïcödé → ok", "plain text, ünïcödé → ok"},
		{"two\nlines\ttab", "two\nlines tab"},
		{"bell\x07 nul\x00 cr\r del\x7f", "bell� nul� cr� del�"},
		{"clear \x1b[2J\x1b[31mred", "clear ��red"},
		{"title \x1b]0;pwned\x07 after", "title � after"},
		{"clipboard \x1b]52;c;cm0gLXJmIH4=\x1b\\ after", "clipboard � after"},
		{"8-bit CSI \u009b31m red, OSC \u009d52;c;eA==\u0007 done", "8-bit CSI � red, OSC � done"},
		{"C1 \u0085 NEL \u0090", "C1 � NEL �"},
		{"bidi \u202eevil\u202c \u2066iso\u2069 \u202a\u202b\u202d", "bidi �evil� �iso� ���"},
		{"invalid \xff\xfe utf8", "invalid �� utf8"},
		{"lone ESC at end \x1b", "lone ESC at end �"},
		{"ESC c reset \x1bc after", "ESC c reset � after"},
		{"unterminated OSC \x1b]52;c;AAAA\nnext line", "unterminated OSC �\nnext line"},
	}
	for _, c := range cases {
		if got := SanitizeText(c.in); got != c.want {
			t.Errorf("SanitizeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzSanitizeText: whatever the input, the output is valid UTF-8 without
// a control (but line feed), C1 or bidi control, and sanitizing again
// changes nothing.
func FuzzSanitizeText(f *testing.F) {
	for _, s := range []string{"ok", "\x1b[2J", "\x1b]52;c;eA==\x07", "\u202e", "\xc2\x9b", "a\x1b", "\x1b]\x1b\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SanitizeText(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		for _, r := range out {
			if r != '\n' && r != '�' && unsafeRune(r) {
				t.Fatalf("%U left in %q (from %q)", r, out, s)
			}
		}
		if again := SanitizeText(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, again)
		}
		if len(out) > 3*len(s)+3 {
			t.Fatalf("output grew from %d to %d bytes", len(s), len(out))
		}
	})
}

// TestRedactorForms: a secret is found raw, URL-encoded, in base64 inside
// any blob at any alignment, and cut short at the end of a text.
func TestRedactorForms(t *testing.T) {
	const secret = "eyJ0eXAiOiJKV1QiLCJhbGciOi+/=.0123456789abcdefghij"
	red := &Redactor{}
	red.Add(secret)
	texts := map[string]string{
		"raw":         "535 token " + secret + " rejected",
		"url-encoded": "error_description=bad+" + url.QueryEscape(secret),
		"cut short":   "you sent: " + secret[:30],
		"cut short 8": "you sent: " + secret[:8],
	}
	for pre := 0; pre < 3; pre++ {
		blob := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("u", pre) + "user=a@b\x01auth=Bearer " + secret + "\x01\x01"))
		texts["blob "+string(rune('0'+pre))] = "334 " + blob
		texts["url-safe blob "+string(rune('0'+pre))] = "+ " + strings.NewReplacer("+", "-", "/", "_").Replace(blob)
	}
	for name, text := range texts {
		got := red.Redact(text)
		if !strings.Contains(got, "<redacted sha256:") {
			t.Errorf("%s: no redaction in %q", name, got)
		}
		forms := append([]string{secret}, Base64Forms(secret)...)
		for _, f := range forms {
			for i := 0; i+10 <= len(f); i++ {
				if strings.Contains(got, f[i:i+10]) {
					t.Errorf("%s: %q still holds %q", name, got, f[i:i+10])
					break
				}
			}
		}
	}
	if got := red.Redact("nothing secret here"); got != "nothing secret here" {
		t.Errorf("changed an innocent text: %q", got)
	}
}

// TestScrubReachesEveryField: Scrub redacts and sanitizes strings in
// nested structs, pointers, slices and maps of a report.
func TestScrubReachesEveryField(t *testing.T) {
	const secret = "s3cr3t-password-value"
	red := &Redactor{}
	red.Add(secret)
	r := &report.Report{
		Device: &report.Device{Name: "printer \x1b]52;c;eA==\x07 \u202eevil"},
		Phases: []report.Phase{{Name: "auth", Error: "535 you sent " + secret,
			Reply:        &report.Reply{Text: "535 " + base64.StdEncoding.EncodeToString([]byte(secret)), Trailer: &report.Trailer{Raw: "\x00"}},
			Capabilities: []string{"AUTH \u009bPLAIN"}}},
		POP3:     &report.POP3Report{Phases: []report.Phase{{Note: "-ERR " + secret}}},
		Token:    &report.TokenInfo{RefreshErrorDescription: "AADSTS70000 " + secret, Scopes: []string{"\x07"}},
		Findings: []report.Finding{{Params: map[string]string{"user\x1b": secret}, Evidence: []string{secret}}},
	}
	Scrub(r, red)
	js, _ := json.Marshal(r)
	if strings.Contains(string(js), "s3cr3t") || strings.Contains(string(js), base64.StdEncoding.EncodeToString([]byte(secret))[:12]) {
		t.Errorf("secret left: %s", js)
	}
	for _, bad := range []string{`\u001b`, `\u0007`, `\u0000`, "\u202e", "\u009b"} {
		if strings.Contains(string(js), bad) {
			t.Errorf("%q left: %s", bad, js)
		}
	}
	if r.Findings[0].Params["user�"] == "" {
		t.Errorf("map key not sanitized: %v", r.Findings[0].Params)
	}
}
