// Package render writes a report as human text (one line per phase with a
// timing bar, then the findings) or as JSON (schema mfpcheck.report/v1).
// It only reads the report; every word of explanation comes from the
// findings the diagnosis put there.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag"
)

// JSON writes the report as indented JSON.
func JSON(w io.Writer, r *diag.Report) error {
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
}

type style struct{ on bool }

func (s style) c(code, text string) string {
	if !s.on || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s style) status(st diag.Status) string {
	word := strings.ToUpper(string(st))
	switch st {
	case diag.StatusOK:
		return s.c("32", fmt.Sprintf("%-7s", "ok"))
	case diag.StatusWarn:
		return s.c("33", fmt.Sprintf("%-7s", "WARN"))
	case diag.StatusFail:
		return s.c("1;31", fmt.Sprintf("%-7s", "FAIL"))
	case diag.StatusSkipped:
		return s.c("2", fmt.Sprintf("%-7s", "skipped"))
	}
	return fmt.Sprintf("%-7s", word)
}

const barWidth = 20

// Text writes the report for a person at a terminal.
func Text(w io.Writer, r *diag.Report, o TextOptions) error {
	st := style{on: o.Color}
	l := labelsFor(o.Lang)
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
	fmt.Fprintf(&b, "%s %s:%d %s · %s %s", l.server, t.Host, t.Port, t.Security, l.auth, orDash(t.AuthMethod))
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
	fmt.Fprintln(&b)

	writePhases(&b, st, r.Phases)
	if r.POP3 != nil && len(r.POP3.Phases) > 0 {
		fmt.Fprintf(&b, "\nPOP3 %s:%d %s\n", r.POP3.Target.Host, r.POP3.Target.Port, r.POP3.Target.Security)
		writeRoute(&b, r.POP3.Target, l)
		writePhases(&b, st, r.POP3.Phases)
	}

	if r.TLS != nil {
		fmt.Fprintf(&b, "\nTLS  %s, %s; ", r.TLS.Version, r.TLS.Cipher)
		switch {
		case r.TLS.Verified:
			fmt.Fprintf(&b, "%s (%s)", l.verified, r.TLS.Roots)
		case r.TLS.VerifyError != "":
			fmt.Fprintf(&b, "%s: %s", l.notVerified, r.TLS.VerifyError)
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
	if tk := r.Token; tk != nil {
		fmt.Fprintf(&b, "\n%s  %s", l.token, tk.State)
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
			fmt.Fprintf(&b, " · refresh token %d %s", tk.RefreshDaysLeft, l.daysLeft)
		}
		if tk.Fingerprint != "" {
			fmt.Fprintf(&b, " · %s", tk.Fingerprint)
		}
		if tk.Refreshed {
			fmt.Fprint(&b, " · refreshed now")
		}
		if tk.RefreshError != "" {
			fmt.Fprintf(&b, "\n     refresh failed: %s %s", tk.RefreshErrorAADSTS, tk.RefreshErrorCode)
		}
		fmt.Fprintln(&b)
	}

	fmt.Fprintf(&b, "\n%s %s", l.verdict, verdictWord(st, l, r.Verdict))
	if r.Interrupted {
		fmt.Fprintf(&b, " (%s)", l.interrupted)
	}
	fmt.Fprintf(&b, " · %s\n", time.Duration(r.Duration).Round(time.Millisecond))
	if r.Error != "" {
		fmt.Fprintf(&b, "%s\n", r.Error)
	}

	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "\n%s\n\n", st.c("1", l.findings))
		vendor := ""
		if r.Device != nil {
			vendor = r.Device.Vendor
		}
		Findings(&b, r.Findings, FindingOptions{Lang: r.Lang, Vendor: vendor, Color: o.Color})
	}
	if o.Transcript {
		fmt.Fprintf(&b, "\n%s\n", st.c("1", l.transcript))
		for _, tl := range r.Transcript {
			fmt.Fprintf(&b, "%8.1fms %-4s %s %s\n", float64(tl.At)/float64(time.Millisecond), tl.Service, tl.Dir, tl.Text)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func deviceLine(r *diag.Report, l labels) string {
	s := l.asDevice + ": " + r.Options.Greeting
	if r.Options.MaxTLS != "" {
		s += ", TLS ≤ " + r.Options.MaxTLS
	}
	if len(r.Options.Mechanisms) > 0 {
		s += ", " + strings.Join(r.Options.Mechanisms, " ")
	}
	return s
}

func writePhases(b *strings.Builder, st style, phases []diag.Phase) {
	var total time.Duration
	for _, p := range phases {
		total = max(total, time.Duration(p.Started)+time.Duration(p.Duration))
	}
	for _, p := range phases {
		bar := ""
		ms := ""
		if p.Status != diag.StatusSkipped {
			bar = timingBar(time.Duration(p.Started), time.Duration(p.Duration), total)
			ms = fmt.Sprintf("%8.1f ms", float64(p.Duration)/float64(time.Millisecond))
		}
		detail := phaseDetail(p)
		fmt.Fprintf(b, "  %-12s %s %11s  %-*s  %s\n", p.Name, st.status(p.Status), ms, barWidth, bar, detail)
	}
}

// phaseDetail is the reply or the error, cut to one line.
func phaseDetail(p diag.Phase) string {
	var parts []string
	if p.Reply != nil {
		parts = append(parts, firstLine(p.Reply))
	}
	if len(p.Capabilities) > 0 && (p.Reply == nil || !strings.Contains(p.Reply.Text, "\n")) {
		// POP3 CAPA: the list came as a separate block.
		parts = append(parts, strings.Join(p.Capabilities, " / "))
	}
	if p.Error != "" && (p.Reply == nil || p.ErrorKind != diag.KindReply) {
		parts = append(parts, p.Error)
	}
	if p.Note != "" && len(parts) == 0 {
		parts = append(parts, p.Note)
	} else if p.Note != "" && p.Status != diag.StatusOK {
		parts = append(parts, p.Note)
	}
	if p.Challenge != "" {
		parts = append(parts, "challenge "+p.Challenge)
	}
	s := strings.Join(parts, " · ")
	return diag.SafePrefix(s, 400)
}

// firstLine shows a reply's first line with its trailer (multi-line replies
// such as EHLO show their line count).
func firstLine(r *diag.Reply) string {
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

func verdictWord(st style, l labels, v diag.Verdict) string {
	switch v {
	case diag.VerdictOK:
		return st.c("1;32", l.vOK)
	case diag.VerdictWarning:
		return st.c("1;33", l.vWarning)
	case diag.VerdictFail:
		return st.c("1;31", l.vFail)
	}
	return st.c("1;31", l.vError)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeRoute says where the connection really went when that is not the
// configured server (--connect-to) or went through a proxy.
func writeRoute(b *strings.Builder, t diag.Target, l labels) {
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
