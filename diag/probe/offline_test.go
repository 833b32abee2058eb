package probe

import (
	"errors"
	"fmt"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestLocalKind(t *testing.T) {
	notFound := &net.DNSError{Err: "no such host", Name: "smtp.example.net", IsNotFound: true}
	noServer := fmt.Errorf("look up smtp.example.net: %w", &net.DNSError{Err: "dial udp 10.0.0.53:53: connect: network is unreachable", Name: "smtp.example.net"})
	noRoute := fmt.Errorf("connect: %w", syscall.ENETUNREACH)
	route := func() bool { return true }
	offline := func() bool { return false }
	for _, c := range []struct {
		err      error
		kind     report.ErrorKind
		hasRoute func() bool
		want     report.ErrorKind
	}{
		{notFound, report.KindDNS, offline, report.KindDNS}, // an answer: the name does not exist
		{notFound, report.KindDNS, route, report.KindDNS},
		{noServer, report.KindDNS, offline, report.KindOffline},
		{noServer, report.KindDNS, route, report.KindNoDNS},
		{noRoute, report.KindUnreachable, offline, report.KindOffline},
		{noRoute, report.KindUnreachable, route, report.KindUnreachable},
		{errors.New("refused"), report.KindRefused, offline, report.KindRefused},
	} {
		if got := localKind(c.err, c.kind, c.hasRoute); got != c.want {
			t.Errorf("localKind(%v, %s, route %v) = %s, want %s", c.err, c.kind, c.hasRoute(), got, c.want)
		}
	}
}

func TestDefaultRoute(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
	for _, c := range []struct {
		name, body string
		v6, want   bool
	}{
		{"v4 default", head + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n", false, true},
		{"v4 only a subnet", head + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n", false, false},
		{"v4 empty (private namespace)", head, false, false},
		{"v4 default down", head + "eth0\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n", false, false},
		{"v6 default", "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n", true, true},
		{"v6 reject on lo only", "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n", true, false},
		{"v6 link-local only", "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n", true, false},
	} {
		got, err := defaultRoute(write("route", c.body), c.v6)
		if err != nil || got != c.want {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}
	if _, err := defaultRoute(filepath.Join(dir, "missing"), false); err == nil {
		t.Error("a missing table reads without error")
	}
}
