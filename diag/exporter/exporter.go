// Package exporter serves the checks of a fleet to Prometheus, in the
// multi-target exporter pattern of blackbox_exporter: Prometheus asks
// GET /probe?target=NAME, the exporter checks that device and answers with
// the result's metrics. A failed check is still HTTP 200 with
// probe_success 0; only a request the exporter cannot serve (no target, an
// unknown target or module) is an HTTP error.
//
// Exchange Online allows three concurrent sessions per mailbox and
// throttles eager clients, so a result is kept for MinInterval and served
// with its age, scrapes of one device that arrive while its check runs
// share that check, and never more than PerMailbox checks of one mailbox
// run at once, whatever the number of scrapes.
//
// /targets lists the fleet in Prometheus's HTTP service discovery format,
// /metrics has the exporter's own metrics. The exporter decides nothing:
// the verdict, findings and token facts come from the report.
package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Defaults of Options.
const (
	// DefaultMinInterval is how long a result is served before a scrape
	// checks the device again. Five minutes keeps a 1-minute scrape
	// interval far below Exchange Online's throttling.
	DefaultMinInterval = 5 * time.Minute
	// DefaultMargin is taken off the scrape timeout Prometheus announces,
	// so the answer is written before Prometheus gives up (blackbox's
	// --timeout-offset default).
	DefaultMargin = 500 * time.Millisecond
	// DefaultScrapeTimeout is used when the request carries no
	// X-Prometheus-Scrape-Timeout-Seconds header (blackbox uses 120 s).
	DefaultScrapeTimeout = 120 * time.Second
	// DefaultListen is the address "mfpcheck serve" listens on.
	DefaultListen = "127.0.0.1:9465"
)

// Options configure an Exporter.
type Options struct {
	// Check runs one device's full check (batch.CheckWith of check.Run).
	Check batch.CheckFunc
	// MinInterval: results younger than this are served from the cache.
	MinInterval time.Duration
	// Margin is subtracted from the scrape timeout header.
	Margin time.Duration
	// DeviceTimeout caps each check (the device's own bound).
	DeviceTimeout time.Duration
	// PerMailbox is the most checks of one mailbox at once.
	PerMailbox int
	// Modules are profile templates for /probe?module=M&target=HOST:PORT.
	Modules map[string]*profile.Profile
	Now     func() time.Time
	// Logf logs one line per event (no secrets ever reach it: it is given
	// device names, verdicts and durations only).
	Logf func(format string, args ...any)
}

// Exporter answers /probe, /targets and /metrics for one fleet.
type Exporter struct {
	opts Options
	base context.Context

	mu      sync.Mutex
	devices map[string]batch.Device
	order   []string
	results map[string]*entry
	slots   map[string]chan struct{}

	reg      *prometheus.Registry
	scrapes  *prometheus.CounterVec
	checks   prometheus.Counter
	inflight prometheus.Gauge
	fleet    prometheus.Gauge
	reloads  *prometheus.CounterVec
}

// entry is one target's last result and its running check, if any.
type entry struct {
	rep     *report.Report
	at      time.Time     // when rep was made
	timeout time.Duration // the budget rep was made with
	done    chan struct{} // non-nil while a check runs; closed when it ends
}

// New returns an exporter over devices. base ends every running check when
// it is cancelled (the server's shutdown).
func New(base context.Context, devices []batch.Device, opts Options) *Exporter {
	if opts.MinInterval < 0 {
		opts.MinInterval = 0
	}
	if opts.Margin <= 0 {
		opts.Margin = DefaultMargin
	}
	if opts.DeviceTimeout <= 0 {
		opts.DeviceTimeout = batch.DefaultTimeout
	}
	if opts.PerMailbox <= 0 {
		opts.PerMailbox = batch.MaxPerMailbox
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	e := &Exporter{
		opts:    opts,
		base:    base,
		results: map[string]*entry{},
		slots:   map[string]chan struct{}{},
		reg:     prometheus.NewRegistry(),
		scrapes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfpcheck_exporter_scrapes_total",
			Help: "Probe requests served, by how: checked (a new check), cached (a result younger than --min-interval), shared (joined a running check), rejected (bad request).",
		}, []string{"result"}),
		checks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mfpcheck_exporter_checks_total", Help: "Device checks run."}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mfpcheck_exporter_checks_in_flight", Help: "Device checks running now."}),
		fleet: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mfpcheck_exporter_fleet_devices", Help: "Devices in the loaded fleet."}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfpcheck_exporter_fleet_reloads_total", Help: "Fleet reloads (SIGHUP), by result: ok or failed."}, []string{"result"}),
	}
	e.reg.MustRegister(e.scrapes, e.checks, e.inflight, e.fleet, e.reloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	e.SetFleet(devices)
	return e
}

