package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

// lockedBuffer is a bytes.Buffer that a running command may write while
// the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingRE = regexp.MustCompile(`serving (\d+) devices on http://([0-9.:]+)/`)

// startServer runs mfpcheck with args (serve or demo --exporter) until the
// test ends and returns the exporter's address and its stderr.
func startServer(t *testing.T, env map[string]string, args ...string) (addr string, stderr *lockedBuffer) {
	t.Helper()
	stderr = &lockedBuffer{}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, getenv: func(k string) string { return env[k] }, now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, args) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != ExitOK {
				t.Errorf("%s ended with exit code %d after shutdown, want 0\n%s", args[0], code, stderr)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%s did not shut down within 15 s of the cancellation", args[0])
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(stderr.String()); m != nil {
			return m[2], stderr
		}
		select {
		case code := <-done:
			t.Fatalf("%s ended early with exit code %d:\n%s", args[0], code, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%s never said it was serving:\n%s", args[0], stderr)
	return "", nil
}

// httpGet returns the body of a GET.
func httpGet(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

func targetNames(t *testing.T, addr string) []string {
	var groups []struct {
		Targets []string `json:"targets"`
	}
	getJSON(t, "http://"+addr+"/targets", &groups)
	var names []string
	for _, g := range groups {
		names = append(names, g.Targets...)
	}
	return names
}

const fleetDevice = `  - device: {name: %s, vendor: epson, model: WF-C579R, site: %s}
    email: {service: exchange-online, auth_method: oauth2, sender: scan@contoso.com}
    smtp: {server: 127.0.0.1, port: 1, user: scan@contoso.com}
    oauth: {token_file: missing.json}
`

func TestServeReloadsFleetOnSIGHUP(t *testing.T) {
	fleet := filepath.Join(t.TempDir(), "fleet.yaml")
	write := func(body string) {
		if err := os.WriteFile(fleet, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("devices:\n" + fmt.Sprintf(fleetDevice, "one", "Berlin"))
	addr, stderr := startServer(t, nil, "serve", "--fleet", fleet, "--listen", "127.0.0.1:0")
	if got := targetNames(t, addr); strings.Join(got, ",") != "one" {
		t.Fatalf("targets before the reload: %v", got)
	}
	waitTargets := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if strings.Join(targetNames(t, addr), ",") == want {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("targets never became %s:\n%s", want, stderr)
	}

	write("devices:\n" + fmt.Sprintf(fleetDevice, "one", "Berlin") + fmt.Sprintf(fleetDevice, "two", "Paris"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitTargets("one,two")
	if !strings.Contains(stderr.String(), "fleet reloaded: 2 devices") {
		t.Errorf("no reload line on stderr:\n%s", stderr)
	}

	// A broken file keeps the fleet loaded before and says why.
	write("devices:\n  - device: {name: three\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "reload:") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "mfpcheck: error: reload:") || !strings.Contains(stderr.String(), "fleet.yaml") {
		t.Errorf("a broken fleet on reload is not reported with its file:\n%s", stderr)
	}
	if got := strings.Join(targetNames(t, addr), ","); got != "one,two" {
		t.Errorf("after a broken reload the targets are %s, want the old one,two", got)
	}

	// A device of the fleet is probed; its failure is HTTP 200, probe_success 0.
	resp, err := http.Get("http://" + addr + "/probe?target=two")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !regexp.MustCompile(`(?m)^probe_success 0$`).Match(body) {
		t.Errorf("probe of a failing device: %d\n%s", resp.StatusCode, body)
	}
}

func TestServeInputErrorsExit3(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "serve needs a fleet"},
		{[]string{"serve", "--fleet", "does-not-exist.yaml"}, "does-not-exist.yaml"},
		{[]string{"serve", "--fleet", "../../fixtures/fleets/office.yaml", "--module", "nonsense"}, "want NAME=PROFILE"},
	} {
		a := newTestApp(nil)
		if code := a.runCLI(t, tc.args...); code != ExitError {
			t.Errorf("%v: exit %d, want 3", tc.args, code)
		}
		if !strings.Contains(a.err.String(), tc.want) || !strings.Contains(a.err.String(), "mfpcheck: error:") {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, tc.want, a.err)
		}
	}
}

// freePort is a loopback address for a server another program starts
// (testtool.FreePort).
func freePort(t *testing.T) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(testtool.FreePort(t, "tcp"))
}

// promQuery asks Prometheus's HTTP API for an instant query and returns
// instance → value.
func promQuery(t *testing.T, prom, query string) map[string]string {
	t.Helper()
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	getJSON(t, "http://"+prom+"/api/v1/query?query="+url.QueryEscape(query), &r)
	out := map[string]string{}
	for _, s := range r.Data.Result {
		out[s.Metric["instance"]] = fmt.Sprint(s.Value[1])
	}
	return out
}

// firingAlerts is alert name → instances whose alert is firing.
func firingAlerts(t *testing.T, prom string) map[string]map[string]bool {
	t.Helper()
	var r struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	getJSON(t, "http://"+prom+"/api/v1/alerts", &r)
	out := map[string]map[string]bool{}
	for _, a := range r.Data.Alerts {
		if a.State != "firing" {
			continue
		}
		name := a.Labels["alertname"]
		if out[name] == nil {
			out[name] = map[string]bool{}
		}
		out[name][a.Labels["instance"]] = true
	}
	return out
}

// TestPrometheusScrapesDemoExporter runs a real Prometheus (Debian's) on
// loopback against "mfpcheck demo --exporter", configured with the shipped
// docs/monitoring/prometheus.yml (addresses and intervals shortened) and
// alert rules (their "for" set to 0s), and checks through Prometheus's
// HTTP API that every simulated device has its probe_success and that the
// alerts fire for the devices they should.
func TestPrometheusScrapesDemoExporter(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "prometheus", "prometheus")
	prometheus, _ := exec.LookPath("prometheus")
	addr, _ := startServer(t, nil, "demo", "--exporter", "--listen", "127.0.0.1:0")
	devices := targetNames(t, addr)
	if len(devices) < 30 {
		t.Fatalf("demo exporter lists %d devices", len(devices))
	}

	dir := t.TempDir()
	cfg, err := os.ReadFile("../../docs/monitoring/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := os.ReadFile("../../docs/monitoring/mfpcheck-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	rulesFile := filepath.Join(dir, "mfpcheck-alerts.yml")
	if err := os.WriteFile(rulesFile, regexp.MustCompile(`(?m)^(\s+)for: \S+$`).ReplaceAll(rules, []byte("${1}for: 0s")), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := string(cfg)
	for old, repl := range map[string]string{
		"127.0.0.1:9465":          addr,
		"evaluation_interval: 1m": "evaluation_interval: 1s",
		"scrape_interval: 1m":     "scrape_interval: 5s",
		"scrape_timeout: 50s":     "scrape_timeout: 5s",
		"refresh_interval: 5m":    "refresh_interval: 1s",
	} {
		if !strings.Contains(conf, old) {
			t.Fatalf("the shipped prometheus.yml no longer has %q", old)
		}
		conf = strings.ReplaceAll(conf, old, repl)
	}
	confFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	prom := freePort(t)
	var log lockedBuffer
	cmd := exec.Command(prometheus, "--config.file="+confFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+prom, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})

	// Every device scraped once.
	var success map[string]string
	deadline := time.Now().Add(90 * time.Second)
	for {
		if cmd.ProcessState != nil {
			t.Fatalf("prometheus exited:\n%s", log.String())
		}
		success = map[string]string{}
		if resp, err := http.Get("http://" + prom + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				success = promQuery(t, prom, `probe_success{job="mfpcheck"}`)
			}
		}
		if len(success) == len(devices) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s Prometheus has probe_success for %d of %d devices: %v\n%s", len(success), len(devices), success, log.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, d := range devices {
		// The exporter's cached result is what Prometheus stored.
		resp, err := http.Get("http://" + addr + "/probe?target=" + url.QueryEscape(d))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`(?m)^probe_success (\d)$`).FindSubmatch(body)
		if m == nil || string(m[1]) != success[d] {
			t.Errorf("%s: Prometheus has probe_success %s, the exporter says %s", d, success[d], m)
		}
	}
	if success["ok"] != "1" || success["mailbox-auth-disabled"] != "0" || success["expired-cert"] != "0" {
		t.Errorf("probe_success: ok=%s mailbox-auth-disabled=%s expired-cert=%s, want 1 0 0", success["ok"], success["mailbox-auth-disabled"], success["expired-cert"])
	}

	// The alerts fire for the devices they should, and not for ok.
	want := map[string][]string{
		"MfpcheckSMTPAuthDisabled":    {"mailbox-auth-disabled", "tenant-auth-disabled"},
		"MfpcheckCertificateExpiring": {"expired-cert"},
	}
	for inst, v := range success {
		if v == "0" {
			want["MfpcheckProbeFailing"] = append(want["MfpcheckProbeFailing"], inst)
		}
	}
	var alerts map[string]map[string]bool
	deadline = time.Now().Add(60 * time.Second)
	for {
		alerts = firingAlerts(t, prom)
		missing := ""
		for name, insts := range want {
			for _, inst := range insts {
				if !alerts[name][inst] {
					missing += " " + name + "/" + inst
				}
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alerts not firing after 60 s:%s\nfiring: %v\n%s", missing, alerts, log.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	for name, insts := range alerts {
		if insts["ok"] {
			t.Errorf("%s fires for the ok device", name)
		}
	}
	if len(want["MfpcheckProbeFailing"]) < 10 {
		t.Errorf("only %d simulated devices fail: the test proves little", len(want["MfpcheckProbeFailing"]))
	}
}
