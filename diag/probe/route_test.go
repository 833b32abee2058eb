package probe

import (
	"github.com/mfpcheck/mfpcheck/diag/hostport"
	"strings"
	"testing"
)

func TestParseProxy(t *testing.T) {
	for in, want := range map[string]string{
		"socks5://127.0.0.1":                "socks5://127.0.0.1:1080",
		"socks5h://tech:pw@[::1]:9050":      "socks5://tech@[::1]:9050",
		"http://proxy.contoso.example":      "http://proxy.contoso.example:8080",
		"HTTP://u:Secret-1@127.0.0.1:3128/": "http://u@127.0.0.1:3128",
	} {
		p, err := ParseProxy(in)
		if err != nil || p.String() != want {
			t.Errorf("ParseProxy(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"127.0.0.1:1080", "https://p:443", "socks4://p", "http://u:Secret-1@p:99999"} {
		_, err := ParseProxy(in)
		if err == nil {
			t.Errorf("ParseProxy(%q) accepted", in)
		} else if strings.Contains(err.Error(), "Secret-1") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

func TestSplitHostPort(t *testing.T) {
	for in, want := range map[string]struct {
		host string
		port int
	}{
		"smtp.office365.com":     {"smtp.office365.com", 25},
		"smtp.office365.com:587": {"smtp.office365.com", 587},
		"::1":                    {"::1", 25},
		"[::1]":                  {"::1", 25},
		"[2001:db8::1]:465":      {"2001:db8::1", 465},
		"127.0.0.1:2525":         {"127.0.0.1", 2525},
	} {
		h, p, err := hostport.Split(in, 25)
		if err != nil || h != want.host || p != want.port {
			t.Errorf("SplitHostPort(%q) = %q %d %v", in, h, p, err)
		}
	}
	for _, in := range []string{"host:0", "host:x", ":25", "[::1]:70000"} {
		if _, _, err := hostport.Split(in, 25); err == nil {
			t.Errorf("SplitHostPort(%q) accepted", in)
		}
	}
}
