package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
)

// simTarpitTimeout is the silent device's phase budget in batch runs:
// short, but long enough that every quick device of the fleet finishes
// first even under the race detector. Every other device gets
// simcheck.Budget's (it never waits for a budget to end).
const simTarpitTimeout = 2500 * time.Millisecond

// simFleet starts one simulator per scenario and returns the fleet of their
// devices (named after the scenario) and a configure function that points
// each device's check at its own simulator's CA and password.
func simFleet(t testing.TB, delay time.Duration) ([]Device, map[string]*exosim.Sim, func(Device) check.Config) {
	t.Helper()
	sims := map[string]*exosim.Sim{}
	var ds []Device
	for _, sc := range exosim.Scenarios() {
		sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: sc.Name, Dir: t.TempDir(), Delay: delay})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sim.Close() })
		p := sim.Profile()
		p.Device.Name = sc.Name
		sims[sc.Name] = sim
		ds = append(ds, Device{Name: sc.Name, Profile: p, Source: "sim:" + sc.Name})
	}
	return ds, sims, simConfigure(sims)
}

// simConfigure builds a device's check as "mfpcheck demo" does: the
// profile's check, with the simulator's CA, password and test message.
func simConfigure(sims map[string]*exosim.Sim) func(Device) check.Config {
	return func(d Device) check.Config {
		sim := sims[d.Name]
		if sim == nil {
			sim = sims[""]
		}
		budget := simcheck.Budget(sim.Scenario())
		if sim.Scenario().Tarpit {
			budget = simTarpitTimeout
		}
		cfg := simcheck.ForProfile(sim, d.Profile, nil, budget)
		cfg.Lang = "en"
		return cfg
	}
}

