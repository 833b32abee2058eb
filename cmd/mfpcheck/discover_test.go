package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/discover"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/avahi"
)

// TestDiscoverRealAvahi runs "mfpcheck discover" against a real
// avahi-daemon in a private network namespace that publishes three
// printers (one under three service types, one with a bidi override in its
// model and a script admin URL, one with IPP on another port) and a web
// server that is no printer.
func TestDiscoverRealAvahi(t *testing.T) {
	t.Parallel()
	if !avahi.InNamespace(t) {
		return
	}
	avahi.Start(t, []avahi.Host{
		{Name: "officejet.local", Addr: "127.0.0.2"},
		{Name: "laser.local", Addr: "127.0.0.3"},
		{Name: "web.local", Addr: "127.0.0.4"},
		{Name: "raster.local", Addr: "127.0.0.5"},
	}, []avahi.Service{
		{Name: "Office Jet 1", Type: "_ipp._tcp", Host: "officejet.local", Port: 631,
			TXT: []string{"txtvers=1", "ty=HP OfficeJet Pro 9010", "product=(HP OfficeJet Pro 9010 series)", "adminurl=http://officejet.local/"}},
		{Name: "Office Jet 1", Type: "_printer._tcp", Host: "officejet.local", Port: 515, TXT: []string{"ty=HP OfficeJet Pro 9010"}},
		{Name: "Office Jet 1", Type: "_pdl-datastream._tcp", Host: "officejet.local", Port: 9100},
		{Name: "Laser Two", Type: "_ipps._tcp", Host: "laser.local", Port: 8443,
			TXT: []string{"usb_MFG=Mfpcheck", "usb_MDL=Laser\u202e 2", "adminurl=javascript:alert(1)"}},
		{Name: "Raster 3", Type: "_ipp._tcp", Host: "raster.local", Port: 8631, TXT: []string{"product=(Raster 3000)"}},
		{Name: "Web Only", Type: "_http._tcp", Host: "web.local", Port: 80},
	})

	ta := newTestApp(nil)
	if code := ta.runCLI(t, "discover", "--json", "--timeout", "3s"); code != ExitOK {
		t.Fatalf("discover --json: exit %d\n%s%s", code, ta.out, ta.err)
	}
	var res discover.Result
	if err := json.Unmarshal(ta.out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, ta.out)
	}
	want := []discover.Device{
		{Name: "Laser Two", Host: "laser.local.", Addresses: []string{"127.0.0.3"},
			Services:     []discover.Service{{Type: "_ipps._tcp", Name: "Laser Two", Port: 8443}},
			MakeAndModel: "Mfpcheck Laser\ufffd 2"},
		{Name: "Office Jet 1", Host: "officejet.local.", Addresses: []string{"127.0.0.2"},
			Services: []discover.Service{
				{Type: "_ipp._tcp", Name: "Office Jet 1", Port: 631},
				{Type: "_printer._tcp", Name: "Office Jet 1", Port: 515},
				{Type: "_pdl-datastream._tcp", Name: "Office Jet 1", Port: 9100},
			},
			MakeAndModel: "HP OfficeJet Pro 9010", AdminURL: "http://officejet.local/"},
		{Name: "Raster 3", Host: "raster.local.", Addresses: []string{"127.0.0.5"},
			Services:     []discover.Service{{Type: "_ipp._tcp", Name: "Raster 3", Port: 8631}},
			MakeAndModel: "Raster 3000"},
	}
	got, _ := json.MarshalIndent(res.Devices, "", "  ")
	wantJSON, _ := json.MarshalIndent(want, "", "  ")
	if string(got) != string(wantJSON) {
		t.Errorf("discover --json devices:\n%s\nwant:\n%s", got, wantJSON)
	}
	if len(res.Errors) != 0 || ta.err.Len() != 0 {
		t.Errorf("errors: %q, stderr: %s", res.Errors, ta.err)
	}

	// The text lists the same, with the command that starts each profile.
	ta = newTestApp(nil)
	if code := ta.runCLI(t, "discover", "--timeout", "3s"); code != ExitOK {
		t.Fatalf("discover: exit %d\n%s%s", code, ta.out, ta.err)
	}
	for _, line := range []string{
		"Office Jet 1",
		"  Addresses:        127.0.0.2",
		"  Services:         _ipp._tcp 631, _printer._tcp 515, _pdl-datastream._tcp 9100",
		"  Make and model:   HP OfficeJet Pro 9010",
		"  Web page:         http://officejet.local/",
		"  Start a profile:  mfpcheck init --from-device 127.0.0.2",
		"  Start a profile:  mfpcheck init --from-device 127.0.0.3",
		"  Start a profile:  mfpcheck init --from-device 127.0.0.5:8631",
		"  Web page:         (not reported)",
	} {
		if !strings.Contains(ta.out.String()+"\n", line+"\n") {
			t.Errorf("discover output lacks line %q:\n%s", line, ta.out)
		}
	}
	if strings.Contains(ta.out.String(), "Web Only") || strings.Contains(ta.out.String(), "javascript") || strings.Contains(ta.out.String(), "\u202e") {
		t.Errorf("discover output shows what it must not:\n%s", ta.out)
	}
}

