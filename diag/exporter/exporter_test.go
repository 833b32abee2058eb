package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// simFleet starts one simulator per scenario and returns the fleet and
// its check, as "mfpcheck demo --exporter" builds it.
func simFleet(t testing.TB, delay time.Duration, scenarios ...string) ([]batch.Device, batch.CheckFunc, map[string]*exosim.Sim) {
	t.Helper()
	byName := map[string]check.Config{}
	sims := map[string]*exosim.Sim{}
	var devices []batch.Device
	for _, sc := range scenarios {
		sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: sc, Dir: t.TempDir(), Delay: delay})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sim.Close() })
		byName[sc] = simcheck.Config(sim, nil, 2*time.Second)
		sims[sc] = sim
		devices = append(devices, batch.Device{Name: sc, Profile: sim.Profile(), Source: "simulator:" + sc})
	}
	return devices, batch.CheckWith(func(d batch.Device) check.Config { return byName[d.Name] }), sims
}

// scrape GETs path and parses the Prometheus text answer.
func scrape(t testing.TB, srv *httptest.Server, path string, header map[string]string) (int, map[string]*promFamily) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("%s: not Prometheus text format: %v", path, err)
	}
	out := map[string]*promFamily{}
	for name, f := range fams {
		pf := &promFamily{}
		for _, m := range f.Metric {
			labels := map[string]string{}
			for _, l := range m.Label {
				labels[l.GetName()] = l.GetValue()
			}
			v := m.GetGauge().GetValue()
			if m.Counter != nil {
				v = m.GetCounter().GetValue()
			}
			pf.samples = append(pf.samples, promSample{labels, v})
		}
		out[name] = pf
	}
	return 200, out
}

type promSample struct {
	labels map[string]string
	value  float64
}

type promFamily struct{ samples []promSample }

// value is the sample whose labels include want (nil: the only sample).
func value(t testing.TB, fams map[string]*promFamily, name string, want map[string]string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no metric %s", name)
	}
	for _, s := range f.samples {
		match := true
		for k, v := range want {
			match = match && s.labels[k] == v
		}
		if match {
			return s.value
		}
	}
	t.Fatalf("no %s sample with %v", name, want)
	return 0
}

func newServer(t testing.TB, devices []batch.Device, opts Options) (*Exporter, *httptest.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := New(ctx, devices, opts)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return e, srv
}

func TestProbeSuccessAndFailureSeries(t *testing.T) {
	devices, checkFn, _ := simFleet(t, 0, "ok", "mailbox-auth-disabled", "expired-cert")
	_, srv := newServer(t, devices, Options{Check: checkFn})

	code, ok := scrape(t, srv, "/probe?target=ok", nil)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	if v := value(t, ok, "probe_success", nil); v != 1 {
		t.Errorf("ok: probe_success = %v, want 1", v)
	}
	if v := value(t, ok, "mfpcheck_verdict", map[string]string{"verdict": "ok"}); v != 1 {
		t.Errorf("ok: mfpcheck_verdict{ok} = %v", v)
	}
	if v := value(t, ok, "mfpcheck_phase_ok", map[string]string{"phase": string(report.PhaseAuth)}); v != 1 {
		t.Errorf("ok: auth phase_ok = %v", v)
	}
	if v := value(t, ok, "probe_tls_version_info", map[string]string{"version": "TLS 1.3"}); v != 1 {
		t.Errorf("ok: tls version info = %v", v)
	}
	if v := value(t, ok, "probe_ssl_earliest_cert_expiry", nil); v < float64(time.Now().Unix()) {
		t.Errorf("ok: certificate expiry %v is in the past", v)
	}
	if v := value(t, ok, "mfpcheck_token_refresh_days_left", nil); v <= 0 || v > 90 {
		t.Errorf("ok: refresh days left = %v", v)
	}

	_, bad := scrape(t, srv, "/probe?target=mailbox-auth-disabled", nil)
	if v := value(t, bad, "probe_success", nil); v != 0 {
		t.Errorf("mailbox-auth-disabled: probe_success = %v, want 0", v)
	}
	if v := value(t, bad, "mfpcheck_finding", map[string]string{"id": "smtp.auth.mailbox_disabled", "severity": "error"}); v != 1 {
		t.Errorf("mailbox-auth-disabled: finding = %v", v)
	}
	if v := value(t, bad, "mfpcheck_phase_ok", map[string]string{"phase": string(report.PhaseAuth)}); v != 0 {
		t.Errorf("mailbox-auth-disabled: auth phase_ok = %v, want 0", v)
	}

	_, cert := scrape(t, srv, "/probe?target=expired-cert", nil)
	if v := value(t, cert, "probe_ssl_earliest_cert_expiry", nil); v > float64(time.Now().Unix()) {
		t.Errorf("expired-cert: earliest expiry %v is in the future", v)
	}
}

