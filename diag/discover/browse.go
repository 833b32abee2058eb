package discover

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// The mDNS groups and port (RFC 6762, section 3).
var (
	group4 = &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}
	group6 = &net.UDPAddr{IP: net.ParseIP("ff02::fb"), Port: 5353}
)

// repeatAfter is when the first questions are sent once more, for a
// packet lost on Wi-Fi (RFC 6762, section 5.2 starts at 1 s too).
const repeatAfter = time.Second

// link is an interface a browse asks on, with the prefixes that are on
// its link.
type link struct {
	iface    net.Interface
	v4, v6   bool
	prefixes []netip.Prefix
	// src4 is the interface's first IPv4 address, the queries' source:
	// a loopback address is host-scoped, and without it the kernel would
	// send from 0.0.0.0, which nobody can answer.
	src4 net.IP
}

// links are the interfaces that are up and multicast-capable, each with
// the families it has an address for (IPv6: a link-local one, as mDNS over
// IPv6 needs).
func links(only *net.Interface) ([]link, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list network interfaces: %w", err)
	}
	var out []link
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagMulticast == 0 || (only != nil && ifc.Index != only.Index) {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		l := link{iface: ifc}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			ones, _ := ipn.Mask.Size()
			l.prefixes = append(l.prefixes, netip.PrefixFrom(ip, ones).Masked())
			if ip.Is4() && !l.v4 {
				l.v4, l.src4 = true, net.IP(ip.AsSlice())
			}
			l.v6 = l.v6 || (ip.Is6() && ip.IsLinkLocalUnicast())
		}
		if l.v4 || l.v6 {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no network interface is up with multicast and an address")
	}
	return out, nil
}

// onLink says whether src may answer: a loopback or link-local address, or
// one inside a prefix of one of the links (RFC 6762, section 11).
func onLink(src netip.Addr, ls []link) bool {
	src = src.Unmap().WithZone("")
	if src.IsLoopback() || src.IsLinkLocalUnicast() {
		return true
	}
	for _, l := range ls {
		for _, p := range l.prefixes {
			if p.Contains(src) {
				return true
			}
		}
	}
	return false
}

// packet is one response and the interface it came in on.
type packet struct {
	msg  *dns.Msg
	zone string
}

