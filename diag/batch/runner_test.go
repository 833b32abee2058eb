package batch

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestRunnerPerMailboxLimit: however high the concurrency, no mailbox
// ever has more than three checks at once, and the limit is actually
// reached (the checks do overlap).
func TestRunnerPerMailboxLimit(t *testing.T) {
	mailboxes := []string{"Scan@Contoso.com", "scan@contoso.com ", "fax@contoso.com", "lobby@contoso.com"}
	ds := fleetOf(80, func(i int) string {
		if i%8 == 7 {
			return "" // no sign-in: no limit
		}
		return mailboxes[i%len(mailboxes)]
	})
	var mu sync.Mutex
	inflight, peak := map[string]int{}, map[string]int{}
	check := func(ctx context.Context, d Device) *report.Report {
		k := d.MailboxKey()
		mu.Lock()
		inflight[k]++
		peak[k] = max(peak[k], inflight[k])
		mu.Unlock()
		time.Sleep(time.Millisecond) // let the checks overlap
		mu.Lock()
		inflight[k]--
		mu.Unlock()
		return fakeReport(d, report.VerdictOK)
	}
	// Count from the runner's own events too: deterministic, since the
	// runner starts every check it may before it waits for one to end.
	active, eventPeak := map[string]int{}, map[string]int{}
	results, interrupted := Runner{Check: check, Concurrency: 50}.Run(context.Background(), ds, func(ev Event) {
		k := ev.Device.MailboxKey()
		switch ev.Kind {
		case Started:
			active[k]++
			eventPeak[k] = max(eventPeak[k], active[k])
		case Finished, Cancelled:
			active[k]--
		}
	})
	if interrupted || len(results) != len(ds) {
		t.Fatalf("results %d interrupted %v", len(results), interrupted)
	}
	for i, r := range results {
		if r.Index != i || r.Device.Name != ds[i].Name || r.Report.Device.Name != ds[i].Name {
			t.Fatalf("result %d is %d %s", i, r.Index, r.Device.Name)
		}
	}
	// Upper- and lower-case spellings of one mailbox share the limit.
	if len(eventPeak) != 4 {
		t.Errorf("mailbox keys %v, want 3 mailboxes and the empty key", eventPeak)
	}
	for k, n := range peak {
		if k != "" && n > MaxPerMailbox {
			t.Errorf("mailbox %q had %d checks at once, limit %d", k, n, MaxPerMailbox)
		}
	}
	for k, n := range eventPeak {
		if k != "" && n != MaxPerMailbox {
			t.Errorf("mailbox %q peaked at %d checks by the events, want exactly %d", k, n, MaxPerMailbox)
		}
	}
	if eventPeak[""] != 10 {
		t.Errorf("devices without sign-in peaked at %d, want all 10 at once", eventPeak[""])
	}
}

// TestRunnerBusyMailboxDoesNotBlockOthers: when the shared mailbox is at
// its limit, a device of another mailbox further down the fleet starts.
func TestRunnerBusyMailboxDoesNotBlockOthers(t *testing.T) {
	ds := fleetOf(10, func(i int) string {
		if i == 9 {
			return "other@contoso.com"
		}
		return "scan@contoso.com"
	})
	var order []string
	release := make(chan struct{})
	check := func(ctx context.Context, d Device) *report.Report {
		<-release
		return fakeReport(d, report.VerdictOK)
	}
	Runner{Check: check, Concurrency: 4}.Run(context.Background(), ds, func(ev Event) {
		if ev.Kind == Started {
			order = append(order, ev.Device.Name)
			if len(order) == 4 {
				close(release)
			}
		}
	})
	want := []string{"dev-00", "dev-01", "dev-02", "dev-09"}
	for i, w := range want {
		if order[i] != w {
			t.Fatalf("start order %v, want %v first", order, want)
		}
	}
	if len(order) != 10 {
		t.Fatalf("%d devices started, want 10", len(order))
	}
}

