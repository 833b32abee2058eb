package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/proxysim"
)

// TestProbeConnectToAndProxy: "probe smtp.office365.com:587" reaches the
// simulator by --connect-to, or through a SOCKS5 or CONNECT proxy that is
// sent the name; the report keeps smtp.office365.com:587 and checks the
// certificate against it. Nothing is looked up or dialled beyond loopback.
func TestProbeConnectToAndProxy(t *testing.T) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	base := []string{"probe", "smtp.office365.com:587", "--user", exosim.DeviceUser, "--token-file", sim.TokenFile(), "--ca", sim.CAFile()}
	m := map[string]string{"smtp.office365.com:587": sim.SMTPAddr()}
	socks, err := proxysim.Start(proxysim.SOCKS5, m)
	if err != nil {
		t.Fatal(err)
	}
	defer socks.Close()
	connect, err := proxysim.Start(proxysim.CONNECT, m)
	if err != nil {
		t.Fatal(err)
	}
	defer connect.Close()
	for _, c := range []struct {
		args  []string
		proxy *proxysim.Proxy
		line  string
	}{
		{[]string{"--connect-to", sim.SMTPAddr()}, nil, "dialled " + sim.SMTPAddr()},
		{[]string{"--proxy", socks.URL()}, socks, "through the proxy " + socks.URL()},
		{[]string{"--proxy", connect.URL()}, connect, "through the proxy " + connect.URL()},
	} {
		a := newTestApp(nil)
		code := a.runCLI(t, append(slices.Clone(base), c.args...)...)
		out := a.out.String()
		if code != ExitOK && code != ExitWarning {
			t.Fatalf("%v: exit %d\n%s%s", c.args, code, out, a.err.String())
		}
		if !strings.Contains(out, "smtp.office365.com:587 starttls") || !strings.Contains(out, c.line) {
			t.Errorf("%v: report does not name the server and the route:\n%s", c.args, out)
		}
		if c.proxy != nil && !slices.Contains(c.proxy.Requests(), "smtp.office365.com:587") {
			t.Errorf("%v: proxy asked for %v", c.args, c.proxy.Requests())
		}
	}
	for _, bad := range [][]string{{"--connect-to", "127.0.0.1"}, {"--proxy", "ftp://127.0.0.1:21"}} {
		a := newTestApp(nil)
		if code := a.runCLI(t, append(slices.Clone(base), bad...)...); code != ExitError || !strings.Contains(a.err.String(), bad[0]) {
			t.Errorf("%v: exit %d, stderr %q", bad, code, a.err.String())
		}
	}
}
