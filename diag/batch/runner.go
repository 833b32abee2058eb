package batch

import (
	"container/heap"
	"context"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// CheckFunc checks one device and returns its report. It must respect ctx:
// when ctx ends it returns promptly (check.Run closes its connections).
type CheckFunc func(ctx context.Context, d Device) *report.Report

// Defaults of the runner.
const (
	// DefaultConcurrency suits a small machine (2 cores): a probe spends
	// nearly all its time waiting on the network, so 16 at once keep the
	// CPU far from busy while a fleet of 100 finishes in a few rounds.
	DefaultConcurrency = 16
	// DefaultTimeout bounds one device's whole check; probe.DefaultTimeout
	// is the probe's own budget, and the token check and POP3 come on top
	// only when the SMTP side is quick.
	DefaultTimeout = probe.DefaultTimeout
	// MaxPerMailbox is Exchange Online's limit of concurrent SMTP
	// connections of one mailbox; the fourth is refused with 432 4.3.2.
	MaxPerMailbox = 3
)

// Runner checks devices concurrently.
type Runner struct {
	Check CheckFunc
	// Concurrency bounds the checks running at once (DefaultConcurrency
	// when 0).
	Concurrency int
	// Timeout bounds each check (DefaultTimeout when 0).
	Timeout time.Duration
	// PerMailbox bounds the checks running at once for one mailbox
	// (Device.MailboxKey), MaxPerMailbox when 0.
	PerMailbox int
	// Keep, when set, is what Run keeps of each finished report for the
	// results it returns (the event gets the whole report first): a run
	// whose output is streamed keeps a stub, so memory stays flat however
	// large the fleet.
	Keep func(*report.Report) *report.Report
	// Window bounds the devices read ahead of the running ones, waiting
	// for their mailbox (max(4×Concurrency, 256) when 0).
	Window int
}

// Result is one device's outcome.
type Result struct {
	// Index is the device's position in the fleet.
	Index  int
	Device Device
	Report *report.Report
}

// EventKind says what happened to a device's check.
type EventKind int

// Events of a run, in the order a device sees them: Started, then Finished
// or (when the run is interrupted while it runs) Cancelled.
const (
	Started EventKind = iota
	Finished
	Cancelled
)

// Event is one step of a run. Report is set for Finished only.
type Event struct {
	Kind EventKind
	Result
}

// Run checks every device and calls on (if not nil) with each event as it
// happens, one at a time, from the goroutine that called Run: a Finished
// event carries the device's result as soon as its check returns. It
// returns the finished results in fleet order (what Keep keeps of each).
// It is Stream over a slice; see Stream for the scheduling and the
// interruption.
func (r Runner) Run(ctx context.Context, devices []Device, on func(Event)) (results []Result, interrupted bool) {
	byIndex := make([]*Result, len(devices))
	interrupted = r.Stream(ctx, slices.Values(devices), func(ev Event) {
		if on != nil {
			on(ev)
		}
		if ev.Kind == Finished {
			res := ev.Result
			if r.Keep != nil {
				res.Report = r.Keep(res.Report)
			}
			byIndex[ev.Index] = &res
		}
	})
	for _, res := range byIndex {
		if res != nil {
			results = append(results, *res)
		}
	}
	return results, interrupted
}

// Stream checks the devices of a sequence, read as the run needs them, and
// calls on with each event as it happens, one at a time, from the goroutine
// that called Stream. It keeps nothing of a finished device: what the
// caller keeps is all the memory a fleet costs. A device's Index is its
// position in the sequence.
//
// Scheduling: devices start in fleet order, except that a device whose
// mailbox already has PerMailbox checks running waits while devices of
// other mailboxes go ahead, so one shared scan mailbox never idles the
// rest. At most Window devices wait that way (read ahead of the ones
// running); when the window is full, the run waits for a check to end.
//
// When ctx ends no further check starts, the running ones are cancelled
// (through their contexts) and Stream returns once they have returned;
// interrupted is then true. A check cut short by the cancellation (its
// report says Interrupted) is a Cancelled event, not a finished result, so
// everything finished is complete; a check that ran into its own Timeout
// is a result like any other.
func (r Runner) Stream(ctx context.Context, devices iter.Seq[Device], on func(Event)) (interrupted bool) {
	conc := r.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	perMailbox := r.PerMailbox
	if perMailbox <= 0 {
		perMailbox = MaxPerMailbox
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	window := r.Window
	if window <= 0 {
		window = max(4*conc, 256)
	}
	if on == nil {
		on = func(Event) {}
	}

	type outcome struct {
		Result
		key string
		cut bool // ended by the run's cancellation, not by itself
	}
	finished := make(chan outcome, conc)
	next, stopReading := iter.Pull(devices)
	defer stopReading()
	q := newQueue(perMailbox)
	read, exhausted := 0, false
	running := 0
	cancelled := ctx.Done()
	stopped := false

	for {
		for !stopped && running < conc && ctx.Err() == nil {
			res, key, ok := q.next()
			if !ok {
				if exhausted || q.waiting >= window {
					break
				}
				d, more := next()
				if !more {
					exhausted = true
					break
				}
				q.add(Result{Index: read, Device: d}, d.MailboxKey())
				read++
				continue
			}
			running++
			on(Event{Kind: Started, Result: res})
			go func() {
				dctx, cancel := context.WithTimeout(ctx, timeout)
				rep := r.checkOne(dctx, res.Device)
				cancel()
				// Cut short by the run's end (not by the device's own
				// timeout, which is a result): the check says so itself.
				cut := rep.Interrupted && ctx.Err() != nil
				res.Report = rep
				finished <- outcome{Result: res, key: key, cut: cut}
			}()
		}
		if running == 0 {
			break
		}
		select {
		case o := <-finished:
			running--
			q.release(o.key)
			kind := Finished
			if o.cut {
				kind, o.Report = Cancelled, nil
			}
			on(Event{Kind: kind, Result: o.Result})
		case <-cancelled:
			stopped, cancelled = true, nil
		}
	}
	return ctx.Err() != nil
}

// checkOne runs the check of one device of the run.
func (r Runner) checkOne(ctx context.Context, d Device) *report.Report {
	return CheckDevice(ctx, r.Check, d)
}

// CheckDevice runs check for d, as batch and the exporter do: a device
// whose fleet entry could not be read (d.Err) gets its error report, and a
// panic or a nil report becomes an error report, so one broken device never
// takes the fleet or the exporter down.
func CheckDevice(ctx context.Context, check CheckFunc, d Device) (rep *report.Report) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			rep = ErrorReport(d, fmt.Sprintf("internal error: the check failed: %v", p))
		}
		if rep == nil {
			rep = ErrorReport(d, "internal error: the check returned no report")
		}
		if rep.Device == nil && d.Profile != nil {
			rep.Device = d.Profile.DeviceInfo()
		}
		if rep.Duration == 0 {
			rep.Duration = report.Duration(time.Since(start))
		}
	}()
	if d.Err != nil {
		if d.Profile == nil {
			d.Profile = &profile.Profile{Device: profile.ProfileDevice{Name: d.Name}}
		}
		return ErrorReport(d, d.Err.Error())
	}
	return check(ctx, d)
}

