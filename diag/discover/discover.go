// Package discover finds printers and MFPs on the local link by DNS-SD
// over multicast DNS (RFC 6763, RFC 6762): it browses the printing service
// types (Services), merges what each device announces under each type into
// one Device, and returns them sorted. It sends only one-shot mDNS queries
// (RFC 6762, section 5.1) to the link-local groups 224.0.0.251 and
// ff02::fb, which routers do not forward, on each interface that is up and
// multicast-capable; it takes answers only from addresses on one of this
// computer's links (section 11), asks nothing else and connects to nothing.
//
// DNS messages are packed and parsed by github.com/miekg/dns; this package
// only keeps the records of the browsed service types (collector), and
// sanitizes every string a device sent once, here, where it enters
// mfpcheck.
package discover

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Services are the DNS-SD service types browsed, in the order a device's
// services are listed: IPP (RFC 8011), IPP over TLS, LPD and raw port 9100
// (the Bonjour Printing Specification's names).
var Services = []string{"_ipp._tcp", "_ipps._tcp", "_printer._tcp", "_pdl-datastream._tcp"}

// DefaultTimeout is how long a browse listens. Devices answer an mDNS
// query within about 120 ms (RFC 6762, section 6: 20-120 ms for shared
// records) unless they are asleep; 3 s also lets a sleeping device's proxy
// or a busy one answer.
const DefaultTimeout = 3 * time.Second

// MaxDevices bounds the list, whatever a link sends.
const MaxDevices = 1000

// maxText bounds each string a device sent (a DNS label is at most 63
// bytes, a TXT string 255).
const maxText = 255

// Service is one service type a device announced.
type Service struct {
	Type string `json:"type"` // "_ipp._tcp"
	// Name is the service instance name, e.g. "HP OfficeJet Pro 9010".
	Name string `json:"name"`
	Port int    `json:"port"`
}

// Device is one device, merged over the service types it announced.
type Device struct {
	// Name is the instance name of the device's first service in
	// Services order.
	Name string `json:"name"`
	// Host is the target host of its SRV records, e.g. "NPI1A2B3C.local.".
	Host string `json:"host"`
	// Addresses are sorted, IPv4 first.
	Addresses    []string  `json:"addresses"`
	Services     []Service `json:"services"`
	MakeAndModel string    `json:"make_and_model,omitempty"`
	// AdminURL is the device's web page (TXT adminurl), http or https only.
	AdminURL string `json:"admin_url,omitempty"`
}

// IPPPort is the port of the device's _ipp._tcp service, 0 when it has none.
func (d *Device) IPPPort() int {
	for _, s := range d.Services {
		if s.Type == "_ipp._tcp" {
			return s.Port
		}
	}
	return 0
}

// ServiceList is the device's services as "_ipp._tcp 631, _printer._tcp
// 515", for the renderers.
func (d *Device) ServiceList() string {
	parts := make([]string, len(d.Services))
	for i, s := range d.Services {
		parts[i] = fmt.Sprintf("%s %d", s.Type, s.Port)
	}
	return strings.Join(parts, ", ")
}

// Target is how to reach the device's IPP service by address, as
// "mfpcheck device" and "mfpcheck init --from-device" take it: its first
// address, with the port when its IPP service is not on 631. It is "" when
// the device has no address.
func (d *Device) Target() string {
	if len(d.Addresses) == 0 {
		return ""
	}
	// A link-local IPv6 address's zone is written %25 as in a URI (RFC
	// 6874), which is how both commands read HOST.
	addr := strings.Replace(d.Addresses[0], "%", "%25", 1)
	if p := d.IPPPort(); p != 0 && p != 631 {
		return net.JoinHostPort(addr, fmt.Sprint(p))
	}
	if strings.Contains(addr, ":") {
		return "[" + addr + "]"
	}
	return addr
}

