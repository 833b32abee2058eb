package discover

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/miekg/dns"

	"github.com/mfpcheck/mfpcheck/diag/redact"
)

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`Office\ Jet\ 1`:  "Office Jet 1",
		`B\195\188ro`:     "Büro",
		`a\.b`:            "a.b",
		`back\\slash`:     `back\slash`,
		`trailing\`:       `trailing\`,
		`big\999`:         "big999",
		`short\12`:        "short12",
		`\"quoted\"`:      `"quoted"`,
		`plain`:           "plain",
		`ty=HP\ LaserJet`: "ty=HP LaserJet",
	} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInstanceName(t *testing.T) {
	for _, c := range []struct {
		name, service, want string
		ok                  bool
	}{
		{`Office\ Jet\ 1._ipp._tcp.local.`, "_ipp._tcp", "Office Jet 1", true},
		{`Office\ Jet\ 1._IPP._TCP.LOCAL.`, "_ipp._tcp", "Office Jet 1", true},
		{`Dots\.in\.name._ipps._tcp.local.`, "_ipps._tcp", "Dots.in.name", true},
		{`B\195\188ro._printer._tcp.local.`, "_printer._tcp", "Büro", true},
		{`Office._ipp._tcp.local.`, "_ipps._tcp", "", false},
		{`Office._ipp._tcp.example.`, "_ipp._tcp", "", false},
		{`two.labels._ipp._tcp.local.`, "_ipp._tcp", "", false},
		{`_ipp._tcp.local.`, "_ipp._tcp", "", false},
		{`\.._ipp._tcp.local.`, "_ipp._tcp", ".", true},
		{`\._ipp._tcp.local.`, "_ipp._tcp", "", false},
		{`._ipp._tcp.local.`, "_ipp._tcp", "", false},
	} {
		got, ok := instanceName(c.name, c.service)
		if got != c.want || ok != c.ok {
			t.Errorf("instanceName(%q, %q) = %q, %v; want %q, %v", c.name, c.service, got, ok, c.want, c.ok)
		}
	}
}

func TestParseTXT(t *testing.T) {
	txt := parseTXT([]string{"txtvers=1", "TY=First", "ty=Second", "Color", "=novalue", `adminurl=http://x/a\=b`, "note=a=b"})
	want := map[string]string{"txtvers": "1", "ty": "First", "color": "", "adminurl": "http://x/a=b", "note": "a=b"}
	if len(txt) != len(want) {
		t.Errorf("parseTXT = %q, want %q", txt, want)
	}
	for k, v := range want {
		if got, ok := txt[k]; !ok || got != v {
			t.Errorf("parseTXT[%q] = %q, %v; want %q", k, got, ok, v)
		}
	}
}

