package exporter

import (
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

const monitoringDir = "../../docs/monitoring/"

// promtool is Debian's promtool (package prometheus, which .ci/run
// installs).
func promtool(t *testing.T) string {
	t.Helper()
	testtool.Need(t, "promtool", "prometheus")
	path, _ := exec.LookPath("promtool")
	return path
}

// TestShippedMonitoringFiles checks the shipped alert rules and scrape
// configuration with promtool, and runs the rules' unit tests.
func TestShippedMonitoringFiles(t *testing.T) {
	pt := promtool(t)
	for _, args := range [][]string{
		{"check", "rules", "mfpcheck-alerts.yml"},
		{"test", "rules", "mfpcheck-alerts_test.yml"},
		{"check", "config", "prometheus.yml"},
	} {
		cmd := exec.Command(pt, args...)
		cmd.Dir = monitoringDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

// TestAlertRulesUseExportedMetrics: every metric an alert rule reads is one
// the exporter writes, so a renamed metric cannot silence an alert.
func TestAlertRulesUseExportedMetrics(t *testing.T) {
	rules, err := os.ReadFile(monitoringDir + "mfpcheck-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	devices, checkFn, _ := simFleet(t, 0, "ok", "mailbox-auth-disabled")
	_, srv := newServer(t, devices, Options{Check: checkFn})
	exported := map[string]bool{}
	for _, d := range devices {
		_, fams := scrape(t, srv, "/probe?target="+d.Name, nil)
		for name := range fams {
			exported[name] = true
		}
	}
	used := regexp.MustCompile(`\b((?:probe|mfpcheck)_[a-z_]+)\{`).FindAllSubmatch(rules, -1)
	if len(used) < 5 {
		t.Fatalf("found only %d metric names in the rules", len(used))
	}
	for _, m := range used {
		if !exported[string(m[1])] {
			t.Errorf("alert rules read %s, which the exporter does not write", m[1])
		}
	}
}