// SetFleet replaces the fleet (a reload). Results of devices that are still
// in the fleet are kept; running checks finish.
func (e *Exporter) SetFleet(devices []batch.Device) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.devices = make(map[string]batch.Device, len(devices))
	e.order = e.order[:0]
	for _, d := range devices {
		e.devices[d.Name] = d
		e.order = append(e.order, d.Name)
	}
	for k, en := range e.results {
		if _, ok := e.devices[k]; !ok && en.done == nil && !strings.Contains(k, "\x00") {
			delete(e.results, k)
		}
	}
	e.fleet.Set(float64(len(devices)))
}

// Reloaded counts a fleet reload attempt for /metrics.
func (e *Exporter) Reloaded(ok bool) {
	if ok {
		e.reloads.WithLabelValues("ok").Inc()
	} else {
		e.reloads.WithLabelValues("failed").Inc()
	}
}

// Handler serves /, /probe, /targets and /metrics.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/probe", e.serveProbe)
	mux.HandleFunc("/targets", e.serveTargets)
	mux.Handle("/metrics", promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, landing)
	})
	return mux
}

const landing = `<!doctype html>
<html><head><title>mfpcheck exporter</title></head><body>
<h1>mfpcheck exporter</h1>
<p>Scan-to-email checks of a fleet of MFPs through Exchange Online, for Prometheus.</p>
<ul>
<li><a href="/targets">/targets</a>: the fleet, in HTTP service discovery format</li>
<li><a href="/metrics">/metrics</a>: the exporter's own metrics</li>
<li>/probe?target=NAME: check one device of the fleet</li>
</ul></body></html>
`

// target resolves a request's target and module into the device to check
// and its cache key.
func (e *Exporter) target(target, module string) (batch.Device, string, error) {
	if target == "" {
		return batch.Device{}, "", fmt.Errorf("target parameter is missing")
	}
	if module == "" {
		e.mu.Lock()
		d, ok := e.devices[target]
		e.mu.Unlock()
		if !ok {
			return batch.Device{}, "", fmt.Errorf("unknown target %q: not a device of the fleet (see /targets)", target)
		}
		return d, target, nil
	}
	tmpl, ok := e.opts.Modules[module]
	if !ok {
		return batch.Device{}, "", fmt.Errorf("unknown module %q", module)
	}
	host, portText, err := net.SplitHostPort(target)
	if err != nil {
		host, portText = target, ""
	}
	if host == "" || strings.ContainsAny(host, " /\x00") {
		return batch.Device{}, "", fmt.Errorf("target %q is not HOST[:PORT]", target)
	}
	p := *tmpl
	p.SMTP.Server = host
	if portText != "" {
		port, err := strconv.Atoi(portText)
		if err != nil || port < 1 || port > 65535 {
			return batch.Device{}, "", fmt.Errorf("target %q: port must be 1-65535", target)
		}
		p.SMTP.Port = port
	}
	p.Device.Name = target
	return batch.Device{Name: target, Profile: &p, Source: "module:" + module}, module + "\x00" + target, nil
}

// budget is the check's deadline for a scrape: the announced scrape
// timeout less the margin, capped by the device's own bound.
func (e *Exporter) budget(r *http.Request) time.Duration {
	t := DefaultScrapeTimeout
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
			t = time.Duration(s * float64(time.Second))
		}
	}
	t -= e.opts.Margin
	if t > e.opts.DeviceTimeout {
		t = e.opts.DeviceTimeout
	}
	if t < 100*time.Millisecond {
		t = 100 * time.Millisecond
	}
	return t
}