// Options tune a browse.
type Options struct {
	// Timeout is how long to listen; DefaultTimeout when 0.
	Timeout time.Duration
	// Interface is the one interface to browse on; every interface that
	// is up and multicast-capable when nil.
	Interface *net.Interface
}

// Result is a browse's outcome: plain data for the renderers.
type Result struct {
	Devices []Device `json:"devices"`
	// Timeout is how long the browse listened (JSON: milliseconds, as
	// every duration mfpcheck prints).
	Timeout report.Duration `json:"timeout_ms"`
	// Errors are the queries that could not be sent (on one interface,
	// over one family); the others' answers are still in Devices.
	Errors []string `json:"errors,omitempty"`
}

// answer is one instance with its SRV, TXT and addresses, names and TXT
// strings still escaped as miekg/dns presents them.
type answer struct {
	service, name, host string
	port                int
	addrs               []netip.Addr
	txt                 []string
}

// clean sanitizes one string a device sent, on one line, bounded.
func clean(s string) string {
	return redact.SafeCut(strings.ReplaceAll(redact.SanitizeText(s), "\n", " "), maxText)
}

// merge turns answers into devices: answers whose SRV target is the same
// host are one device (else, without a host, answers with the same
// address), addresses and services are merged, the first make and model
// and admin URL in Services order count. Answers for a name that is not
// an instance of their service type are dropped.
func merge(answers []answer) []Device {
	order := func(t string) int { return slices.Index(Services, t) }
	// Services order first, so the first service's name and TXT win.
	slices.SortStableFunc(answers, func(a, b answer) int { return cmp.Compare(order(a.service), order(b.service)) })
	byKey := map[string]*Device{}
	var keys []string
	for _, a := range answers {
		name, ok := instanceName(a.name, a.service)
		if !ok || a.port <= 0 || a.port > 65535 {
			continue
		}
		var addrs []string
		for _, ad := range a.addrs {
			addrs = append(addrs, clean(ad.String()))
		}
		host := strings.ToLower(unescape(a.host))
		key := host
		if key == "" && len(addrs) > 0 {
			key = "addr " + addrs[0]
		}
		if key == "" {
			continue
		}
		d := byKey[key]
		if d == nil {
			if len(byKey) >= MaxDevices {
				continue
			}
			d = &Device{Name: clean(name), Host: clean(unescape(a.host))}
			byKey[key] = d
			keys = append(keys, key)
		}
		for _, ad := range addrs {
			if !slices.Contains(d.Addresses, ad) {
				d.Addresses = append(d.Addresses, ad)
			}
		}
		svc := Service{Type: a.service, Name: clean(name), Port: a.port}
		if !slices.Contains(d.Services, svc) {
			d.Services = append(d.Services, svc)
		}
		txt := parseTXT(a.txt)
		if d.MakeAndModel == "" {
			d.MakeAndModel = clean(makeAndModel(txt))
		}
		if d.AdminURL == "" {
			d.AdminURL = clean(adminURL(txt))
		}
	}
	devices := make([]Device, 0, len(keys))
	for _, k := range keys {
		d := byKey[k]
		slices.SortFunc(d.Addresses, compareAddr)
		slices.SortStableFunc(d.Services, func(a, b Service) int { return cmp.Compare(order(a.Type), order(b.Type)) })
		devices = append(devices, *d)
	}
	slices.SortFunc(devices, func(a, b Device) int {
		return cmp.Or(
			cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Host, b.Host),
			slices.Compare(a.Addresses, b.Addresses),
		)
	})
	return devices
}

// compareAddr orders IPv4 before IPv6, then by address.
func compareAddr(a, b string) int {
	pa, ea := netip.ParseAddr(a)
	pb, eb := netip.ParseAddr(b)
	if ea != nil || eb != nil {
		return cmp.Compare(a, b)
	}
	if pa.Is4() != pb.Is4() {
		if pa.Is4() {
			return -1
		}
		return 1
	}
	return pa.Compare(pb)
}
