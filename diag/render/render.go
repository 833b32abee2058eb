// Package render writes a report as human text (one line per phase with a
// timing bar, then the findings) or as JSON (schema mfpcheck.report/v1).
// It only reads the report; every word of explanation comes from the
// findings the diagnosis put there.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// JSON writes the report as indented JSON.
func JSON(w io.Writer, r *report.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// TextOptions control the human rendering.
type TextOptions struct {
	Color      bool
	Lang       string // labels: en | de | fr
	Transcript bool   // include the redacted transcript
	// Width is the terminal's width in columns; the phase table's reply
	// column is cut to fit it (the full reply is in the findings' evidence).
	// 0 means no limit (output to a file or a pipe).
	Width int
}

type style struct{ on bool }

func (s style) c(code, text string) string {
	if !s.on || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// status is a phase status in lang, padded to w columns.
func (s style) status(lang string, st report.Status, w int) string {
	word := pad(diagnose.StatusWord(lang, st), w)
	switch st {
	case report.StatusOK:
		return s.c("32", word)
	case report.StatusWarn:
		return s.c("33", word)
	case report.StatusFail:
		return s.c("1;31", word)
	case report.StatusSkipped:
		return s.c("2", word)
	}
	return word
}

const barWidth = 20

// Text writes the report for a person at a terminal. The answer comes
// last, where the eye lands when the command returns: the verdict, the
// most likely cause and its first step, and where the rest is.
func Text(w io.Writer, r *report.Report, o TextOptions) error {
	st := style{on: o.Color}
	lang := diagnose.NormLang(o.Lang)
	l := labelsFor(lang)
	var b strings.Builder

	// Header.
	title := "mfpcheck"
	if r.Tool.Version != "" {
		title += " " + r.Tool.Version
	}
	if r.Device != nil && r.Device.Name != "" {
		title += " · " + r.Device.Name
		if r.Device.Model != "" && !strings.Contains(r.Device.Name, r.Device.Model) {
			title += " (" + r.Device.Model + ")"
		}
	}
	fmt.Fprintln(&b, st.c("1", title))
	t := r.Target
	fmt.Fprintf(&b, "%s %s %s · %s %s", l.server, hostPort(t), t.Security, l.auth, orDash(string(t.AuthMethod)))
	if t.User != "" {
		fmt.Fprintf(&b, " · %s %s", l.user, t.User)
	}
	fmt.Fprintln(&b)
	writeRoute(&b, t, l)
	if r.Options.InsecureTLS {
		fmt.Fprintln(&b, st.c("33", l.insecure))
	}
	if r.Options.AsDevice {
		fmt.Fprintf(&b, "%s\n", deviceLine(r, l))
	}

	// A POP3-only probe (probe --pop3) has no SMTP phases: the POP3 block
	// follows the header directly.
	if len(r.Phases) > 0 {
		fmt.Fprintln(&b)
		writePhases(&b, st, lang, r.Phases, o.Width)
	}
	if r.POP3 != nil && len(r.POP3.Phases) > 0 {
		fmt.Fprintf(&b, "\nPOP3 %s %s\n", hostPort(r.POP3.Target), r.POP3.Target.Security)
		writeRoute(&b, r.POP3.Target, l)
		writePhases(&b, st, lang, r.POP3.Phases, o.Width)
	}

	if r.TLS != nil {
		fmt.Fprintf(&b, "\nTLS  %s, %s; ", r.TLS.Version, r.TLS.Cipher)
		switch {
		case r.TLS.Verified:
			fmt.Fprint(&b, l.verified)
			if r.TLS.Roots == "system" {
				fmt.Fprintf(&b, " (%s)", r.TLS.Roots)
			} else if r.TLS.Roots != "" {
				fmt.Fprintf(&b, " (%s)", filepath.Base(r.TLS.Roots))
			}
		case r.TLS.VerifyError != "":
			fmt.Fprintf(&b, "%s %s", diagnose.Colon(lang, l.notVerified), r.TLS.VerifyError)
		}
		fmt.Fprintln(&b)
		for i, c := range r.TLS.Chain {
			fmt.Fprintf(&b, "  %d. %s\n     %s %s · %s %s (%d %s)", i+1, c.Subject, l.issuer, c.Issuer, l.expires, c.NotAfter.Format("2006-01-02"), c.DaysLeft, l.days)
			if c.KeyType != "" {
				fmt.Fprintf(&b, " · %s", c.KeyType)
			}
			fmt.Fprintln(&b)
			if len(c.SANs) > 0 {
				fmt.Fprintf(&b, "     SAN %s\n", strings.Join(c.SANs, ", "))
			}
		}
	}
	unsigned := false
	for _, f := range r.Findings {
		if f.ID == diagnose.SignatureNote {
			unsigned = true
		}
	}
	if tk := r.Token; tk != nil {
		fmt.Fprintf(&b, "\n%s  %s", l.token, diagnose.TokenState(lang, tk.State))
		if tk.User != "" {
			fmt.Fprintf(&b, " · %s", tk.User)
		}
		if tk.Audience != "" {
			fmt.Fprintf(&b, " · aud %s", tk.Audience)
		}
		if len(tk.Scopes) > 0 {
			fmt.Fprintf(&b, " · scp %s", strings.Join(tk.Scopes, " "))
		}
		if len(tk.Roles) > 0 {
			fmt.Fprintf(&b, " · roles %s", strings.Join(tk.Roles, " "))
		}
		fmt.Fprintln(&b)
		if !tk.ExpiresAt.IsZero() {
			fmt.Fprintf(&b, "     %s %s (%d min)", l.expires, tk.ExpiresAt.Format(time.RFC3339), tk.AccessMinutesLeft)
		}
		if tk.HasRefreshDaysLeft {
			fmt.Fprintf(&b, " · %s %d %s", diagnose.Label(lang, "token.refresh_token"), tk.RefreshDaysLeft, l.daysLeft)
		}
		if tk.Fingerprint != "" {
			fmt.Fprintf(&b, " · %s", tk.Fingerprint)
		}
		if tk.Refreshed {
			fmt.Fprintf(&b, " · %s", diagnose.Label(lang, "token.refreshed"))
		}
		if tk.RefreshError != "" {
			fmt.Fprintf(&b, "\n     %s %s %s", diagnose.Colon(lang, diagnose.Label(lang, "token.refresh_failed")), tk.RefreshErrorAADSTS, tk.RefreshErrorCode)
		}
		fmt.Fprintln(&b)
		if unsigned {
			fmt.Fprintf(&b, "     %s\n", diagnose.Label(lang, "token.unsigned"))
		}
	}
	if r.Tenant != nil {
		fmt.Fprintln(&b)
		Tenant(&b, r.Tenant, lang)
	}

	shown := mainFindings(r.Findings)
	if len(shown) > 0 {
		fmt.Fprintf(&b, "\n%s\n\n", st.c("1", l.findings))
		vendor := ""
		if r.Device != nil {
			vendor = r.Device.Vendor
		}
		Findings(&b, shown, FindingOptions{Lang: lang, Vendor: vendor, Color: o.Color, BriefInfo: true})
	}
	if o.Transcript {
		fmt.Fprintf(&b, "\n%s\n", st.c("1", l.transcript))
		for _, tl := range r.Transcript {
			fmt.Fprintf(&b, "%8.1f ms %-4s %s %s\n", float64(tl.At)/float64(time.Millisecond), tl.Service, tl.Dir, tl.Text)
		}
	}
	writeSummary(&b, st, lang, l, r, shown, o)
	_, err := io.WriteString(w, b.String())
	return err
}

// mainFindings are the findings the text lists: every one except the note
// that the token's signature was not checked, which is one line in the
// token block.
func mainFindings(fs []report.Finding) []report.Finding {
	out := make([]report.Finding, 0, len(fs))
	for _, f := range fs {
		if f.ID != diagnose.SignatureNote {
			out = append(out, f)
		}
	}
	return out
}

// writeSummary writes the last lines: the verdict, the top finding's title
// and first step, and where the rest is.
func writeSummary(b *strings.Builder, st style, lang string, l labels, r *report.Report, fs []report.Finding, o TextOptions) {
	lb := func(k string) string { return diagnose.Label(lang, k) }
	rule := strings.Repeat("─", 40)
	if o.Width > 0 && o.Width < 41 {
		rule = strings.Repeat("─", o.Width-1)
	}
	fmt.Fprintf(b, "\n%s\n", st.c("2", rule))
	fmt.Fprintf(b, "%s %s", diagnose.Colon(lang, lb("summary.verdict")), verdictWord(st, lang, r.Verdict))
	if r.Interrupted {
		fmt.Fprintf(b, " (%s)", l.interrupted)
	}
	fmt.Fprintf(b, " · %s\n", time.Duration(r.Duration).Round(time.Millisecond))
	if r.Error != "" {
		fmt.Fprintf(b, "%s\n", r.Error)
	}
	top, ok := TopFinding(fs)
	if ok {
		fmt.Fprintf(b, "%s %s\n", diagnose.Colon(lang, lb("summary.top")), st.c("1", top.Title))
		if len(top.Steps) > 0 {
			s := top.Steps[0]
			fmt.Fprintf(b, "%s %s\n", diagnose.Colon(lang, lb("summary.first_step")), s.Text)
			if s.Command != "" {
				fmt.Fprintf(b, "    %s\n", s.Command)
			}
		}
		fmt.Fprintln(b, st.c("2", lb("summary.more")))
		return
	}
	fmt.Fprintln(b, st.c("2", lb("summary.more_ok")))
}

// TopFinding is the finding a reader should act on first (see
// report.TopFinding).
func TopFinding(fs []report.Finding) (report.Finding, bool) { return report.TopFinding(fs) }

func deviceLine(r *report.Report, l labels) string {
	s := l.asDevice + l.colon + " " + r.Options.Greeting
	if r.Options.MaxTLS != "" {
		s += ", TLS ≤ " + r.Options.MaxTLS
	}
	if len(r.Options.Mechanisms) > 0 {
		s += ", " + strings.Join(r.Options.Mechanisms, " ")
	}
	return s
}

// writePhases writes one line per phase. On a terminal (width > 0) the
// line fits the width: below 120 columns the timing bar goes, and the
// reply is cut with an ellipsis.
func writePhases(b *strings.Builder, st style, lang string, phases []report.Phase, width int) {
	var total time.Duration
	for _, p := range phases {
		total = max(total, time.Duration(p.Started)+time.Duration(p.Duration))
	}
	sw := 0
	for _, s := range []report.Status{report.StatusOK, report.StatusWarn, report.StatusFail, report.StatusSkipped} {
		sw = max(sw, utf8.RuneCountInString(diagnose.StatusWord(lang, s)))
	}
	bar := width == 0 || width >= 120
	// "  name(12) status(sw) ms(11)  [bar(20)  ]"
	used := 2 + 12 + 1 + sw + 1 + 11 + 2
	if bar {
		used += barWidth + 2
	}
	for _, p := range phases {
		tb, ms := "", ""
		if p.Status != report.StatusSkipped {
			tb = timingBar(time.Duration(p.Started), time.Duration(p.Duration), total)
			ms = fmt.Sprintf("%8.1f ms", float64(p.Duration)/float64(time.Millisecond))
		}
		detail := PhaseDetail(lang, p)
		if width > 0 {
			detail = Cut(detail, width-used-1)
		}
		fmt.Fprintf(b, "  %-12s %s %11s  ", p.Name, st.status(lang, p.Status, sw), ms)
		if bar {
			fmt.Fprintf(b, "%s  ", pad(tb, barWidth))
		}
		fmt.Fprintln(b, detail)
	}
}

// pad fills s with spaces to n columns.
func pad(s string, n int) string {
	if c := utf8.RuneCountInString(s); c < n {
		return s + strings.Repeat(" ", n-c)
	}
	return s
}

// Cut shortens s to at most n columns, ending in "…" when it cut.
func Cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// PhaseDetail is the reply or the error, on one line, with the probe's
// note in lang.
func PhaseDetail(lang string, p report.Phase) string {
	var parts []string
	if p.Reply != nil {
		parts = append(parts, firstLine(p.Reply))
	}
	if len(p.Capabilities) > 0 && (p.Reply == nil || !strings.Contains(p.Reply.Text, "\n")) {
		// POP3 CAPA: the list came as a separate block.
		parts = append(parts, strings.Join(p.Capabilities, " / "))
	}
	if p.Error != "" && (p.Reply == nil || p.ErrorKind != report.KindReply) {
		parts = append(parts, diagnose.PhaseError(lang, p))
	}
	if p.Note != "" && (len(parts) == 0 || p.Status != report.StatusOK) {
		parts = append(parts, diagnose.PhaseNote(lang, p.Note))
	}
	if p.Challenge != "" {
		parts = append(parts, "challenge "+p.Challenge)
	}
	s := strings.Join(parts, " · ")
	return redact.SafePrefix(s, 400)
}

// firstLine shows a reply's first line with its trailer (multi-line replies
// such as EHLO show their line count).
func firstLine(r *report.Reply) string {
	lines := strings.Split(r.Text, "\n")
	one := *r
	one.Text = lines[0]
	s := one.Line()
	if len(lines) > 1 {
		s += fmt.Sprintf(" (+%d lines)", len(lines)-1)
	}
	return s
}

// timingBar places a phase on the probe's time line, like httpstat.
func timingBar(start, d, total time.Duration) string {
	if total <= 0 {
		return ""
	}
	from := int(float64(start) / float64(total) * barWidth)
	n := int(float64(d)/float64(total)*barWidth + 0.5)
	if n < 1 {
		n = 1
	}
	if from+n > barWidth {
		from = barWidth - n
	}
	if from < 0 {
		from = 0
	}
	return strings.Repeat(" ", from) + strings.Repeat("█", n)
}

func verdictWord(st style, lang string, v report.Verdict) string {
	w := diagnose.VerdictWord(lang, v)
	switch v {
	case report.VerdictOK:
		return st.c("1;32", w)
	case report.VerdictWarning:
		return st.c("1;33", w)
	}
	return st.c("1;31", w)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeRoute says where the connection really went when that is not the
// configured server (--connect-to) or went through a proxy.
func writeRoute(b *strings.Builder, t report.Target, l labels) {
	var parts []string
	if t.ConnectTo != "" {
		parts = append(parts, l.dialled+" "+t.ConnectTo)
	}
	if t.Proxy != "" {
		parts = append(parts, l.viaProxy+" "+t.Proxy)
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, "  %s\n", strings.Join(parts, " · "))
	}
}

// hostPort is host:port, with an IPv6 literal in brackets.
func hostPort(t report.Target) string {
	return net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}
