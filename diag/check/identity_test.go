package check

import (
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/profile"
)

// TestDeviceReadFor: an address is read, an example's is not (the
// simulator's profiles and the fixtures use documentation addresses).
func TestDeviceReadFor(t *testing.T) {
	for addr, want := range map[string]bool{
		"":                               false,
		"192.0.2.21":                     false,
		"198.51.100.7:631":               false,
		"ipp://203.0.113.9/ipp/print":    false,
		"[2001:db8::7]:631":              false,
		"printer.example":                false,
		"ipps://mfp.contoso.test/ipp":    false,
		"0.0.0.0":                        false,
		"127.0.0.1:8632":                 true,
		"localhost":                      true,
		"10.0.0.21":                      true,
		"ipps://printer.contoso.com/ipp": true,
		"[::1]:631":                      true,
	} {
		if got := deviceReadFor(addr, "") != nil; got != want {
			t.Errorf("deviceReadFor(%q) read: %v, want %v", addr, got, want)
		}
	}
	p := &profile.Profile{Device: profile.ProfileDevice{Address: "localhost:8632"}}
	cfg := FromProfile(p, func(k string) string {
		if k == "MFPCHECK_SNMP_COMMUNITY" {
			return "s3cret"
		}
		return ""
	})
	if cfg.DeviceRead == nil || cfg.DeviceRead.Address != "localhost:8632" || cfg.DeviceRead.Community != "s3cret" {
		t.Errorf("FromProfile: DeviceRead %+v", cfg.DeviceRead)
	}
	o := Options{ProfileFile: "../../fixtures/profiles/ricoh-imc3000.yaml", NoDeviceRead: true}
	if cfg, err := o.Config(); err != nil || cfg.DeviceRead != nil {
		t.Errorf("--no-device-read: %+v, %v", cfg.DeviceRead, err)
	}
	if cfg, err := (Options{ProfileFile: "../../fixtures/profiles/ricoh-imc3000.yaml"}).Config(); err != nil || cfg.DeviceRead != nil {
		t.Errorf("a fixture's documentation address is read: %+v, %v", cfg.DeviceRead, err)
	}
}