// TestRunnerDeadDeviceDoesNotDelayOthers: a device that never answers is
// cut off by its own timeout, and every other device's result comes
// before it.
func TestRunnerDeadDeviceDoesNotDelayOthers(t *testing.T) {
	ds := fleetOf(12, func(i int) string { return fmt.Sprintf("m%d@contoso.com", i) })
	dead := ds[0].Name
	var deadErr error
	check := func(ctx context.Context, d Device) *report.Report {
		if d.Name == dead {
			r := blockUntilDone(ctx, d)
			deadErr = ctx.Err()
			return r
		}
		return fakeReport(d, report.VerdictOK)
	}
	const timeout = 300 * time.Millisecond
	var finished []string
	results, interrupted := Runner{Check: check, Concurrency: 3, Timeout: timeout}.Run(context.Background(), ds, func(ev Event) {
		if ev.Kind == Finished {
			finished = append(finished, ev.Device.Name)
		}
	})
	if interrupted || len(results) != 12 {
		t.Fatalf("results %d interrupted %v", len(results), interrupted)
	}
	if finished[len(finished)-1] != dead {
		t.Fatalf("finish order %v: the dead device is not last", finished)
	}
	if deadErr != context.DeadlineExceeded {
		t.Fatalf("dead device's check ended with %v, want its own deadline", deadErr)
	}
	// The dead device's timeout result is a result, not an interruption.
	if r := results[0].Report; r.Verdict != report.VerdictFail || r.Findings[0].ID != "connect_timeout" {
		t.Fatalf("dead device report = %+v", r)
	}
}

// TestRunnerInterrupt: after a cancel no check starts, running ones end,
// and only complete results are returned.
func TestRunnerInterrupt(t *testing.T) {
	ds := fleetOf(10, func(int) string { return "" })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started, cancelled int
	check := func(ctx context.Context, d Device) *report.Report {
		if d.Name == "dev-00" || d.Name == "dev-01" {
			return fakeReport(d, report.VerdictWarning)
		}
		return blockUntilDone(ctx, d)
	}
	var finished int
	results, interrupted := Runner{Check: check, Concurrency: 4}.Run(ctx, ds, func(ev Event) {
		switch ev.Kind {
		case Started:
			started++
		case Finished:
			finished++
			if finished == 2 {
				cancel()
			}
		case Cancelled:
			cancelled++
			if ev.Report != nil {
				t.Errorf("cancelled event carries a report")
			}
		}
	})
	if !interrupted {
		t.Fatal("not interrupted")
	}
	if len(results) != 2 || results[0].Device.Name != "dev-00" || results[1].Device.Name != "dev-01" {
		t.Fatalf("results = %+v", results)
	}
	if started > 6 || started != finished+cancelled {
		t.Fatalf("started %d, finished %d, cancelled %d", started, finished, cancelled)
	}
}

// TestRunnerSurvivesBrokenCheck: a panicking check or a nil report is an
// error result for that device, not a crash.
func TestRunnerSurvivesBrokenCheck(t *testing.T) {
	ds := fleetOf(3, func(int) string { return "" })
	check := func(ctx context.Context, d Device) *report.Report {
		switch d.Name {
		case "dev-00":
			panic("not built yet")
		case "dev-01":
			return nil
		}
		return fakeReport(d, report.VerdictOK)
	}
	results, _ := Runner{Check: check}.Run(context.Background(), ds, nil)
	if len(results) != 3 {
		t.Fatalf("%d results", len(results))
	}
	for i, want := range []string{"internal error: the check failed: not built yet", "internal error: the check returned no report", ""} {
		r := results[i].Report
		if r.Error != want || r.Device == nil || r.Device.Name != ds[i].Name {
			t.Errorf("device %d: error %q device %+v, want %q", i, r.Error, r.Device, want)
		}
	}
	if results[0].Report.Verdict != report.VerdictError || results[2].Report.Verdict != report.VerdictOK {
		t.Errorf("verdicts %s %s", results[0].Report.Verdict, results[2].Report.Verdict)
	}
}
