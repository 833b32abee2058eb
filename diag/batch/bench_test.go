package batch

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
)

// Benchmark parameters: the fleet (500 devices at concurrency 100)
// against the simulator with a 50 ms delay before every write (each reply
// and each TLS handshake flight), like a distant Exchange frontend.
const (
	benchDelay       = 50 * time.Millisecond
	benchDevices     = 500
	benchConcurrency = 100
	// benchSequential devices are checked one by one; the sequential time
	// of the whole fleet is extrapolated from them.
	benchSequential = 20
)

// BenchmarkBatch checks 500 simulated devices at concurrency 100 and
// reports, besides ns/op for the whole fleet:
//
//	one-probe-ms   one device checked alone (median of 5)
//	x-one-probe    fleet time / one probe (target: well under 10)
//	seq-extrap-s   sequential time of the fleet, extrapolated from 20 devices
//	x-sequential   fleet time / extrapolated sequential time
//	peak-heap-MB   highest runtime HeapInuse seen during the fleet run
//	peak-sys-MB    highest runtime Sys (memory from the OS) seen
//	probe-in-fleet-ms  mean duration of a device's check inside the fleet
//	cpu-cores      CPU time of the process (checks and simulator) / wall time
//	floor-x        devices / concurrency: the rounds x-one-probe cannot beat
//
// Each device signs in as its own mailbox (basic auth, which the
// simulator accepts for any address), so the per-mailbox limit does not
// serialise the run. Run with:
//
//	go test ./diag/batch/ -run '^$' -bench BenchmarkBatch -benchtime 3x
func BenchmarkBatch(b *testing.B) {
	benchBatch(b, benchDevices, benchConcurrency, FormatJSON)
}

// BenchmarkBatchLarge is BenchmarkBatch for 5,000 devices at concurrency
// 200, streamed as jsonl (each report written and dropped as its device
// finishes), so memory stays flat however large the fleet. 5,000 / 200
// means 25 rounds of probes: the floor of x-one-probe is 25.
//
//	go test ./diag/batch/ -run '^$' -bench BenchmarkBatchLarge -benchtime 1x
func BenchmarkBatchLarge(b *testing.B) {
	benchBatch(b, 5000, 200, FormatJSONL)
}

func benchBatch(b *testing.B, benchDevices, benchConcurrency int, format string) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "basic-ok", Dir: b.TempDir(), Delay: benchDelay})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	fleet := func(n int) []Device {
		ds := make([]Device, n)
		for i := range ds {
			p := sim.Profile()
			p.Device.Name = fmt.Sprintf("mfp-%04d", i)
			p.SMTP.User = fmt.Sprintf("scan-%04d@contoso.example", i)
			p.Email.Sender = p.SMTP.User
			ds[i] = Device{Name: p.Device.Name, Profile: p}
		}
		return ds
	}
	check := CheckWith(simConfigure(map[string]*exosim.Sim{"": sim}))
	ctx := context.Background()

	// One probe, alone.
	var one []time.Duration
	for range 5 {
		start := time.Now()
		r := check(ctx, fleet(1)[0])
		one = append(one, time.Since(start))
		mustPass(b, r)
	}
	slices.Sort(one)
	oneProbe := one[len(one)/2]

	// Sequential, on a sample.
	start := time.Now()
	seq, _ := Runner{Check: check, Concurrency: 1}.Run(ctx, fleet(benchSequential), nil)
	seqPerDevice := time.Since(start) / benchSequential
	for _, r := range seq {
		mustPass(b, r.Report)
	}
	seqExtrap := seqPerDevice * time.Duration(benchDevices)

	devices := fleet(benchDevices)
	var total, cpu, probes time.Duration
	var peakHeap, peakSys uint64
	var mu sync.Mutex
	timed := func(ctx context.Context, d Device) *report.Report {
		r := check(ctx, d)
		mu.Lock()
		probes += r.Duration.D()
		mu.Unlock()
		return r
	}
	b.ResetTimer()
	for range b.N {
		runtime.GC()
		stop := sampleMemory(&peakHeap, &peakSys)
		cpu0 := cpuTime()
		start := time.Now()
		worst, err := Run(ctx, devices, Options{Check: timed, Format: format, Concurrency: benchConcurrency}, io.Discard, nil)
		total += time.Since(start)
		cpu += cpuTime() - cpu0
		stop()
		if err != nil || worst == report.VerdictError {
			b.Fatalf("worst %s err %v", worst, err)
		}
	}
	b.StopTimer()
	fleetTime := total / time.Duration(b.N)
	// Every device must have really passed the wire, or the numbers
	// measure failures.
	results, _ := Runner{Check: check, Concurrency: benchConcurrency}.Run(ctx, devices[:benchConcurrency], nil)
	for _, r := range results {
		mustPass(b, r.Report)
	}
	b.ReportMetric(float64(oneProbe.Milliseconds()), "one-probe-ms")
	b.ReportMetric(fleetTime.Seconds()/oneProbe.Seconds(), "x-one-probe")
	b.ReportMetric(seqExtrap.Seconds(), "seq-extrap-s")
	b.ReportMetric(fleetTime.Seconds()/seqExtrap.Seconds(), "x-sequential")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	// Where the time goes: the mean probe inside the fleet (against one
	// probe alone: how much the probes slow each other down), and the
	// CPU the process (checks and simulator) used per wall second.
	b.ReportMetric(float64((probes / time.Duration(b.N*benchDevices)).Milliseconds()), "probe-in-fleet-ms")
	b.ReportMetric(cpu.Seconds()/total.Seconds(), "cpu-cores")
	b.ReportMetric(float64(benchDevices)/float64(benchConcurrency), "floor-x")
	b.ReportMetric(float64(peakSys)/(1<<20), "peak-sys-MB")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// mustPass fails the benchmark when a probe did not get through every
// phase.
func mustPass(b *testing.B, r *report.Report) {
	b.Helper()
	if p, failed := r.FailedPhase(); failed || r.Error != "" {
		b.Fatalf("%s: phase %s failed: %s %v %s", r.Device.Name, p.Name, p.Error, p.Reply, r.Error)
	}
}

// sampleMemory records the highest HeapInuse and Sys every 10 ms until
// the returned stop is called.
func sampleMemory(heap, sys *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*heap, *sys = max(*heap, m.HeapInuse), max(*sys, m.Sys)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
