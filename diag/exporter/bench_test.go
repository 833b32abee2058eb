package exporter

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
)

var successRE = regexp.MustCompile(`(?m)^probe_success 1$`)

// BenchmarkExporter500Targets scrapes 500 simulated devices at once (100
// mailboxes of 5 devices each; the simulator delays every write by 50 ms,
// like a distant Exchange frontend), a fresh exporter per iteration so
// every scrape runs a check, and reports:
//
//	max-per-mailbox  most concurrent sessions the simulator saw for one mailbox (limit 3)
//	peak-heap-MB     highest HeapInuse seen during the run
//	heap-after-MB    HeapInuse after the run and a GC (flat memory: close to before)
//
// Run with:
//
//	go test ./diag/exporter/ -run '^$' -bench Exporter500 -benchtime 2x
func BenchmarkExporter500Targets(b *testing.B) {
	const devices, perMailbox = 500, 5
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "basic-ok", Dir: b.TempDir(), Delay: 50 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	fleet := make([]batch.Device, devices)
	for i := range fleet {
		p := sim.Profile()
		p.Device.Name = fmt.Sprintf("mfp-%03d", i)
		p.SMTP.User = fmt.Sprintf("scan-%02d@contoso.example", i/perMailbox)
		p.Email.Sender = p.SMTP.User
		fleet[i] = batch.Device{Name: p.Device.Name, Profile: p}
	}
	checkFn := batch.CheckWith(func(d batch.Device) check.Config {
		return simcheck.ForProfile(sim, d.Profile, nil, 5*time.Second)
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: devices}}

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	for range b.N {
		ctx, cancel := context.WithCancel(context.Background())
		e := New(ctx, fleet, Options{Check: checkFn, DeviceTimeout: time.Minute})
		srv := httptest.NewServer(e.Handler())
		var wg sync.WaitGroup
		var mu sync.Mutex
		failed := 0
		for _, d := range fleet {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", srv.URL+"/probe?target="+d.Name, nil)
				req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "60")
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !successRE.Match(body) {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		srv.Close()
		cancel()
		if failed > 0 {
			b.Fatalf("%d of %d scrapes did not succeed", failed, devices)
		}
	}
	b.StopTimer()
	close(stop)
	<-sampled
	most := 0
	for i := 0; i < devices/perMailbox; i++ {
		most = max(most, sim.MaxConcurrent(fmt.Sprintf("scan-%02d@contoso.example", i)))
	}
	if most > batch.MaxPerMailbox {
		b.Errorf("a mailbox saw %d concurrent sessions, limit %d", most, batch.MaxPerMailbox)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(most), "max-per-mailbox")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "heap-before-MB")
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-after-MB")
}
