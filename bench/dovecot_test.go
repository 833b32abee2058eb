package bench

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/delayproxy"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/dovecot"
)

// dovecotUser and dovecotToken are the mailbox and the access token the
// Dovecot harness's introspection endpoint accepts.
const (
	dovecotUser  = "scanner@example.test"
	dovecotToken = "bench-access-token-0123456789"
)

// BenchmarkDovecot compares, in one run against the same real Dovecot
// submission server (fixtures/testkit/dovecot) behind the same 25 ms proxy:
//
//   - probe: mfpcheck's default probe of a device profile, envelope check
//     included (banner, EHLO, STARTTLS, TLS 1.3, EHLO, AUTH XOAUTH2, MAIL
//     FROM, RCPT TO, QUIT);
//   - curl: curl's XOAUTH2 login (curl --oauth2-bearer ... -X NOOP).
//
// Each reports RTT/op (time / 50 ms, noisy on a loaded machine) and
// flights/op, the client's round trips counted on the wire by the proxy
// (the same on any machine); the probe also reports authRTT, the time to
// its AUTH verdict in round trips.
func BenchmarkDovecot(b *testing.B) {
	dovecot.Require(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	srv, err := dovecot.Start(ctx, dovecot.Options{Tokens: map[string]string{dovecotToken: dovecotUser}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	px, err := delayproxy.Start(srv.Submission, oneWay)
	if err != nil {
		b.Fatal(err)
	}
	defer px.Close()
	host, _, _ := net.SplitHostPort(srv.Submission)

	b.Run("probe", func(b *testing.B) {
		pc := probe.Config{
			Session: probe.Session{
				Host: host, Port: px.Port(), Security: "starttls", VerifyCert: true,
				Roots: srv.RootCAs(), RootsName: srv.CAFile(),
				AuthMethod: "oauth2", User: dovecotUser, Token: dovecotToken, TokenSource: "bench", PhaseTimeout: 10 * time.Second, Timeout: time.Minute,
			}, Sender: dovecotUser,
			Envelope: true,
		}
		probe.SMTP(ctx, pc) // Dovecot starts its login and auth processes
		var authEnd time.Duration
		px.ResetFlights()
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			r := probe.SMTP(ctx, pc)
			if ph, failed := r.FailedPhase(); failed {
				b.Fatalf("%s failed: %s %s\n%s", ph.Name, ph.Error, ph.Reply.Line(), srv.Log())
			}
			for _, name := range []report.PhaseName{report.PhaseMailFrom, report.PhaseRcptTo, report.PhaseQuit} {
				if ph, _ := r.Phase(name); ph.Status != report.StatusOK {
					b.Fatalf("%s: %s", name, ph.Status)
				}
			}
			auth, _ := r.Phase(report.PhaseAuth)
			authEnd += (auth.Started + auth.Duration).D()
		}
		reportRTT(b, start)
		b.ReportMetric(float64(px.Flights())/float64(b.N), "flights/op")
		b.ReportMetric(float64(authEnd)/float64(b.N)/float64(rtt), "authRTT")
	})

	b.Run("curl", func(b *testing.B) {
		if _, err := exec.LookPath("curl"); err != nil {
			b.Skip("curl is not installed")
		}
		args := []string{"--silent", "--show-error",
			"--url", "smtp://" + host + ":" + strconv.Itoa(px.Port()),
			"--ssl-reqd", "--cacert", srv.CAFile(),
			"--oauth2-bearer", dovecotToken, "--login-options", "AUTH=XOAUTH2",
			"--user", dovecotUser + ":", "-X", "NOOP"}
		exec.Command("curl", args...).Run() // warm-up, like the probe's
		px.ResetFlights()
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if out, err := exec.Command("curl", args...).CombinedOutput(); err != nil {
				b.Fatalf("curl: %v: %s", err, out)
			}
		}
		reportRTT(b, start)
		b.ReportMetric(float64(px.Flights())/float64(b.N), "flights/op")
	})
}
