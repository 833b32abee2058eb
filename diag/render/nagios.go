package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Nagios / Icinga / Checkmk plugin output (monitoring-plugins guidelines):
// a first line "MFPCHECK STATUS - text | perfdata", long text lines after
// it, and the exit code the CLI already uses (0 OK, 1 WARNING, 2 CRITICAL,
// 3 UNKNOWN). Perfdata is 'label'=value[UOM];warn;crit;min;max.
//
// Thresholds in the perfdata ("N:" means: alert below N) are the ones the
// diagnosis decides by (refresh token: a warning from 14 days left, a
// failure when dead; certificate: a warning under 30 days, a failure when
// expired), so graphs show the lines the verdict was decided by.
const (
	refreshWarnDays = 14
	refreshCritDays = 1
	certWarnDays    = 30
	certCritDays    = 1
)

// NagiosStatus is the plugin status word of a verdict.
func NagiosStatus(v report.Verdict) string {
	switch v {
	case report.VerdictOK:
		return "OK"
	case report.VerdictWarning:
		return "WARNING"
	case report.VerdictFail:
		return "CRITICAL"
	}
	return "UNKNOWN"
}

// Nagios writes one report as plugin output: the status, the top problem
// finding (or that the device can send), perfdata for every timed phase,
// the whole check, the tokens and the certificate; then one long-text line
// per further problem finding.
func Nagios(w io.Writer, r *report.Report) error {
	var b strings.Builder
	b.WriteString("MFPCHECK " + NagiosStatus(r.Verdict) + " - " + pluginText(nagiosSummary(r)))
	b.WriteString(" | " + strings.Join(perfdata(r), " ") + "\n")
	problems := 0
	for _, f := range r.Findings {
		if f.Severity == report.SeverityInfo {
			continue
		}
		problems++
		if problems == 1 {
			continue // already on the first line
		}
		fmt.Fprintf(&b, "%s: %s [%s]\n", strings.ToUpper(string(f.Severity)), pluginText(f.Title), f.ID)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// NagiosFleet writes a fleet as one plugin result: the worst status, how
// many devices have problems and which, perfdata counting the verdicts,
// and one long-text line per device that is not ok.
func NagiosFleet(w io.Writer, reports []*report.Report, devices int) error {
	count := map[report.Verdict]int{}
	worst := report.VerdictOK
	var bad []string
	var long strings.Builder
	for _, r := range reports {
		count[r.Verdict]++
		worst = report.Worse(worst, r.Verdict)
		if r.Verdict == report.VerdictOK {
			continue
		}
		name := deviceName(r)
		bad = append(bad, name)
		fmt.Fprintf(&long, "%s: %s - %s\n", NagiosStatus(r.Verdict), pluginText(name), pluginText(nagiosSummary(r)))
	}
	if len(reports) < devices {
		worst = report.Worse(worst, report.VerdictError)
	}
	summary := fmt.Sprintf("all %d devices can send", len(reports))
	if len(bad) > 0 {
		named := bad
		if len(named) > maxNamed {
			named = append(named[:maxNamed:maxNamed], fmt.Sprintf("and %d more", len(bad)-maxNamed))
		}
		summary = fmt.Sprintf("%d of %d devices have problems: %s", len(bad), len(reports), strings.Join(named, ", "))
	}
	if len(reports) < devices {
		summary += fmt.Sprintf("; %d not checked", devices-len(reports))
	}
	perf := []string{}
	for _, v := range []report.Verdict{report.VerdictOK, report.VerdictWarning, report.VerdictFail, report.VerdictError} {
		perf = append(perf, fmt.Sprintf("'%s'=%d;;;0;%d", v, count[v], devices))
	}
	_, err := fmt.Fprintf(w, "MFPCHECK %s - %s | %s\n%s", NagiosStatus(worst), pluginText(summary), strings.Join(perf, " "), long.String())
	return err
}

// maxNamed is how many problem devices the fleet's first line names; the
// long text lists them all.
const maxNamed = 5

// nagiosSummary is the first line's text: the top problem finding's title,
// the reason the check could not run, or that the device can send.
func nagiosSummary(r *report.Report) string {
	for _, f := range r.Findings {
		if f.Severity != report.SeverityInfo {
			return f.Title
		}
	}
	if r.Error != "" {
		return r.Error
	}
	if r.Verdict == report.VerdictOK {
		return "the device can send"
	}
	return string(r.Verdict)
}

func deviceName(r *report.Report) string {
	if r.Device != nil && r.Device.Name != "" {
		return r.Device.Name
	}
	return r.Target.Host
}

// perfdata lists the report's measurements.
func perfdata(r *report.Report) []string {
	out := []string{fmt.Sprintf("'total'=%ss;;;0;", secs(r.Duration))}
	phases := r.Phases
	if r.POP3 != nil {
		phases = append(append([]report.Phase{}, phases...), r.POP3.Phases...)
	}
	for _, p := range phases {
		if p.Status == report.StatusSkipped || p.Status == report.StatusRunning {
			continue
		}
		out = append(out, fmt.Sprintf("%s=%ss;;;0;", perfLabel(string(p.Name)), secs(p.Duration)))
	}
	if t := r.Token; t != nil {
		if t.HasRefreshDaysLeft {
			out = append(out, fmt.Sprintf("'refresh_days'=%d;%d:;%d:;;", t.RefreshDaysLeft, refreshWarnDays, refreshCritDays))
		}
		if !t.ExpiresAt.IsZero() {
			out = append(out, fmt.Sprintf("'access_minutes'=%d;;;;", t.AccessMinutesLeft))
		}
	}
	if r.TLS != nil && len(r.TLS.Chain) > 0 {
		out = append(out, fmt.Sprintf("'cert_days'=%d;%d:;%d:;;", r.TLS.Chain[0].DaysLeft, certWarnDays, certCritDays))
	}
	return out
}

func secs(d report.Duration) string {
	return strconv.FormatFloat(d.D().Seconds(), 'f', 3, 64)
}

// perfLabel quotes a label, doubling quotes inside it.
func perfLabel(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// pluginText keeps a text on one line and free of the perfdata separator.
func pluginText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", "/")
}