// TestDiscoverNothingPublished: with a responder that publishes nothing,
// discover ends at its timeout with an empty list and exit 2; Ctrl-C ends
// a long browse at once with exit 3.
func TestDiscoverNothingPublished(t *testing.T) {
	t.Parallel()
	if !avahi.InNamespace(t) {
		return
	}
	avahi.Start(t, nil, nil)

	ta := newTestApp(nil)
	if code := ta.runCLI(t, "discover", "--json", "--timeout", "1s"); code != ExitFail {
		t.Fatalf("discover --json: exit %d, want %d\n%s%s", code, ExitFail, ta.out, ta.err)
	}
	var res struct {
		Devices []discover.Device `json:"devices"`
		Timeout float64           `json:"timeout_ms"`
	}
	if err := json.Unmarshal(ta.out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, ta.out)
	}
	if res.Devices == nil || len(res.Devices) != 0 || res.Timeout != 1000 {
		t.Errorf("discover --json with nothing published: %s", ta.out)
	}
	if !strings.Contains(ta.err.String(), "mfpcheck: error: discover: no printer or MFP answered DNS-SD on the local link within 1s\n") ||
		!strings.Contains(ta.err.String(), "mfpcheck: hint: mDNS does not cross routers") {
		t.Errorf("stderr: %s", ta.err)
	}

	ta = newTestApp(nil)
	if code := ta.runCLI(t, "discover", "--timeout", "1s", "--lang", "de"); code != ExitFail || ta.out.Len() != 0 ||
		!strings.Contains(ta.err.String(), "kein Drucker und kein MFP hat innerhalb von 1s") {
		t.Errorf("discover --lang de: exit %d\n%s%s", code, ta.out, ta.err)
	}

	// Ctrl-C after 300 ms of a 60 s browse.
	ta = newTestApp(nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	code := ta.app.run(ctx, []string{"discover", "--timeout", "60s"})
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("discover went on %v after Ctrl-C", took)
	}
	if code != ExitError || !strings.Contains(ta.err.String(), "mfpcheck: error: discover: interrupted") {
		t.Errorf("interrupted discover: exit %d\n%s%s", code, ta.out, ta.err)
	}
}

func TestDiscoverBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"discover", "printer.local"},
		{"discover", "--timeout", "0s"},
		{"discover", "--lang", "xx"},
		{"discover", "--nope"},
	} {
		ta := newTestApp(nil)
		if code := ta.runCLI(t, args...); code != ExitError || ta.out.Len() != 0 ||
			!strings.Contains(ta.err.String(), "mfpcheck: error: discover: ") || !strings.Contains(ta.err.String(), "mfpcheck: hint: ") {
			t.Errorf("%q: exit %d\n%s%s", args, code, ta.out, ta.err)
		}
	}
}