// Browse asks for every service type in Services on the local link, IPv4
// and IPv6, for opt.Timeout, and returns the devices found. It returns at
// once, with what it has, when ctx ends. The error is non-nil only when no
// question could be sent at all (no interface, no socket).
func Browse(ctx context.Context, opt Options) (*Result, error) {
	timeout := cmp.Or(opt.Timeout, DefaultTimeout)
	ls, err := links(opt.Interface)
	if err != nil {
		return nil, fmt.Errorf("browse: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// One socket per family on an ephemeral port: one-shot queries, whose
	// answers come back by unicast (RFC 6762, section 5.1 and 6.7).
	var (
		c4      *ipv4.PacketConn
		c6      *ipv6.PacketConn
		errs    []string
		readers sync.WaitGroup
	)
	packets := make(chan packet, 64)
	id := uint16(rand.UintN(1 << 16))
	read := func(readFrom func([]byte) (int, int, net.Addr, error)) {
		defer readers.Done()
		buf := make([]byte, 9000)
		for {
			n, ifIndex, from, err := readFrom(buf)
			if err != nil {
				return // closed when ctx ends
			}
			ua, ok := from.(*net.UDPAddr)
			if !ok {
				continue
			}
			src, ok := netip.AddrFromSlice(ua.IP)
			if !ok || !onLink(src, ls) {
				continue
			}
			m := new(dns.Msg)
			if m.Unpack(buf[:n]) != nil || !m.Response || m.Id != id {
				continue
			}
			zone := ua.Zone
			if ifc, err := net.InterfaceByIndex(ifIndex); err == nil {
				zone = ifc.Name
			}
			select {
			case packets <- packet{m, zone}:
			case <-ctx.Done():
				return
			}
		}
	}
	if slices.ContainsFunc(ls, func(l link) bool { return l.v4 }) {
		if uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero}); err != nil {
			errs = append(errs, "IPv4: "+err.Error())
		} else {
			c4 = ipv4.NewPacketConn(uc)
			_ = c4.SetControlMessage(ipv4.FlagInterface, true)
			_ = c4.SetMulticastTTL(1)
			readers.Add(1)
			go read(func(b []byte) (int, int, net.Addr, error) {
				n, cm, from, err := c4.ReadFrom(b)
				if cm == nil {
					return n, 0, from, err
				}
				return n, cm.IfIndex, from, err
			})
		}
	}
	if slices.ContainsFunc(ls, func(l link) bool { return l.v6 }) {
		if uc, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6zero}); err != nil {
			errs = append(errs, "IPv6: "+err.Error())
		} else {
			c6 = ipv6.NewPacketConn(uc)
			_ = c6.SetControlMessage(ipv6.FlagInterface, true)
			_ = c6.SetMulticastHopLimit(1)
			readers.Add(1)
			go read(func(b []byte) (int, int, net.Addr, error) {
				n, cm, from, err := c6.ReadFrom(b)
				if cm == nil {
					return n, 0, from, err
				}
				return n, cm.IfIndex, from, err
			})
		}
	}
	// Closing the sockets ends the readers, also at once on Ctrl-C.
	closeAll := sync.OnceFunc(func() {
		if c4 != nil {
			c4.Close()
		}
		if c6 != nil {
			c6.Close()
		}
	})
	stop := context.AfterFunc(ctx, closeAll)
	defer stop()
	defer closeAll()

	sent := 0
	// One question per message: a legacy unicast answer is at most 512
	// bytes (RFC 6762, section 6.7), and a responder drops the records
	// that do not fit (avahi does), so several questions in one message
	// would lose answers.
	send := func(qs []dns.Question) {
		for _, q := range qs {
			m := &dns.Msg{MsgHdr: dns.MsgHdr{Id: id}, Question: []dns.Question{q}}
			b, err := m.Pack()
			if err != nil {
				errs = append(errs, "pack query: "+err.Error())
				continue
			}
			for _, l := range ls {
				if l.v4 && c4 != nil {
					if _, err := c4.WriteTo(b, &ipv4.ControlMessage{IfIndex: l.iface.Index, Src: l.src4}, group4); err != nil {
						errs = append(errs, fmt.Sprintf("IPv4 on %s: %v", l.iface.Name, err))
					} else {
						sent++
					}
				}
				if l.v6 && c6 != nil {
					if _, err := c6.WriteTo(b, &ipv6.ControlMessage{IfIndex: l.iface.Index}, group6); err != nil {
						errs = append(errs, fmt.Sprintf("IPv6 on %s: %v", l.iface.Name, err))
					} else {
						sent++
					}
				}
			}
		}
	}
	browse := make([]dns.Question, len(Services))
	for i, s := range Services {
		browse[i] = dns.Question{Name: s + ".local.", Qtype: dns.TypePTR, Qclass: dns.ClassINET}
	}
	coll := newCollector()
	send(browse)
	if sent == 0 {
		return nil, fmt.Errorf("browse: no query could be sent: %w", errors.New(joinUnique(errs)))
	}
	repeat := time.NewTimer(repeatAfter)
	defer repeat.Stop()
loop:
	for {
		select {
		case p := <-packets:
			coll.add(p.msg, p.zone)
			send(coll.followUps())
		case <-repeat.C:
			send(browse)
		case <-ctx.Done():
			break loop
		}
	}
	closeAll()
	readers.Wait()
	res := &Result{Devices: merge(coll.answers()), Timeout: report.Duration(timeout)}
	for _, e := range unique(errs) {
		res.Errors = append(res.Errors, clean(e))
	}
	return res, nil
}

// unique drops repeated messages, keeping the first's place.
func unique(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func joinUnique(msgs []string) string {
	u := unique(msgs)
	if len(u) == 0 {
		return "no interface to send on"
	}
	s := u[0]
	for _, m := range u[1:] {
		s += "; " + m
	}
	return s
}
