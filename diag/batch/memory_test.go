package batch

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestStreamedRunKeepsMemoryFlat: each device's report carries a 64 KiB
// transcript; a run whose output does not need it afterwards (jsonl, text,
// csv, openmetrics) keeps none of it, so the heap that stays live after the
// run is far below what the reports add up to. Measured with
// runtime.MemStats after a GC, not with time.
func TestStreamedRunKeepsMemoryFlat(t *testing.T) {
	const devices = 2000
	line := strings.Repeat("t", 640)
	fleet := fleetOf(devices, func(i int) string { return fmt.Sprintf("scan-%d@contoso.example", i) })
	check := func(ctx context.Context, d Device) *report.Report {
		r := fakeReport(d, report.VerdictOK)
		for range 100 {
			r.Transcript = append(r.Transcript, report.TranscriptLine{Dir: "<", Text: line})
		}
		return r
	}
	total := uint64(devices * 100 * len(line)) // what keeping every transcript costs
	for _, format := range []string{FormatJSONL, FormatText, FormatCSV, FormatOpenMetrics} {
		t.Run(format, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var kept []Result
			runner := Runner{Check: check, Concurrency: 32, Keep: keepFor(Options{Format: format})}
			kept, _ = runner.Run(context.Background(), fleet, func(ev Event) {
				if ev.Kind == Finished && format == FormatJSONL {
					WriteJSONL(io.Discard, ev.Report)
				}
			})
			runtime.GC()
			runtime.ReadMemStats(&after)
			live := int64(after.HeapAlloc) - int64(before.HeapAlloc)
			if len(kept) != devices {
				t.Fatalf("%d results", len(kept))
			}
			if live > int64(total/10) {
				t.Errorf("%d KiB live after the run, the transcripts were %d KiB", live>>10, total>>10)
			}
			t.Logf("%s: %d KiB live after %d devices (transcripts %d KiB)", format, live>>10, devices, total>>10)
			runtime.KeepAlive(kept)
		})
	}
	// And a json run keeps them: the measurement would see a leak.
	if keepFor(Options{Format: FormatJSON}) != nil {
		t.Error("json output needs whole reports")
	}
}

// TestErrorDeviceIsSanitized: a device that cannot be checked gets an
// error report whose name and error (from the fleet file) carry no escape
// sequence or control character.
func TestErrorDeviceIsSanitized(t *testing.T) {
	d := Device{Name: "evil\x1b]52;c;cm0gLXJm\x07\u202e", Err: fmt.Errorf("profile: \x1b[2J pipe\x00")}
	results, _ := Runner{Check: func(context.Context, Device) *report.Report { t.Fatal("checked"); return nil }}.Run(context.Background(), []Device{d}, nil)
	if len(results) != 1 {
		t.Fatalf("%d results", len(results))
	}
	r := results[0].Report
	if r.Verdict != report.VerdictError || r.Device == nil || !strings.HasPrefix(r.Device.Name, "evil") {
		t.Fatalf("report %+v", r)
	}
	for _, s := range []string{r.Device.Name, r.Error} {
		if strings.ContainsAny(s, "\x1b\x00\x07\u202e") {
			t.Errorf("%q not sanitized", s)
		}
	}
}