// TestSimFleetEveryScenario checks a fleet with one device per simulator
// scenario in one batch run, and asserts each device got its own verdict:
// the scenario's expected outcome on the wire, and the same verdict and
// first finding as the device checked on its own (what the diagnosis makes
// of a report is the diagnosis' business; batch must not change it). The tarpit device (a server that never
// answers) does not hold up the rest: the jsonl lines of every quick
// device come before its line. Every output format made from the run's
// reports is free of secrets (checkNoSecret).
func TestSimFleetEveryScenario(t *testing.T) {
	t.Parallel() // waits on the simulators; the memory tests run alone before it
	if testing.Short() {
		t.Skip("starts a simulator per scenario")
	}
	ds, sims, configure := simFleet(t, 0)
	var out bytes.Buffer
	worst, err := Run(context.Background(), ds, Options{Check: CheckWith(configure), Format: FormatJSONL, Concurrency: 16, Timeout: 30 * time.Second}, &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if worst != report.VerdictFail {
		t.Errorf("worst verdict %s, want fail", worst)
	}
	var order []string
	got := map[string]*report.Report{}
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var r report.Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("jsonl line: %v", err)
		}
		order = append(order, r.Device.Name)
		got[r.Device.Name] = &r
	}
	if len(got) != len(ds) {
		t.Fatalf("%d reports for %d devices", len(got), len(ds))
	}
	// The same run's output, in every format, holds no secret.
	checkNoSecret(t, sims, out.String())

	// The same device checked alone gives the same answer (the tarpit
	// device would only wait out its timeout again); the lone checks run
	// side by side.
	alone := map[string]*report.Report{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, sc := range exosim.Scenarios() {
		if sc.Tarpit {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := check.Run(context.Background(), configure(Device{Name: sc.Name, Profile: sims[sc.Name].Profile()}))
			mu.Lock()
			alone[sc.Name] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, sc := range exosim.Scenarios() {
		r := got[sc.Name]
		switch sc.ExpectStatus {
		case report.StatusFail:
			if want := sc.WantVerdict(); r.Verdict != want {
				t.Errorf("%s: verdict %s, want %s", sc.Name, r.Verdict, want)
			}
			p, ok := r.FailedPhase()
			if !ok || p.Name != sc.ExpectPhase {
				t.Errorf("%s: failed phase %+v, want %s", sc.Name, p, sc.ExpectPhase)
			} else if sc.ExpectCode != 0 && (p.Reply == nil || p.Reply.Code != sc.ExpectCode || p.Reply.Enhanced != sc.ExpectEnhanced) {
				t.Errorf("%s: reply %+v, want %d %s", sc.Name, p.Reply, sc.ExpectCode, sc.ExpectEnhanced)
			}
		case report.StatusOK:
			if p, failed := r.FailedPhase(); failed {
				t.Errorf("%s: phase %s failed: %s %v", sc.Name, p.Name, p.Error, p.Reply)
			}
			if r.Verdict != report.VerdictOK && r.Verdict != report.VerdictWarning {
				// Not batch's doing (compared with the lone check below),
				// but worth seeing.
				t.Logf("%s: every phase passed, yet verdict %s (%s)", sc.Name, r.Verdict, firstID(r))
			}
		}
		if a := alone[sc.Name]; a != nil && (a.Verdict != r.Verdict || firstID(a) != firstID(r)) {
			t.Errorf("%s: batch says %s/%s, alone %s/%s", sc.Name, r.Verdict, firstID(r), a.Verdict, firstID(a))
		}
	}

	// The dead device came after every device that answers quickly.
	tarpitAt := -1
	for i, name := range order {
		if name == "tarpit" {
			tarpitAt = i
		}
	}
	for i, name := range order {
		if name != "tarpit" && name != "slow" && i > tarpitAt {
			t.Errorf("%s finished after the tarpit device (order %v)", name, order)
		}
	}
}

func firstID(r *report.Report) string {
	if len(r.Findings) == 0 {
		return ""
	}
	return r.Findings[0].ID
}

// TestSimMailboxLimit: 50 devices sharing one mailbox, at concurrency 50,
// never hold more than three sessions at once on the simulated Exchange,
// so none is refused with 432 4.3.2. Without the limit the simulator sees
// more and refuses some, which shows the test can fail.
func TestSimMailboxLimit(t *testing.T) {
	t.Parallel() // waits on the simulators; the memory tests run alone before it
	if testing.Short() {
		t.Skip("starts a simulator")
	}
	for _, tc := range []struct {
		name       string
		perMailbox int
		wantMax    func(int) bool
	}{
		{"limited", 0, func(n int) bool { return n >= 1 && n <= exosim.MaxSessionsPerUser }},
		{"unlimited", 50, func(n int) bool { return n > exosim.MaxSessionsPerUser }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A delay per reply keeps sessions open long enough to overlap.
			sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir(), Delay: 10 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			var ds []Device
			for i := range 50 {
				p := sim.Profile()
				p.Device.Name = fmt.Sprintf("mfp-%02d", i)
				ds = append(ds, Device{Name: p.Device.Name, Profile: p})
			}
			configure := simConfigure(map[string]*exosim.Sim{"": sim})
			var out bytes.Buffer
			_, err = Run(context.Background(), ds, Options{Check: CheckWith(configure), Format: FormatJSON, Concurrency: 50, PerMailbox: tc.perMailbox}, &out, nil)
			if err != nil {
				t.Fatal(err)
			}
			peak := sim.MaxConcurrent(exosim.DeviceUser)
			if !tc.wantMax(peak) {
				t.Fatalf("simulator saw %d concurrent sessions of %s", peak, exosim.DeviceUser)
			}
			var b Batch
			if err := json.Unmarshal(out.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			throttled := 0
			for _, r := range b.Reports {
				if p, ok := r.FailedPhase(); ok && p.Reply != nil && p.Reply.Enhanced == "4.3.2" {
					throttled++
				}
			}
			if tc.perMailbox == 0 {
				for _, r := range b.Reports {
					if p, failed := r.FailedPhase(); failed {
						t.Errorf("%s: phase %s failed with the limit on: %s %v", r.Device.Name, p.Name, p.Error, p.Reply)
					}
				}
			}
			if tc.perMailbox != 0 && throttled == 0 {
				t.Errorf("no device throttled with the limit off (peak %d)", peak)
			}
		})
	}
}

// checkNoSecret: every batch output format made from the fleet's reports
// (jsonl, the run's own output) carries no password, access token or
// refresh token of any simulator.
func checkNoSecret(t *testing.T, sims map[string]*exosim.Sim, jsonl string) {
	t.Helper()
	var secrets []string
	for _, sim := range sims {
		secrets = append(secrets, sim.Password())
		if f := sim.TokenFile(); f != "" {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var tok struct {
				AccessToken  string `json:"access_token"`
				RefreshToken string `json:"refresh_token"`
			}
			if err := json.Unmarshal(raw, &tok); err != nil || tok.AccessToken == "" {
				t.Fatalf("token file %s: %v", f, err)
			}
			secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
		}
	}
	// Render every format from the same reports.
	var b Batch
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var r report.Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		b.Reports = append(b.Reports, &r)
	}
	outputs := map[string]string{FormatJSONL: jsonl}
	for _, f := range []string{FormatText, FormatJSON, FormatCSV, FormatOpenMetrics} {
		var buf bytes.Buffer
		if err := Render(&buf, f, &b); err != nil {
			t.Fatal(err)
		}
		outputs[f] = buf.String()
	}
	// The transcripts did carry AUTH exchanges, so the check is not empty.
	if !strings.Contains(outputs[FormatJSONL], "AUTH LOGIN") && !strings.Contains(outputs[FormatJSONL], "AUTH XOAUTH2") {
		t.Fatal("no AUTH in any transcript: nothing was tested")
	}
	for f, out := range outputs {
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(out, s) {
				t.Errorf("%s output contains a secret (%s…)", f, s[:4])
			}
		}
	}
}
