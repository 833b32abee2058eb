package bench

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/delayproxy"
)

// oneWay is the delay the proxy adds in each direction; rtt is one round
// trip through it.
const (
	oneWay = 25 * time.Millisecond
	rtt    = 2 * oneWay
)

// minSMTPRoundTrips is the protocol minimum of the probe's dialogue
// through the proxy, in round trips: banner 0.5 (the server speaks first;
// the TCP handshake with the proxy is local), EHLO 1, STARTTLS 1, TLS 1.3
// handshake 1 (the client's Finished travels with the next EHLO), EHLO 1,
// AUTH XOAUTH2 with initial response 1, QUIT 1. On a real link the TCP
// handshake adds 1 more.
const minSMTPRoundTrips = 6.5

// setup starts the simulator ("ok" scenario) with the proxy in front and
// returns the probe configuration pointed at the proxy.
func setup(b *testing.B) (*exosim.Sim, *delayproxy.Proxy, probe.Config, string) {
	b.Helper()
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	px, err := delayproxy.Start(sim.SMTPAddr(), oneWay)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { px.Close() })
	tok := accessToken(b, sim.TokenFile())
	pc := probe.Config{
		Session: probe.Session{
			Host: "127.0.0.1", Port: px.Port(), Security: "starttls", VerifyCert: true,
			Roots: sim.RootCAs(), RootsName: sim.CAFile(),
			AuthMethod: "oauth2", User: exosim.DeviceUser, Token: tok, TokenSource: "file " + sim.TokenFile(),
			PhaseTimeout: 5 * time.Second, Timeout: 30 * time.Second,
		},
	}
	return sim, px, pc, tok
}

func accessToken(b *testing.B, path string) string {
	b.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(raw, &t); err != nil || t.AccessToken == "" {
		b.Fatalf("token file %s: %v", path, err)
	}
	return t.AccessToken
}

// report adds the round-trip count per operation to the benchmark line.
func reportRTT(b *testing.B, start time.Time) {
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(rtt), "RTT/op")
	b.ReportMetric(minSMTPRoundTrips, "minRTT")
}

// flights adds the client's round trips per operation, counted on the wire
// by the proxy since ResetFlights.
func flights(b *testing.B, px *delayproxy.Proxy) {
	b.ReportMetric(float64(px.Flights())/float64(b.N), "flights/op")
}

// BenchmarkLatencyProbe: connect, banner, EHLO, STARTTLS, TLS, EHLO, AUTH
// XOAUTH2, QUIT through the proxy (no envelope, nothing sent).
func BenchmarkLatencyProbe(b *testing.B) { benchProbe(b, false) }

// BenchmarkLatencyProbeEnvelope is the default probe of a device profile:
// BenchmarkLatencyProbe plus MAIL FROM and RCPT TO, which go out with QUIT
// in one flight (the simulator offers PIPELINING), so the dialogue has the
// same round trips.
func BenchmarkLatencyProbeEnvelope(b *testing.B) { benchProbe(b, true) }

func benchProbe(b *testing.B, envelope bool) {
	_, px, pc, _ := setup(b)
	pc.Envelope = envelope
	px.ResetFlights()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r := probe.SMTP(context.Background(), pc)
		if ph, failed := r.FailedPhase(); failed {
			b.Fatalf("%s failed: %s", ph.Name, ph.Error)
		}
		if r.TLS == nil || r.TLS.Version != "TLS 1.3" {
			b.Fatalf("TLS %+v", r.TLS)
		}
		if ph, _ := r.Phase(report.PhaseRcptTo); envelope && ph.Status != report.StatusOK {
			b.Fatalf("rcpt_to %s", ph.Status)
		}
	}
	reportRTT(b, start)
	flights(b, px)
}

// BenchmarkLatencyCurl: curl's XOAUTH2 login against the same simulator
// through the same proxy, then NOOP and QUIT (curl needs a command after
// the login; -X NOOP sends nothing). Variants: sasl-ir sends the token
// with the AUTH line (curl's default waits for a 334 first, one round trip
// more); direct skips the proxy, which measures curl's start-up and
// handshake cost without any delay.
func BenchmarkLatencyCurl(b *testing.B) {
	if _, err := exec.LookPath("curl"); err != nil {
		b.Skip("curl is not installed")
	}
	sim, px, _, tok := setup(b)
	for _, v := range []struct {
		name  string
		port  int
		extra []string
	}{
		{"default", px.Port(), nil},
		{"sasl-ir", px.Port(), []string{"--sasl-ir"}},
		{"direct", sim.Port(), []string{"--sasl-ir"}},
	} {
		b.Run(v.name, func(b *testing.B) {
			args := append([]string{"--silent", "--show-error",
				"--url", "smtp://127.0.0.1:" + strconv.Itoa(v.port),
				"--ssl-reqd", "--cacert", sim.CAFile(),
				"--oauth2-bearer", tok, "--login-options", "AUTH=XOAUTH2",
				"--user", exosim.DeviceUser + ":", "-X", "NOOP"}, v.extra...)
			px.ResetFlights()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				out, err := exec.Command("curl", args...).CombinedOutput()
				if err != nil {
					b.Fatalf("curl: %v: %s", err, out) // curl's messages name no token
				}
			}
			reportRTT(b, start)
			if v.port == px.Port() {
				flights(b, px)
			}
		})
	}
}

// BenchmarkLatencyProbeDirect is the probe without the proxy: its own
// cost (TLS, parsing, diagnosis-free) on loopback.
func BenchmarkLatencyProbeDirect(b *testing.B) {
	sim, _, pc, _ := setup(b)
	pc.Port = sim.Port()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if ph, failed := probe.SMTP(context.Background(), pc).FailedPhase(); failed {
			b.Fatalf("%s failed: %s", ph.Name, ph.Error)
		}
	}
	reportRTT(b, start)
}

// BenchmarkLatencyBanner calibrates: connect through the proxy and read
// the simulator's banner, half a round trip (the server speaks first).
// Expect 0.5 RTT/op plus the proxy's own overhead.
func BenchmarkLatencyBanner(b *testing.B) {
	_, px, _, _ := setup(b)
	buf := make([]byte, 512)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		c, err := net.Dial("tcp", px.Addr())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(buf); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(rtt), "RTT/op")
}
