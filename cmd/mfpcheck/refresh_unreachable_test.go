package main

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

// TestProbeRefreshUnreachableTokenEndpoint: probe --refresh with a token
// endpoint that cannot be reached (a closed loopback port, a listener
// that never answers) says it could not reach the token endpoint, blames
// this computer or its network, exits 3 within --timeout, and never says
// Entra refused the token.
func TestProbeRefreshUnreachableTokenEndpoint(t *testing.T) {
	t.Parallel()
	closedAddr := "127.0.0.1:" + strconv.Itoa(testtool.RefusedPort(t))
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	for _, c := range []struct{ name, authority string }{
		{"closed port", "http://" + closedAddr},
		{"silent listener", "http://" + silent.Addr().String()},
	} {
		t.Run(c.name, func(t *testing.T) {
			sim, profile := simWithKit(t, "ok")
			a := newTestApp(nil)
			start := time.Now()
			code := a.runCLI(t, "probe", "--profile", profile, "--ca", sim.CAFile(), "--refresh", "--authority", c.authority,
				"--timeout", "6s", "--json")
			took := time.Since(start)
			r := a.report(t)
			if code != ExitError {
				t.Errorf("exit %d, want %d (could not test)", code, ExitError)
			}
			if r.Verdict != report.VerdictError {
				t.Errorf("verdict %s, want error", r.Verdict)
			}
			found := false
			for _, f := range r.Findings {
				if f.ID == "local.token_endpoint_unreachable" {
					found = true
					if f.Side != "local" || f.Severity != report.SeverityError {
						t.Errorf("side %s severity %s, want local error", f.Side, f.Severity)
					}
				}
				if f.ID == "token.refresh_failed" || strings.HasPrefix(f.ID, "entra.") || strings.Contains(f.Title, "Entra refused") {
					t.Errorf("finding %s (%q) blames Entra for a token endpoint that did not answer", f.ID, f.Title)
				}
			}
			if !found {
				t.Errorf("no local.token_endpoint_unreachable finding: %+v", r.Findings)
			}
			if r.Token == nil || !r.Token.RefreshNoAnswer {
				t.Errorf("token facts do not record the refresh without an answer: %+v", r.Token)
			}
			// The refresh did not take the whole budget: the probe still
			// had its turn at the server.
			if ph, ok := r.Phase(report.PhaseBanner); !ok || ph.Status != report.StatusOK {
				t.Errorf("banner phase %+v: the refresh left the probe no time", ph)
			}
			// A hang would run far past --timeout 6s; the check must end
			// on its own budget (a wide margin for a loaded machine).
			if took > time.Minute {
				t.Errorf("took %s with --timeout 6s", took)
			}
		})
	}
}
