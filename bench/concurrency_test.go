package bench

import (
	"context"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/pop3sim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/delayproxy"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// popSetup starts the POP3 simulator (STLS port) behind its own delay
// proxy; the simulator checks tokens like the SMTP one.
func popSetup(b *testing.B, sim *exosim.Sim, tok string) *probe.POP3Config {
	b.Helper()
	pki, err := hostile.NewPKI()
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := pki.TLSConfig(hostile.CertGood)
	if err != nil {
		b.Fatal(err)
	}
	ps, err := pop3sim.Start(pop3sim.Options{TLS: cfg,
		Validate: func(user, token string) bool { return sim.CheckToken(user, token) == nil }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ps.Close() })
	px, err := delayproxy.Start(ps.PlainAddr, oneWay)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { px.Close() })
	return &probe.POP3Config{
		Session: probe.Session{
			Host: "127.0.0.1", Port: px.Port(), Security: "starttls", VerifyCert: true,
			Roots: pki.Pool(), RootsName: "bench CA",
			AuthMethod: "oauth2", User: exosim.DeviceUser, Token: tok, TokenSource: "bench",
			PhaseTimeout: 5 * time.Second, Timeout: 30 * time.Second,
		},
	}
}

// BenchmarkLatencyPOP3Alone: the POP3 probe alone through its proxy.
func BenchmarkLatencyPOP3Alone(b *testing.B) {
	sim, _, _, tok := setup(b)
	pop := popSetup(b, sim, tok)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r := probe.POP3(context.Background(), *pop)
		for _, ph := range r.Phases {
			if ph.Status == report.StatusFail {
				b.Fatalf("%s failed: %s", ph.Name, ph.Error)
			}
		}
	}
	perOp(b, start)
}

// BenchmarkLatencyCheckSMTP: check.Run with the SMTP probe only (token
// inspection and diagnosis included).
func BenchmarkLatencyCheckSMTP(b *testing.B) {
	_, _, pc, _ := setup(b)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r := check.Run(context.Background(), check.Config{Probe: pc})
		if r.Verdict == report.VerdictFail || r.Verdict == report.VerdictError {
			b.Fatalf("verdict %s: %+v", r.Verdict, r.Findings)
		}
	}
	perOp(b, start)
}

// BenchmarkLatencyCheckBoth: check.Run with SMTP and POP3, each through
// its own proxy. Concurrent paths cost about the slower one, not the sum.
func BenchmarkLatencyCheckBoth(b *testing.B) {
	sim, _, pc, tok := setup(b)
	pop := popSetup(b, sim, tok)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r := check.Run(context.Background(), check.Config{Probe: pc, POP3: pop})
		if r.Verdict == report.VerdictFail || r.Verdict == report.VerdictError || r.POP3 == nil {
			b.Fatalf("verdict %s: %+v", r.Verdict, r.Findings)
		}
	}
	perOp(b, start)
}

func perOp(b *testing.B, start time.Time) {
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(rtt), "RTT/op")
}
