package netinfo

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Files the network collector reads on Linux. The gateway comes from the
// kernel's IPv4 routing table, the DNS servers from the resolver
// configuration (and systemd-resolved's upstream list when resolv.conf only
// names the local stub).
const (
	procRouteFile    = "/proc/net/route"
	resolvConfFile   = "/etc/resolv.conf"
	resolvedConfFile = "/run/systemd/resolve/resolv.conf"
	resolvedStub     = "127.0.0.53"
)

// DefaultNetworkTimeout bounds each host check of CollectNetwork when the
// caller passes no timeout: long enough for a slow DNS answer and a TCP
// handshake across the internet, short enough not to hold up a sheet.
const DefaultNetworkTimeout = 5 * time.Second

// CollectNetwork describes this host for the status sheet: its name,
// interfaces (loopback left out), default gateway (Linux only; empty
// elsewhere), DNS servers, and for each host the device needs (SMTP, POP3,
// sign-in) the DNS answer and whether a TCP connection opens within timeout.
// The host checks run concurrently and end when ctx does. It never returns
// nil; what could not be learned is left empty, and a host check's failure is
// recorded in its Error.
func CollectNetwork(ctx context.Context, hosts []report.HostCheck, timeout time.Duration) *report.NetworkInfo {
	if timeout <= 0 {
		timeout = DefaultNetworkTimeout
	}
	n := &report.NetworkInfo{Interfaces: []report.InterfaceInfo{}}
	n.Hostname, _ = os.Hostname()
	n.Interfaces = localInterfaces()
	if runtime.GOOS == "linux" {
		n.Gateway = readFileWith(procRouteFile, parseProcRoute)
	}
	n.DNSServers = dnsServers()

	n.Lookups = make([]report.HostCheck, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Lookups[i] = checkHost(ctx, h, timeout)
		}()
	}
	wg.Wait()
	return n
}

// checkHost resolves h.Host and connects to h.Port on the first address that
// answers, within timeout.
func checkHost(ctx context.Context, h report.HostCheck, timeout time.Duration) report.HostCheck {
	out := report.HostCheck{Role: h.Role, Host: h.Host, Port: h.Port}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addrs, err := probe.Resolve(ctx, nil, h.Host)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Addresses = addrs
	if h.Port <= 0 {
		return out
	}
	start := time.Now()
	conn, _, err := probe.DialAny(ctx, &net.Dialer{}, addrs, h.Port)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Connect = report.Duration(time.Since(start))
	out.Reachable = true
	conn.Close()
	return out
}

// localInterfaces lists this host's interfaces except loopback, with their
// addresses in CIDR form.
func localInterfaces() []report.InterfaceInfo {
	ifs, err := net.Interfaces()
	if err != nil {
		return []report.InterfaceInfo{}
	}
	out := make([]report.InterfaceInfo, 0, len(ifs))
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		info := report.InterfaceInfo{
			Name:      ifc.Name,
			Addresses: []string{},
			MAC:       ifc.HardwareAddr.String(),
			Up:        ifc.Flags&net.FlagUp != 0,
		}
		if addrs, err := ifc.Addrs(); err == nil {
			for _, a := range addrs {
				info.Addresses = append(info.Addresses, a.String())
			}
		}
		out = append(out, info)
	}
	return out
}

// dnsServers reads the nameserver lines of resolv.conf. When the only one
// is systemd-resolved's local stub, the upstream servers it forwards to are
// added, as those are what a technician compares with the device's settings.
func dnsServers() []string {
	servers := readFileWith(resolvConfFile, parseResolvConf)
	if len(servers) == 1 && servers[0] == resolvedStub {
		for _, s := range readFileWith(resolvedConfFile, parseResolvConf) {
			if s != resolvedStub {
				servers = append(servers, s)
			}
		}
	}
	return servers
}

// readFileWith opens name and parses it with parse; a missing or unreadable
// file gives parse's zero value.
func readFileWith[T any](name string, parse func(io.Reader) T) T {
	f, err := os.Open(name)
	if err != nil {
		var zero T
		return zero
	}
	defer f.Close()
	return parse(f)
}

// parseResolvConf returns the addresses of the "nameserver" lines, in order,
// without duplicates.
func parseResolvConf(r io.Reader) []string {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		// An IPv6 server may carry a zone ("fe80::1%eth0"); keep it as is.
		if net.ParseIP(strings.SplitN(f[1], "%", 2)[0]) == nil || seen[f[1]] {
			continue
		}
		seen[f[1]] = true
		out = append(out, f[1])
	}
	return out
}

// parseProcRoute returns the IPv4 default gateway from the kernel's routing
// table (/proc/net/route: destination and mask 00000000, the RTF_GATEWAY
// flag set, addresses as little-endian hex), the one with the lowest metric
// when there are several.
func parseProcRoute(r io.Reader) string {
	const rtfUp, rtfGateway = 0x1, 0x2
	best, bestMetric := "", -1
	sc := bufio.NewScanner(r)
	for first := true; sc.Scan(); first = false {
		f := strings.Fields(sc.Text())
		if first || len(f) < 8 || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		flags, err := strconv.ParseUint(f[3], 16, 32)
		if err != nil || flags&(rtfUp|rtfGateway) != rtfUp|rtfGateway {
			continue
		}
		metric, err := strconv.Atoi(f[6])
		if err != nil {
			continue
		}
		b, err := hex.DecodeString(f[2])
		if err != nil || len(b) != 4 {
			continue
		}
		ip := make(net.IP, 4)
		binary.BigEndian.PutUint32(ip, binary.LittleEndian.Uint32(b))
		if bestMetric < 0 || metric < bestMetric {
			best, bestMetric = ip.String(), metric
		}
	}
	return best
}
