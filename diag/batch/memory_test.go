package batch

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	rtmetrics "runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// transcriptCheck is a fast fake check whose report carries a transcript
// of lines × 640 bytes, like a real probe's, so a run that kept reports
// would show it in the heap at once.
func transcriptCheck(lines int) CheckFunc {
	line := strings.Repeat("t", 640)
	return func(ctx context.Context, d Device) *report.Report {
		r := fakeReport(d, report.VerdictOK)
		for range lines {
			r.Transcript = append(r.Transcript, report.TranscriptLine{Dir: "<", Text: line})
		}
		return r
	}
}

// generatedFleet is a fleet of n devices made as they are read (nothing
// of the fleet is in memory before the run), each its own mailbox.
func generatedFleet(n int) *Fleet {
	return &Fleet{count: n, all: func(yield func(Device) bool) error {
		for i := range n {
			d := fleetOf(1, func(int) string { return fmt.Sprintf("scan-%d@contoso.example", i) })[0]
			d.Name = fmt.Sprintf("dev-%06d", i)
			d.Profile.Device.Name = d.Name
			if !yield(d) {
				break
			}
		}
		return nil
	}}
}

// peakHeap runs the fleet and returns the highest live heap (the heap
// marked live by the last GC, runtime/metrics' /gc/heap/live:bytes, so
// garbage not yet collected does not count), read at every 25th check,
// above the live heap before the run.
func peakHeap(t testing.TB, fleet *Fleet, opts Options) uint64 {
	t.Helper()
	live := func() uint64 {
		m := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
		rtmetrics.Read(m)
		return m[0].Value.Uint64()
	}
	runtime.GC()
	before := live()
	var peak atomic.Uint64
	var n atomic.Int64
	check := opts.Check
	opts.Check = func(ctx context.Context, d Device) *report.Report {
		if n.Add(1)%25 == 0 {
			v := live()
			for p := peak.Load(); v > p && !peak.CompareAndSwap(p, v); p = peak.Load() {
			}
		}
		return check(ctx, d)
	}
	worst, err := RunFleet(context.Background(), fleet, opts, io.Discard, nil)
	if err != nil || worst == report.VerdictError {
		t.Fatalf("worst %s err %v", worst, err)
	}
	if int(n.Load()) != fleet.Len() {
		t.Fatalf("%d checks, want %d", n.Load(), fleet.Len())
	}
	return max(peak.Load(), before) - before
}

// TestStreamedRunKeepsMemoryFlat: jsonl, json and csv keep nothing of a
// finished device, so the heap a run needs is the same for 500 and for
// 5,000 devices (each report carries 6 KiB of transcript: keeping them
// would cost 30 MB at 5,000). Measured from runtime.MemStats, not time.
func TestStreamedRunKeepsMemoryFlat(t *testing.T) {
	small, large := 500, 5000
	if testing.Short() || race {
		small, large = 200, 2000
	}
	for _, format := range []string{FormatJSONL, FormatJSON, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			opts := Options{Check: transcriptCheck(10), Format: format, Concurrency: 32}
			a := peakHeap(t, generatedFleet(small), opts)
			b := peakHeap(t, generatedFleet(large), opts)
			t.Logf("%s: peak heap above the start %d KiB at %d devices, %d KiB at %d", format, a>>10, small, b>>10, large)
			// 4,500 more devices may add at most 4 MiB (932 bytes a
			// device): the reports alone would add over 27 MiB.
			if b > a+4<<20 {
				t.Errorf("peak heap grew from %d KiB to %d KiB with the fleet", a>>10, b>>10)
			}
		})
	}
}

// TestSummaryFormatsKeepSlimReports: text, openmetrics and nagios keep a
// summary per device (about 1.7 KB live: device, verdict, first finding,
// token and certificate days), not its report (here with 19 KB of
// transcript): the heap grows by far less than the reports.
func TestSummaryFormatsKeepSlimReports(t *testing.T) {
	small, large := 1000, 5000
	for _, format := range []string{FormatText, FormatOpenMetrics, FormatNagios} {
		t.Run(format, func(t *testing.T) {
			opts := Options{Check: transcriptCheck(30), Format: format, Concurrency: 32}
			a := peakHeap(t, generatedFleet(small), opts)
			b := peakHeap(t, generatedFleet(large), opts)
			perDevice := int64(b-a) / int64(large-small)
			t.Logf("%s: %d KiB at %d devices, %d KiB at %d: %d bytes a device", format, a>>10, small, b>>10, large, perDevice)
			if perDevice > 3000 {
				t.Errorf("%d bytes kept a device (the report is over 19 KB)", perDevice)
			}
		})
	}
}

// TestCSVInventoryStreams: a CSV inventory is read row by row: the heap
// of a run over 5,000 rows is that of a run over 500.
func TestCSVInventoryStreams(t *testing.T) {
	small, large := 500, 5000
	if testing.Short() || race {
		small, large = 200, 2000
	}
	dir := t.TempDir()
	a := peakHeap(t, openInventory(t, dir, small), Options{Check: transcriptCheck(10), Format: FormatJSONL, Concurrency: 32})
	b := peakHeap(t, openInventory(t, dir, large), Options{Check: transcriptCheck(10), Format: FormatJSONL, Concurrency: 32})
	t.Logf("peak heap above the start %d KiB at %d rows, %d KiB at %d", a>>10, small, b>>10, large)
	if b > a+4<<20 {
		t.Errorf("peak heap grew from %d KiB to %d KiB with the inventory", a>>10, b>>10)
	}
}

// writeInventory writes a CSV inventory of n rows, each its own mailbox.
func writeInventory(t testing.TB, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, csvHead)
	for i := range n {
		fmt.Fprintf(f, "mfp-%06d,epson,WF-C579R,10.%d.%d.%d,scan-%06d@contoso.example,oauth2,smtp.office365.com,587,tokens/t.json\n",
			i, i>>16&255, i>>8&255, i&255, i)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func openInventory(t testing.TB, dir string, n int) *Fleet {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("inv-%d.csv", n))
	writeInventory(t, path, n)
	f, err := OpenFleet(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if f.Len() != n {
		t.Fatalf("Len %d, want %d", f.Len(), n)
	}
	return f
}

// BenchmarkStreamMemory: 20,000 and 200,000 CSV rows through RunFleet
// with a fast fake check, jsonl to io.Discard; reports the peak heap in
// use above the start. Run with:
//
//	go test ./diag/batch/ -run '^$' -bench StreamMemory -benchtime 1x
func BenchmarkStreamMemory(b *testing.B) {
	for _, n := range []int{20000, 200000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			var peak uint64
			for range b.N {
				peak = max(peak, peakHeap(b, openInventory(b, dir, n), Options{Check: transcriptCheck(10), Format: FormatJSONL, Concurrency: 200}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
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
