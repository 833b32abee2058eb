package netinfo

import (
	"context"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNetworkCollect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	openPort := ln.Addr().(*net.TCPAddr).Port

	// A port that refuses connections.
	closedPort := testtool.RefusedPort(t)

	hosts := []report.HostCheck{
		{Role: "smtp", Host: "127.0.0.1", Port: openPort},
		{Role: "pop3", Host: "127.0.0.1", Port: closedPort},
		{Role: "signin", Host: "name.invalid", Port: 443},
	}
	start := time.Now()
	n := CollectNetwork(context.Background(), hosts, 3*time.Second)
	if d := time.Since(start); d > 3500*time.Millisecond {
		t.Errorf("collect took %v, want within the 3s timeout", d)
	}
	if n == nil {
		t.Fatal("CollectNetwork returned nil")
	}
	if len(n.Lookups) != 3 {
		t.Fatalf("got %d lookups, want 3 in input order", len(n.Lookups))
	}

	smtp := n.Lookups[0]
	if smtp.Role != "smtp" || !smtp.Reachable || smtp.Error != "" {
		t.Errorf("open port: got %+v, want reachable without error", smtp)
	}
	if len(smtp.Addresses) != 1 || smtp.Addresses[0] != "127.0.0.1" {
		t.Errorf("open port addresses = %v, want [127.0.0.1]", smtp.Addresses)
	}
	if smtp.Connect <= 0 || smtp.Connect.D() > time.Second {
		t.Errorf("open port connect time = %v, want a small positive duration", smtp.Connect.D())
	}

	pop := n.Lookups[1]
	if pop.Role != "pop3" || pop.Reachable || pop.Error == "" {
		t.Errorf("closed port: got %+v, want unreachable with an error", pop)
	}
	if !strings.Contains(pop.Error, strconv.Itoa(closedPort)) {
		t.Errorf("closed port error %q does not name the port %d", pop.Error, closedPort)
	}

	bad := n.Lookups[2]
	if bad.Reachable || bad.Error == "" || len(bad.Addresses) != 0 {
		t.Errorf("unresolvable host: got %+v, want an error and no addresses", bad)
	}

	for _, ifc := range n.Interfaces {
		if ifc.Name == "" {
			t.Errorf("interface without a name: %+v", ifc)
		}
		for _, a := range ifc.Addresses {
			if strings.HasPrefix(a, "127.") || a == "::1/128" {
				t.Errorf("loopback address %s listed on %s", a, ifc.Name)
			}
		}
	}
}

func TestNetworkCollectCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := CollectNetwork(ctx, []report.HostCheck{{Role: "smtp", Host: "127.0.0.1", Port: 1}}, time.Minute)
	if len(n.Lookups) != 1 || n.Lookups[0].Reachable || n.Lookups[0].Error == "" {
		t.Errorf("canceled context: got %+v, want one unreachable lookup with an error", n.Lookups)
	}
}

func TestNetworkParseProcRoute(t *testing.T) {
	const table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"wlan0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n" +
		"eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" +
		"eth0\t000200C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
	if got := parseProcRoute(strings.NewReader(table)); got != "192.0.2.1" {
		t.Errorf("gateway = %q, want 192.0.2.1 (lowest metric)", got)
	}
	if got := parseProcRoute(strings.NewReader("Iface\tDestination\n")); got != "" {
		t.Errorf("no default route: gateway = %q, want empty", got)
	}
	if got := parseProcRoute(strings.NewReader("garbage\neth0 00000000 zz 0003 0 0 0 00000000\n")); got != "" {
		t.Errorf("garbage: gateway = %q, want empty", got)
	}
}

func TestNetworkParseResolvConf(t *testing.T) {
	const conf = "# generated\nsearch contoso.local\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n" +
		"nameserver 192.0.2.53\nnameserver not-an-ip\noptions edns0\nnameserver fe80::1%eth0\n"
	got := parseResolvConf(strings.NewReader(conf))
	want := []string{"192.0.2.53", "2001:db8::53", "fe80::1%eth0"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("servers = %v, want %v", got, want)
	}
}
