package check

import (
	"context"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/device"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// DeviceRead is the device whose identity a check reads beside its
// probes: what it says about itself over IPP (Get-Printer-Attributes,
// RFC 8011) and, where IPP is closed, SNMP v2c. The diagnosis holds it
// against the profile's device.model and device.firmware.
type DeviceRead struct {
	// Address is the profile's device.address: HOST, HOST:PORT or an
	// ipp:// or ipps:// URI (ipps is checked against the system roots).
	Address string
	// SNMPPort is asked where IPP is closed: 0 means 161, -1 IPP only.
	SNMPPort int
	// Community is SNMP's read community ("": public); a secret.
	Community string
}

// deviceReadFor is the read of the device at a profile's address, nil
// for none: no address, or one that names no real device, a
// documentation address (RFC 5737, RFC 3849) or a reserved name (RFC
// 6761: .example, .invalid, .test), as the examples and the simulator's
// profiles have. Asking those could only wait for an answer that never
// comes, and would leave this computer's network for nothing.
func deviceReadFor(address, community string) *DeviceRead {
	address = strings.TrimSpace(address)
	if address == "" {
		return nil
	}
	if uri, err := device.PrinterURI(address); err == nil {
		if u, err := url.Parse(uri); err == nil && reservedHost(u.Hostname()) {
			return nil
		}
	}
	return &DeviceRead{Address: address, Community: community}
}

// documentation are the address blocks kept for examples.
var documentation = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
}

func reservedHost(host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		for _, p := range documentation {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return a.IsUnspecified()
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	for _, tld := range []string{"example", "invalid", "test"} {
		if h == tld || strings.HasSuffix(h, "."+tld) {
			return true
		}
	}
	return false
}

// readDevice asks the device for its identity within limit (and ctx, the
// check's budget). It never fails the check: a device that answers
// neither IPP nor SNMP comes back with Error set, which the diagnosis
// reports as a note.
func readDevice(ctx context.Context, d DeviceRead, limit time.Duration) *report.DeviceIdentity {
	uri, err := device.PrinterURI(d.Address)
	if err != nil {
		return &report.DeviceIdentity{URI: d.Address, Error: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var snmp *device.SNMPClient
	if d.SNMPPort >= 0 {
		if snmp, err = device.SNMPFor(uri, d.SNMPPort, d.Community); err != nil {
			snmp = nil
		}
	}
	id, err := device.Identify(ctx, &device.Client{URI: uri, Timeout: limit}, snmp)
	if err != nil {
		return &report.DeviceIdentity{URI: uri, Error: err.Error()}
	}
	return id
}