func TestBadRequestsAre400(t *testing.T) {
	devices, checkFn, _ := simFleet(t, 0, "ok")
	_, srv := newServer(t, devices, Options{Check: checkFn})
	for _, path := range []string{"/probe", "/probe?target=nope", "/probe?target=ok&module=nope", "/probe?module=x&target=a%20b"} {
		if code, _ := scrape(t, srv, path, nil); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path, code)
		}
	}
}

func TestModuleTemplateProbesHostPort(t *testing.T) {
	devices, checkFn, sims := simFleet(t, 0, "ok")
	tmpl := *devices[0].Profile
	tmpl.SMTP.Server, tmpl.SMTP.Port = "unused.invalid", 1
	var got atomic.Value
	check := func(ctx context.Context, d batch.Device) *report.Report {
		got.Store(fmt.Sprintf("%s:%d %s", d.Profile.SMTP.Server, d.Profile.SMTP.Port, d.Name))
		return checkFn(ctx, batch.Device{Name: "ok", Profile: d.Profile})
	}
	_, srv := newServer(t, nil, Options{Check: check, Modules: map[string]*profile.Profile{"epson": &tmpl}})
	addr := sims["ok"].SMTPAddr()
	code, _ := scrape(t, srv, "/probe?module=epson&target="+addr, nil)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	if want := addr + " " + addr; got.Load() != want {
		t.Errorf("checked %v, want %q", got.Load(), want)
	}
	if tmpl.SMTP.Server != "unused.invalid" {
		t.Error("the module's template was changed")
	}
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestResultsAreCachedForMinInterval(t *testing.T) {
	devices, checkFn, _ := simFleet(t, 0, "ok")
	clock := &fakeClock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	var checks atomic.Int32
	counted := func(ctx context.Context, d batch.Device) *report.Report {
		checks.Add(1)
		return checkFn(ctx, d)
	}
	_, srv := newServer(t, devices, Options{Check: counted, MinInterval: 5 * time.Minute, Now: clock.Now})

	_, first := scrape(t, srv, "/probe?target=ok", nil)
	if v := value(t, first, "mfpcheck_result_age_seconds", nil); v != 0 {
		t.Errorf("first scrape: age %v, want 0", v)
	}
	clock.Add(time.Minute)
	_, second := scrape(t, srv, "/probe?target=ok", nil)
	if v := value(t, second, "mfpcheck_result_age_seconds", nil); v != 60 {
		t.Errorf("second scrape a minute later: age %v, want 60", v)
	}
	if n := checks.Load(); n != 1 {
		t.Errorf("%d checks for two scrapes within --min-interval, want 1", n)
	}
	clock.Add(5 * time.Minute)
	_, third := scrape(t, srv, "/probe?target=ok", nil)
	if v := value(t, third, "mfpcheck_result_age_seconds", nil); v != 0 {
		t.Errorf("scrape after --min-interval: age %v, want 0", v)
	}
	if n := checks.Load(); n != 2 {
		t.Errorf("%d checks after --min-interval passed, want 2", n)
	}
	_, self := scrape(t, srv, "/metrics", nil)
	if v := value(t, self, "mfpcheck_exporter_scrapes_total", map[string]string{"result": "cached"}); v != 1 {
		t.Errorf("cached scrapes = %v, want 1", v)
	}
}

func TestConcurrentScrapesShareOneCheck(t *testing.T) {
	devices, checkFn, _ := simFleet(t, 0, "ok")
	release := make(chan struct{})
	var checks atomic.Int32
	gated := func(ctx context.Context, d batch.Device) *report.Report {
		checks.Add(1)
		<-release
		return checkFn(ctx, d)
	}
	e, srv := newServer(t, devices, Options{Check: gated})
	const n = 8
	results := make(chan float64, n)
	for range n {
		go func() {
			_, fams := scrape(t, srv, "/probe?target=ok", nil)
			results <- value(t, fams, "probe_success", nil)
		}()
	}
	// Wait until every scrape is waiting on the one running check.
	for {
		e.mu.Lock()
		en := e.results["ok"]
		running := en != nil && en.done != nil
		e.mu.Unlock()
		if running && checks.Load() == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Let the other scrapes join. One that comes later still gets the
	// cached result: either way there must be exactly one check.
	time.Sleep(50 * time.Millisecond)
	close(release)
	for range n {
		if v := <-results; v != 1 {
			t.Errorf("shared scrape: probe_success %v", v)
		}
	}
	if got := checks.Load(); got != 1 {
		t.Errorf("%d checks for %d concurrent scrapes, want 1", got, n)
	}
}

func TestPerMailboxLimitHoldsAcrossScrapes(t *testing.T) {
	// Twelve devices, one simulator, one mailbox: every reply 30 ms late,
	// so checks overlap. The simulator counts the sessions per user.
	devices, checkFn, sims := simFleet(t, 30*time.Millisecond, "ok")
	sim := sims["ok"]
	var fleet []batch.Device
	for i := range 12 {
		d := devices[0]
		d.Name = fmt.Sprintf("dev-%02d", i)
		fleet = append(fleet, d)
	}
	alias := func(ctx context.Context, d batch.Device) *report.Report {
		return checkFn(ctx, batch.Device{Name: "ok", Profile: d.Profile})
	}
	_, srv := newServer(t, fleet, Options{Check: alias})
	var wg sync.WaitGroup
	for _, d := range fleet {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, fams := scrape(t, srv, "/probe?target="+d.Name, nil)
			if v := value(t, fams, "probe_success", nil); v != 1 {
				t.Errorf("%s: probe_success %v", d.Name, v)
			}
		}()
	}
	wg.Wait()
	if got := sim.MaxConcurrent(exosim.DeviceUser); got > batch.MaxPerMailbox {
		t.Errorf("the simulator saw %d concurrent sessions of one mailbox, limit %d", got, batch.MaxPerMailbox)
	}
	if got := sim.MaxConcurrent(exosim.DeviceUser); got < 2 {
		t.Errorf("checks did not overlap at all (max %d): the test proves nothing", got)
	}
}

func TestScrapeTimeoutHeaderSetsTheDeadline(t *testing.T) {
	devices, _, _ := simFleet(t, 0, "ok")
	deadlines := make(chan time.Duration, 1)
	check := func(ctx context.Context, d batch.Device) *report.Report {
		dl, _ := ctx.Deadline()
		deadlines <- time.Until(dl)
		return &report.Report{Verdict: report.VerdictOK}
	}
	_, srv := newServer(t, devices, Options{Check: check, DeviceTimeout: time.Minute, MinInterval: -1})
	_, fams := scrape(t, srv, "/probe?target=ok", map[string]string{"X-Prometheus-Scrape-Timeout-Seconds": "4.5"})
	if v := value(t, fams, "probe_timeout_seconds", nil); v != 4 {
		t.Errorf("probe_timeout_seconds = %v, want 4 (4.5 less the 0.5 s margin)", v)
	}
	if d := <-deadlines; d > 4*time.Second || d <= 0 {
		t.Errorf("check's deadline %s away, want at most 4s", d)
	}
	// The device's own bound caps a generous scrape timeout.
	_, fams = scrape(t, srv, "/probe?target=ok", map[string]string{"X-Prometheus-Scrape-Timeout-Seconds": "300"})
	if v := value(t, fams, "probe_timeout_seconds", nil); v != 60 {
		t.Errorf("probe_timeout_seconds = %v, want 60 (the device timeout)", v)
	}
	<-deadlines
}

func TestTargetsAreHTTPServiceDiscovery(t *testing.T) {
	devices, checkFn, _ := simFleet(t, 0, "ok", "bad-token")
	devices[0].Profile.Device.Site = "Berlin 2F"
	e, srv := newServer(t, devices, Options{Check: checkFn})
	resp, err := srv.Client().Get(srv.URL + "/targets")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var groups []struct {
		Targets []string          `json:"targets"`
		Labels  map[string]string `json:"labels"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[1].Targets[0] != "ok" || groups[1].Labels["site"] != "Berlin 2F" || groups[1].Labels["vendor"] == "" {
		t.Errorf("targets = %+v", groups)
	}
	for _, g := range groups {
		for k := range g.Labels {
			if !model.LegacyValidation.IsValidLabelName(k) {
				t.Errorf("label %q is not a valid Prometheus label name", k)
			}
		}
	}
	// A reload replaces the list.
	e.SetFleet(devices[:1])
	if got := e.Targets(); len(got) != 1 || got[0].Targets[0] != "ok" {
		t.Errorf("after SetFleet: %+v", got)
	}
}

func TestOpenMetricsOnRequest(t *testing.T) {
	devices, checkFn, _ := simFleet(t, 0, "ok")
	_, srv := newServer(t, devices, Options{Check: checkFn})
	req, _ := http.NewRequest("GET", srv.URL+"/probe?target=ok", nil)
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Errorf("Content-Type %q, want OpenMetrics", ct)
	}
	if !strings.HasSuffix(string(body), "# EOF\n") || !strings.Contains(string(body), "probe_success 1") {
		t.Errorf("not an OpenMetrics exposition:\n%s", body)
	}
}

func TestUnreadableFleetEntryIsThatDevicesError(t *testing.T) {
	// A fleet entry whose profile could not be read carries its error and
	// no profile; the exporter answers for it as batch does, not with a
	// panic in the check.
	called := false
	check := func(context.Context, batch.Device) *report.Report { called = true; return nil }
	bad := batch.Device{Name: "broken", Err: fmt.Errorf("fleet.yaml:7: profile p.yaml: is a named pipe (FIFO), not a regular file")}
	_, srv := newServer(t, []batch.Device{bad}, Options{Check: check})
	code, fams := scrape(t, srv, "/probe?target=broken", nil)
	if code != 200 || value(t, fams, "probe_success", nil) != 0 || value(t, fams, "mfpcheck_verdict", map[string]string{"verdict": "error"}) != 1 {
		t.Errorf("status %d, metrics %v", code, fams)
	}
	if called {
		t.Error("the check ran for an entry that could not be read")
	}
}
