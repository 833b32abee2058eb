package probe

import (
	"bufio"
	"errors"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// localKind refines the kind of a dns or connect failure: a lookup that
// got no answer, or a connection without a route, is this computer's when
// it has no default route, and a lookup that got no answer from this
// computer's DNS server is "no DNS" even with a route. A name the DNS
// server says does not exist stays KindDNS.
func localKind(err error, kind report.ErrorKind, hasRoute func() bool) report.ErrorKind {
	switch kind {
	case report.KindDNS:
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			return kind
		}
		if !hasRoute() {
			return report.KindOffline
		}
		return report.KindNoDNS
	case report.KindUnreachable:
		if !hasRoute() {
			return report.KindOffline
		}
	}
	return kind
}

// HasDefaultRoute reports whether this computer has a default route (IPv4
// or IPv6) that is up and not a reject route. Where the routing table
// cannot be read (not Linux), it answers true: mfpcheck then never claims
// that this computer is offline.
func HasDefaultRoute() bool {
	if runtime.GOOS != "linux" {
		return true
	}
	v4, err4 := defaultRoute("/proc/net/route", false)
	v6, err6 := defaultRoute("/proc/net/ipv6_route", true)
	if err4 != nil && err6 != nil {
		return true
	}
	return v4 || v6
}

// Route flags (linux/route.h).
const (
	rtfUp     = 0x0001
	rtfReject = 0x0200
)

// defaultRoute reads one of the kernel's routing tables and reports
// whether it holds a usable default route.
func defaultRoute(path string, v6 bool) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		var dest, prefix, flags string
		switch {
		case v6 && len(fields) >= 10:
			dest, prefix, flags = fields[0], fields[1], fields[8]
		case !v6 && len(fields) >= 8 && fields[0] != "Iface":
			dest, prefix, flags = fields[1], fields[7], fields[3]
		default:
			continue
		}
		if strings.Trim(dest, "0") != "" || strings.Trim(prefix, "0") != "" {
			continue
		}
		fl, err := strconv.ParseUint(flags, 16, 32)
		if err != nil || fl&rtfUp == 0 || fl&rtfReject != 0 {
			continue
		}
		if v6 && fields[9] == "lo" {
			continue
		}
		return true, nil
	}
	return false, sc.Err()
}
