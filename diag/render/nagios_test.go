package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// perfRE is one perfdata item of the monitoring-plugins guidelines:
// 'label'=value[UOM];[warn];[crit];[min];[max].
var perfRE = regexp.MustCompile(`^'[^']+'=-?[0-9.]+(s|ms|us|%|B|KB|MB|TB|c)?;[0-9:~@.]*;[0-9:~@.]*;[0-9.]*;[0-9.]*$`)

func TestNagiosLineStatusPerfdataAndLongText(t *testing.T) {
	r := sampleReport()
	r.Duration = report.Duration(43 * time.Millisecond)
	r.Token = &report.TokenInfo{HasRefreshDaysLeft: true, RefreshDaysLeft: 12, ExpiresAt: time.Now().Add(time.Hour), AccessMinutesLeft: 59}
	r.TLS = &report.TLSInfo{Version: "TLS 1.3", Chain: []report.CertInfo{{DaysLeft: 20}}}
	r.Findings = append(r.Findings,
		report.Finding{ID: "token.refresh_dying", Severity: report.SeverityWarning, Title: "Refresh token | dies\\nsoon"},
		report.Finding{ID: "token.signature_unverified", Severity: report.SeverityInfo, Title: "not shown"})
	var b bytes.Buffer
	if err := Nagios(&b, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	first, perf, ok := strings.Cut(lines[0], " | ")
	if !ok {
		t.Fatalf("no perfdata separator: %q", lines[0])
	}
	if first != "MFPCHECK CRITICAL - SMTP AUTH ist für das Postfach aus" {
		t.Errorf("status text = %q", first)
	}
	items := strings.Fields(perf)
	for _, it := range items {
		if !perfRE.MatchString(it) {
			t.Errorf("perfdata item %q does not follow the plugin guidelines", it)
		}
	}
	for _, want := range []string{"'total'=0.043s;;;0;", "'connect'=0.003s;;;0;", "'auth'=0.040s;;;0;", "'refresh_days'=12;14:;1:;;", "'cert_days'=20;30:;1:;;"} {
		if !strings.Contains(perf, want) {
			t.Errorf("perfdata lacks %s: %s", want, perf)
		}
	}
	if strings.Contains(perf, "mail_from") {
		t.Error("a skipped phase has perfdata")
	}
	if len(lines) != 2 || lines[1] != `WARNING: Refresh token / dies\nsoon [token.refresh_dying]` {
		t.Errorf("long text = %q, want one line for the second problem, info left out, no '|'", lines[1:])
	}
}

func TestNagiosStatusFollowsVerdict(t *testing.T) {
	for v, want := range map[report.Verdict]string{report.VerdictOK: "OK", report.VerdictWarning: "WARNING", report.VerdictFail: "CRITICAL", report.VerdictError: "UNKNOWN"} {
		var b bytes.Buffer
		Nagios(&b, &report.Report{Verdict: v, Error: "could not test from here"})
		if !strings.HasPrefix(b.String(), "MFPCHECK "+want+" - ") {
			t.Errorf("%s: %q", v, b.String())
		}
	}
}

func TestNagiosFleet(t *testing.T) {
	var reports []*report.Report
	for i, v := range []report.Verdict{report.VerdictOK, report.VerdictFail, report.VerdictWarning, report.VerdictFail, report.VerdictFail, report.VerdictFail, report.VerdictFail, report.VerdictFail} {
		reports = append(reports, &report.Report{Verdict: v, Device: &report.Device{Name: "mfp-" + string(rune('a'+i))},
			Findings: []report.Finding{{ID: "x", Severity: report.SeverityError, Title: "problem " + string(rune('a'+i))}}})
	}
	var b bytes.Buffer
	if err := NagiosFleet(&b, reports, 9); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := "MFPCHECK UNKNOWN - 7 of 8 devices have problems: mfp-b, mfp-c, mfp-d, mfp-e, mfp-f, and 2 more; 1 not checked | 'ok'=1;;;0;9 'warning'=1;;;0;9 'fail'=6;;;0;9 'error'=0;;;0;9"
	if lines[0] != want {
		t.Errorf("first line\n got %q\nwant %q", lines[0], want)
	}
	if len(lines) != 8 || lines[1] != "CRITICAL: mfp-b - problem b" {
		t.Errorf("long text: %q", lines[1:])
	}
}