func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, key, err := e.target(q.Get("target"), q.Get("module"))
	if err != nil {
		e.scrapes.WithLabelValues("rejected").Inc()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	timeout := e.budget(r)
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	rep, at, how := e.result(ctx, d, key, timeout)
	e.scrapes.WithLabelValues(how).Inc()

	reg := prometheus.NewRegistry()
	age := time.Duration(0)
	if rep != nil {
		age = e.opts.Now().Sub(at)
	}
	collect(reg, rep, timeout, age, e.opts.Now())
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}).ServeHTTP(w, r)
}

// result returns the target's result: from the cache when young enough,
// from a running check (shared), or from a new check. how says which. rep
// is nil only when the request's own deadline passed before any result.
func (e *Exporter) result(ctx context.Context, d batch.Device, key string, timeout time.Duration) (rep *report.Report, at time.Time, how string) {
	e.mu.Lock()
	en := e.results[key]
	if en == nil {
		en = &entry{}
		e.results[key] = en
	}
	now := e.opts.Now()
	if en.rep != nil && en.done == nil && now.Sub(en.at) < e.opts.MinInterval {
		rep, at = en.rep, en.at
		e.mu.Unlock()
		return rep, at, "cached"
	}
	how = "shared"
	if en.done == nil {
		how = "checked"
		en.done = make(chan struct{})
		go e.check(d, key, en, timeout)
	}
	done := en.done
	e.mu.Unlock()

	select {
	case <-done:
	case <-ctx.Done():
		// Past this scrape's deadline: the check goes on for the next
		// scrape; answer with the last result, if there is one.
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return en.rep, en.at, how
}

// check runs one device's check under its budget and the per-mailbox
// limit, and stores the result.
func (e *Exporter) check(d batch.Device, key string, en *entry, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(e.base, timeout)
	defer cancel()
	e.inflight.Inc()
	defer e.inflight.Dec()
	start := time.Now()

	var rep *report.Report
	if release, ok := e.acquire(ctx, d.MailboxKey()); ok {
		e.checks.Inc()
		rep = batch.CheckDevice(ctx, e.opts.Check, d)
		release()
	} else {
		rep = batch.ErrorReport(d, fmt.Sprintf("no check started within %s: %d checks of this mailbox were already running (Exchange Online allows %d sessions per mailbox)",
			timeout.Round(time.Millisecond), e.opts.PerMailbox, batch.MaxPerMailbox))
	}
	e.opts.Logf("checked %s: %s in %s", d.Name, rep.Verdict, time.Since(start).Round(time.Millisecond))

	e.mu.Lock()
	en.rep, en.at, en.timeout = rep, e.opts.Now(), timeout
	close(en.done)
	en.done = nil
	e.mu.Unlock()
}

// acquire takes one of the mailbox's slots, waiting until ctx ends.
func (e *Exporter) acquire(ctx context.Context, mailbox string) (release func(), ok bool) {
	if mailbox == "" {
		return func() {}, true
	}
	e.mu.Lock()
	sem := e.slots[mailbox]
	if sem == nil {
		sem = make(chan struct{}, e.opts.PerMailbox)
		e.slots[mailbox] = sem
	}
	e.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, true
	case <-ctx.Done():
		return nil, false
	}
}

// SDGroup is one group of Prometheus's HTTP service discovery.
type SDGroup struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// Targets is the fleet as HTTP service discovery groups: one group per
// device, labelled with what is known of it.
func (e *Exporter) Targets() []SDGroup {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]SDGroup, 0, len(e.order))
	for _, name := range e.order {
		d := e.devices[name]
		labels := map[string]string{}
		if p := d.Profile; p != nil {
			for k, v := range map[string]string{"vendor": p.Device.Vendor, "model": p.Device.Model, "site": p.Device.Site} {
				if v != "" {
					labels[k] = v
				}
			}
		}
		out = append(out, SDGroup{Targets: []string{name}, Labels: labels})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Targets[0] < out[j].Targets[0] })
	return out
}

func (e *Exporter) serveTargets(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(e.Targets())
}