func TestMakeAndModel(t *testing.T) {
	for _, c := range []struct {
		txt  map[string]string
		want string
	}{
		{map[string]string{"ty": "EPSON WF-C879R Series", "usb_mfg": "EPSON", "usb_mdl": "WF-C879R", "product": "(x)"}, "EPSON WF-C879R Series"},
		{map[string]string{"usb_mfg": "RICOH", "usb_mdl": "IM C3000"}, "RICOH IM C3000"},
		{map[string]string{"usb_mfg": "SHARP", "usb_mdl": "SHARP MX-3071"}, "SHARP MX-3071"},
		{map[string]string{"usb_mfg": "Kyocera"}, "Kyocera"},
		{map[string]string{"product": "(Brother MFC-L8900CDW series)"}, "Brother MFC-L8900CDW series"},
		{map[string]string{"ty": "  "}, ""},
		{map[string]string{}, ""},
	} {
		if got := makeAndModel(c.txt); got != c.want {
			t.Errorf("makeAndModel(%q) = %q, want %q", c.txt, got, c.want)
		}
	}
	for in, want := range map[string]string{
		"http://192.0.2.7/":        "http://192.0.2.7/",
		"HTTPS://printer.local/ws": "HTTPS://printer.local/ws",
		"javascript:alert(1)":      "",
		"ftp://x/":                 "",
	} {
		if got := adminURL(map[string]string{"adminurl": in}); got != want {
			t.Errorf("adminURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// rr parses one record in zone-file syntax.
func rr(t testing.TB, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return r
}

// TestCollectAndMerge feeds answers as two responders send them: one
// answers a browse with everything in one packet for two instances of one
// type; the other sends PTR alone and SRV, TXT and address later, in any
// order, and also announces a service nobody asked for.
func TestCollectAndMerge(t *testing.T) {
	c := newCollector()
	c.add(&dns.Msg{MsgHdr: dns.MsgHdr{Response: true}, Answer: []dns.RR{
		rr(t, `_ipp._tcp.local. 10 IN PTR Office\ Jet._ipp._tcp.local.`),
		rr(t, `_ipp._tcp.local. 10 IN PTR Raster._ipp._tcp.local.`),
	}, Extra: []dns.RR{
		rr(t, `Office\ Jet._ipp._tcp.local. 10 IN TXT "ty=HP OfficeJet Pro 9010" "adminurl=http://oj.local/"`),
		rr(t, `OJ.local. 10 IN A 192.0.2.7`),
		rr(t, `Office\ Jet._ipp._tcp.local. 10 IN SRV 0 0 631 OJ.local.`),
		rr(t, `Raster._ipp._tcp.local. 10 IN SRV 0 0 8631 raster.local.`),
		rr(t, `Raster._ipp._tcp.local. 10 IN TXT "product=(Raster 3000)"`),
		rr(t, `raster.local. 10 IN A 192.0.2.9`),
		rr(t, `raster.local. 10 IN AAAA fe80::9`),
		rr(t, `Web._http._tcp.local. 10 IN SRV 0 0 80 web.local.`),
	}}, "eth0")
	c.add(&dns.Msg{MsgHdr: dns.MsgHdr{Response: true}, Answer: []dns.RR{
		rr(t, `_printer._tcp.local. 10 IN PTR Office\ Jet._printer._tcp.local.`),
		rr(t, `_http._tcp.local. 10 IN PTR Web._http._tcp.local.`),
		rr(t, `_pdl-datastream._tcp.local. 0 IN PTR Gone._pdl-datastream._tcp.local.`),
	}}, "eth0")
	qs := c.followUps()
	if len(qs) != 2 || qs[0].Name != `Office\ Jet._printer._tcp.local.` || qs[0].Qtype != dns.TypeSRV || qs[1].Qtype != dns.TypeTXT {
		t.Fatalf("follow-ups: %v", qs)
	}
	if again := c.followUps(); len(again) != 0 {
		t.Errorf("asked twice: %v", again)
	}
	c.add(&dns.Msg{MsgHdr: dns.MsgHdr{Response: true}, Answer: []dns.RR{
		rr(t, `Office\ Jet._printer._tcp.local. 10 IN SRV 0 0 515 oj.local.`),
		rr(t, `Office\ Jet._printer._tcp.local. 10 IN TXT "ty=Other text"`),
		rr(t, `oj.local. 10 IN A 192.0.2.8`),
	}}, "eth0")

	got := merge(c.answers())
	b, _ := json.Marshal(got)
	want := `[{"name":"Office Jet","host":"OJ.local.","addresses":["192.0.2.7","192.0.2.8"],` +
		`"services":[{"type":"_ipp._tcp","name":"Office Jet","port":631},{"type":"_printer._tcp","name":"Office Jet","port":515}],` +
		`"make_and_model":"HP OfficeJet Pro 9010","admin_url":"http://oj.local/"},` +
		`{"name":"Raster","host":"raster.local.","addresses":["192.0.2.9","fe80::9%eth0"],` +
		`"services":[{"type":"_ipp._tcp","name":"Raster","port":8631}],"make_and_model":"Raster 3000"}]`
	if string(b) != want {
		t.Errorf("devices:\n%s\nwant:\n%s", b, want)
	}
	if tg := got[0].Target(); tg != "192.0.2.7" {
		t.Errorf("Target = %q", tg)
	}
	if tg := got[1].Target(); tg != "192.0.2.9:8631" {
		t.Errorf("Target = %q", tg)
	}
	v6 := Device{Addresses: []string{"fe80::9%eth0"}}
	if tg := v6.Target(); tg != "[fe80::9%25eth0]" {
		t.Errorf("Target = %q", tg)
	}
}

// TestCollectWithoutAddress: an instance whose host never gets an address
// is not listed; its host is asked for.
func TestCollectWithoutAddress(t *testing.T) {
	c := newCollector()
	c.add(&dns.Msg{Answer: []dns.RR{
		rr(t, `_ipps._tcp.local. 10 IN PTR P._ipps._tcp.local.`),
		rr(t, `P._ipps._tcp.local. 10 IN SRV 0 0 443 p.local.`),
		rr(t, `P._ipps._tcp.local. 10 IN TXT "ty=x"`),
	}}, "")
	qs := c.followUps()
	if len(qs) != 2 || qs[0].Qtype != dns.TypeA || qs[1].Qtype != dns.TypeAAAA || qs[0].Name != "p.local." {
		t.Errorf("follow-ups: %v", qs)
	}
	if a := c.answers(); len(a) != 0 {
		t.Errorf("answers without an address: %v", a)
	}
}

func TestOnLink(t *testing.T) {
	ls := []link{{prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}}
	for s, want := range map[string]bool{
		"192.0.2.55": true, "127.0.0.1": true, "169.254.3.4": true, "fe80::1": true, "::1": true,
		"198.51.100.1": false, "2001:db8::1": false, "::ffff:192.0.2.1": true,
	} {
		if got := onLink(netip.MustParseAddr(s), ls); got != want {
			t.Errorf("onLink(%s) = %v, want %v", s, got, want)
		}
	}
}

// FuzzCollect feeds any packet through what a browse does with an answer:
// it must not panic, and every string it lists is sanitized and bounded.
func FuzzCollect(f *testing.F) {
	m := &dns.Msg{MsgHdr: dns.MsgHdr{Response: true}, Answer: []dns.RR{
		rr(f, `_ipp._tcp.local. 10 IN PTR A\ b\027._ipp._tcp.local.`),
		rr(f, `A\ b\027._ipp._tcp.local. 10 IN SRV 0 0 631 h.local.`),
		rr(f, `A\ b\027._ipp._tcp.local. 10 IN TXT "ty=M\226\128\174odel" "adminurl=http://h/\027[2J" "usb_MFG=x"`),
		rr(f, `h.local. 10 IN A 192.0.2.1`),
		rr(f, `h.local. 10 IN AAAA fe80::1`),
	}}
	b, err := m.Pack()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, pkt []byte) {
		m := new(dns.Msg)
		if m.Unpack(pkt) != nil {
			return
		}
		c := newCollector()
		c.add(m, "eth0")
		_ = c.followUps()
		for _, d := range merge(c.answers()) {
			for _, s := range append([]string{d.Name, d.Host, d.MakeAndModel, d.AdminURL, d.Target()}, d.Addresses...) {
				if s != redact.SanitizeText(s) || strings.Contains(s, "\n") || len(s) > maxText+8 || !utf8.ValidString(s) {
					t.Fatalf("unsanitized %q", s)
				}
			}
		}
	})
}

// FuzzTXT: any TXT strings parse without panic into lower-case keys.
func FuzzTXT(f *testing.F) {
	f.Add("ty=HP\\ LaserJet", "TY=second", `\255\000=x`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		txt := parseTXT([]string{a, b, c})
		for k := range txt {
			if k == "" || k != strings.ToLower(k) {
				t.Fatalf("key %q", k)
			}
		}
		_ = makeAndModel(txt)
		if u := adminURL(txt); u != "" && !strings.HasPrefix(strings.ToLower(u), "http") {
			t.Fatalf("admin URL %q", u)
		}
		_, _ = instanceName(a, "_ipp._tcp")
	})
}