// ErrorReport is the report of a device that could not be checked.
func ErrorReport(d Device, msg string) *report.Report {
	rep := &report.Report{Schema: report.Schema, Verdict: report.VerdictError, Error: msg,
		Phases: []report.Phase{}, Transcript: []report.TranscriptLine{}, Findings: []report.Finding{}}
	if d.Profile != nil {
		rep.Device = d.Profile.DeviceInfo()
	}
	// Paths and names from the fleet file are outside text too.
	redact.Scrub(rep, nil)
	return rep
}

// queue hands out the devices read so far in fleet order, skipping those
// whose mailbox is at its limit. Each mailbox with waiting devices has its
// own FIFO; a heap orders the mailboxes that may start a check by the
// fleet position of their next device. Mailboxes leave the maps when they
// have nothing waiting or running, so the queue holds only the window.
type queue struct {
	pending map[string][]Result // mailbox key → waiting devices
	active  map[string]int
	limit   int
	waiting int
	ready   keyHeap
}

func newQueue(limit int) *queue {
	return &queue{pending: map[string][]Result{}, active: map[string]int{}, limit: limit}
}

// add queues a device read from the fleet.
func (q *queue) add(res Result, k string) {
	q.pending[k] = append(q.pending[k], res)
	q.waiting++
	if len(q.pending[k]) == 1 && q.room(k) {
		heap.Push(&q.ready, keyHead{k, res.Index})
	}
}

// next returns the next device that may start and its mailbox key.
func (q *queue) next() (Result, string, bool) {
	if q.ready.Len() == 0 {
		return Result{}, "", false
	}
	k := heap.Pop(&q.ready).(keyHead).key
	res := q.pending[k][0]
	q.pending[k][0] = Result{}
	q.pending[k] = q.pending[k][1:]
	if len(q.pending[k]) == 0 {
		delete(q.pending, k)
	}
	q.waiting--
	q.active[k]++
	q.offer(k)
	return res, k, true
}

// release marks the end of a check of mailbox k.
func (q *queue) release(k string) {
	wasFull := !q.room(k)
	if q.active[k]--; q.active[k] <= 0 {
		delete(q.active, k)
	}
	if wasFull {
		q.offer(k)
	}
}

// room reports whether mailbox k may start another check.
func (q *queue) room(k string) bool { return k == "" || q.active[k] < q.limit }

// offer puts mailbox k back on the heap if it has a waiting device and room.
func (q *queue) offer(k string) {
	if p := q.pending[k]; len(p) > 0 && q.room(k) {
		heap.Push(&q.ready, keyHead{k, p[0].Index})
	}
}

type keyHead struct {
	key  string
	head int
}

type keyHeap []keyHead

func (h keyHeap) Len() int           { return len(h) }
func (h keyHeap) Less(a, b int) bool { return h[a].head < h[b].head }
func (h keyHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *keyHeap) Push(x any)        { *h = append(*h, x.(keyHead)) }
func (h *keyHeap) Pop() any          { old := *h; x := old[len(old)-1]; *h = old[:len(old)-1]; return x }
