package discover

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// Bounds on what one browse keeps, whatever a link sends.
const (
	maxNames = 4096 // instances and hosts
	maxAddrs = 16   // addresses per host
)

// collector gathers the records of DNS-SD answers (RFC 6763, section 4:
// PTR service -> instance, SRV instance -> host and port, TXT instance ->
// key=value strings, A and AAAA host -> address) from mDNS responses, and
// knows which names still need a question. It holds names as miekg/dns
// presents them (escaped), keyed lower-case: DNS names compare
// case-insensitively.
type collector struct {
	instances map[string]*instance // by lower-case instance name
	order     []string
	hosts     map[string][]netip.Addr // by lower-case host name
	asked     map[string]bool         // follow-up questions already sent
}

// instance is one service instance's records.
type instance struct {
	service string // one of Services
	name    string // full escaped name "Office\ Jet._ipp._tcp.local."
	host    string // SRV target, escaped
	port    int
	txt     []string
	hasSRV  bool
	hasTXT  bool
}

func newCollector() *collector {
	return &collector{instances: map[string]*instance{}, hosts: map[string][]netip.Addr{}, asked: map[string]bool{}}
}

// browsedService is the service of Services that name ("_ipp._tcp.local.")
// is, or "".
func browsedService(name string) string {
	for _, s := range Services {
		if strings.EqualFold(name, s+".local.") {
			return s
		}
	}
	return ""
}

// serviceOfInstance is the browsed service name is an instance of, or "".
func serviceOfInstance(name string) string {
	for _, s := range Services {
		if _, ok := instanceName(name, s); ok {
			return s
		}
	}
	return ""
}

// add takes the records of one response, heard on the interface zone: answers and additional records
// alike (RFC 6763, section 12, puts SRV, TXT and addresses in the
// additional section). Records for names that are no browsed service's are
// ignored; so are records with TTL 0 (goodbye packets, RFC 6762 section
// 10.1).
func (c *collector) add(m *dns.Msg, zone string) {
	rrs := make([]dns.RR, 0, len(m.Answer)+len(m.Extra))
	rrs = append(append(rrs, m.Answer...), m.Extra...)
	// PTR, then SRV, then the rest, so an instance and its host named
	// in this very packet keep their records whatever the order.
	for _, pass := range []int{0, 1, 2} {
		for _, rr := range rrs {
			h := rr.Header()
			if h.Ttl == 0 || h.Class&0x7fff != dns.ClassINET {
				continue
			}
			switch rr := rr.(type) {
			case *dns.PTR:
				if pass == 0 && browsedService(h.Name) != "" {
					c.instance(rr.Ptr)
				}
			case *dns.SRV:
				if in := c.lookup(h.Name); pass == 1 && in != nil {
					in.host, in.port, in.hasSRV = rr.Target, int(rr.Port), true
					c.host(rr.Target)
				}
			case *dns.TXT:
				if in := c.lookup(h.Name); pass == 2 && in != nil && !in.hasTXT {
					in.txt, in.hasTXT = rr.Txt, true
				}
			case *dns.A:
				if pass == 2 {
					c.addAddr(h.Name, rr.A, "")
				}
			case *dns.AAAA:
				if pass == 2 {
					c.addAddr(h.Name, rr.AAAA, zone)
				}
			}
		}
	}
}

// instance returns the instance called name, making it if name is an
// instance of a browsed service and there is room.
func (c *collector) instance(name string) *instance {
	key := strings.ToLower(name)
	if in := c.instances[key]; in != nil {
		return in
	}
	svc := serviceOfInstance(name)
	if svc == "" || len(c.instances)+len(c.hosts) >= maxNames {
		return nil
	}
	in := &instance{service: svc, name: name}
	c.instances[key] = in
	c.order = append(c.order, key)
	return in
}

// lookup returns a known instance, or nil: an SRV or TXT record makes none
// on its own (a PTR named it first), so only browsed services count.
func (c *collector) lookup(name string) *instance {
	return c.instances[strings.ToLower(name)]
}

// host notes a host whose addresses are wanted.
func (c *collector) host(name string) {
	key := strings.ToLower(name)
	if _, ok := c.hosts[key]; !ok && len(c.instances)+len(c.hosts) < maxNames {
		c.hosts[key] = nil
	}
}

// addAddr keeps a wanted host's address; a link-local IPv6 address gets
// the zone it was heard in, without which it cannot be reached.
func (c *collector) addAddr(name string, ip []byte, zone string) {
	key := strings.ToLower(name)
	addrs, wanted := c.hosts[key]
	a, ok := netip.AddrFromSlice(ip)
	if !wanted || !ok || len(addrs) >= maxAddrs {
		return
	}
	a = a.Unmap()
	if a.IsUnspecified() || a.IsMulticast() {
		return
	}
	if a.Is6() && a.IsLinkLocalUnicast() && zone != "" {
		a = a.WithZone(zone)
	}
	for _, have := range addrs {
		if have == a {
			return
		}
	}
	c.hosts[key] = append(addrs, a)
}

// followUps are the questions still open (SRV and TXT of an instance,
// A and AAAA of a host), each asked once: a responder that sent a PTR
// alone is asked for the rest (RFC 6763, section 12).
func (c *collector) followUps() []dns.Question {
	var qs []dns.Question
	ask := func(name string, t uint16) {
		k := strings.ToLower(name) + "/" + dns.TypeToString[t]
		if !c.asked[k] {
			c.asked[k] = true
			qs = append(qs, dns.Question{Name: name, Qtype: t, Qclass: dns.ClassINET})
		}
	}
	for _, k := range c.order {
		in := c.instances[k]
		if !in.hasSRV {
			ask(in.name, dns.TypeSRV)
		}
		if !in.hasTXT {
			ask(in.name, dns.TypeTXT)
		}
		if in.hasSRV && len(c.hosts[strings.ToLower(in.host)]) == 0 {
			ask(in.host, dns.TypeA)
			ask(in.host, dns.TypeAAAA)
		}
	}
	return qs
}

// answers are the instances with SRV and at least one address, with their
// host's addresses.
func (c *collector) answers() []answer {
	var out []answer
	for _, k := range c.order {
		in := c.instances[k]
		addrs := c.hosts[strings.ToLower(in.host)]
		if !in.hasSRV || len(addrs) == 0 {
			continue
		}
		out = append(out, answer{service: in.service, name: in.name, host: in.host, port: in.port, addrs: addrs, txt: in.txt})
	}
	return out
}
