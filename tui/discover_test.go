package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/discover"
)

// found is what the fake browse answers.
func found() []discover.Device {
	return []discover.Device{
		{Name: "Office Jet 1", Host: "officejet.local.", Addresses: []string{"127.0.0.2"},
			Services: []discover.Service{
				{Type: "_ipp._tcp", Name: "Office Jet 1", Port: 631},
				{Type: "_printer._tcp", Name: "Office Jet 1", Port: 515},
			},
			MakeAndModel: "HP OfficeJet Pro 9010", AdminURL: "http://officejet.local/"},
		{Name: "Raster 3", Host: "raster.local.", Addresses: []string{"127.0.0.5"},
			Services:     []discover.Service{{Type: "_ipp._tcp", Name: "Raster 3", Port: 8631}},
			MakeAndModel: "Raster 3000"},
	}
}

// TestDiscoverPick: "d" on the list browses (the spinner shows until the
// engine answers), lists what answered, the user picks the second device
// and is told the command that starts its profile; esc goes back.
func TestDiscoverPick(t *testing.T) {
	fe := &fakeEngine{}
	gate := make(chan struct{})
	eng := fe.engine()
	browses := 0
	eng.Discover = func(ctx context.Context) ([]discover.Device, error) {
		browses++
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return found(), nil
	}
	tm, _ := newTest(t, Options{Devices: twoDevices(), Engine: eng})
	waitFor(t, tm, "Devices (2)", "d discover")

	tm.Send(keys("d"))
	waitFor(t, tm, "Asking the local link (DNS-SD)", "Printers on the local link", "enter start a profile", "r ask again")
	close(gate)
	waitFor(t, tm, "Office Jet 1", "HP OfficeJet Pro 9010", "Raster 3", "127.0.0.5:8631",
		"_ipp._tcp 631, _printer._tcp 515 · http://officejet.local/")

	tm.Send(keyDown)
	waitFor(t, tm, "_ipp._tcp 8631")
	tm.Send(keyEnter)
	waitFor(t, tm, "Start its profile with: mfpcheck init --from-device 127.0.0.5:8631")

	tm.Send(keys("l"))
	waitFor(t, tm, "Drucker im lokalen Netz", "Profil anlegen")

	tm.Send(keyEsc)
	waitFor(t, tm, "Geräte (2)")
	tm.Send(keys("q"))
	fm := final(t, tm)
	if fm.screen != screenList || fm.disc.running || browses != 1 {
		t.Errorf("after esc: screen %d, running %v, browses %d", fm.screen, fm.disc.running, browses)
	}
}

// TestDiscoverNothing: nothing answered, or the browse failed, or there is
// no browser: each says so, and enter picks nothing.
func TestDiscoverNothing(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(ctx context.Context) ([]discover.Device, error)
		want string
	}{
		{"none", func(ctx context.Context) ([]discover.Device, error) { return []discover.Device{}, nil },
			"No printer or MFP answered DNS-SD on the local link"},
		{"error", func(ctx context.Context) ([]discover.Device, error) {
			return nil, errors.New("browse: no network interface is up with multicast and an address")
		}, "Discovery failed: browse: no network interface"},
		{"no engine", nil, "Discovery is not available here."},
	} {
		t.Run(c.name, func(t *testing.T) {
			fe := &fakeEngine{}
			eng := fe.engine()
			eng.Discover = c.fn
			tm, _ := newTest(t, Options{Devices: twoDevices()[:1], Engine: eng})
			waitFor(t, tm, "Verdict: FAIL")
			tm.Send(keys("d"))
			waitFor(t, tm, "Printers on the local link (0)", c.want)
			tm.Send(keyEnter)
			tm.Send(keys("q"))
			fm := final(t, tm)
			if fm.screen != screenDiscover || strings.Contains(fm.Status(), "init --from-device") {
				t.Errorf("screen %d, status %q", fm.screen, fm.Status())
			}
		})
	}
}
