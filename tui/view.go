package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// View draws the whole window: header, body, message line, help bar.
func (m *Model) View() string {
	h := m.bodyHeight()
	var body string
	switch m.screen {
	case screenList:
		body = m.listView(h)
	case screenToken:
		body = m.tokenView(h)
	case screenDiscover:
		body = m.discoverView(h)
	case screenExplain:
		body = m.explainHeadView() + "\n" + m.vp.View()
	default:
		body = m.vp.View()
	}
	room, pct := m.width, ""
	if m.screen != screenList && m.screen != screenToken && m.screen != screenDiscover && m.vp.TotalLineCount() > m.vp.Height {
		pct = fmt.Sprintf(" %3.0f%% ↓", m.vp.ScrollPercent()*100)
		if m.vp.AtBottom() {
			pct = " 100%  "
		}
		room -= lipgloss.Width(pct)
	}
	status := m.statusView(max(room, 0))
	if pct != "" {
		status += strings.Repeat(" ", max(room-lipgloss.Width(status), 0)) + m.st.Dim.Render(pct)
	}
	return m.headerView() + "\n" + fit(body, m.width, h) + "\n" + status + "\n" + m.helpView()
}

// statusView is the message line cut to room cells; a file path is cut
// from the left, so its name stays visible.
func (m *Model) statusView(room int) string {
	if m.status == "" {
		return ""
	}
	st := m.st.Status
	if m.lastErr {
		st = m.st.ErrText
	}
	text := m.status
	if m.statusPath != "" && lipgloss.Width(text) > room {
		cut := lipgloss.Width(text) - room + 1
		text = fmt.Sprintf(m.statusFmt, "…"+ansi.TruncateLeft(m.statusPath, cut+1, ""))
	}
	return st.Render(ansi.Truncate(text, room, "…"))
}

// refresh puts the current screen's content into the viewport.
func (m *Model) refresh() {
	m.layout()
	switch m.screen {
	case screenProbe:
		m.vp.SetContent(m.probeContent(m.devs[m.cur]))
	case screenTranscript:
		m.vp.SetContent(m.transcriptContent(m.devs[m.cur]))
	case screenExplain:
		m.vp.SetContent(m.explainContent())
	}
}

// fit clips or pads s to exactly h lines of at most w cells.
func fit(s string, w, h int) string {
	if h < 1 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m *Model) headerView() string {
	title := "mfpcheck"
	var crumb string
	switch m.screen {
	case screenList:
		crumb = tr(m.lang, "devices")
	case screenDiscover:
		crumb = tr(m.lang, "discover_title")
	case screenExplain:
		crumb = tr(m.lang, "explain")
		if m.back != screenList {
			crumb = m.devs[m.cur].dev.Name + " › " + crumb
		}
	default:
		ds := m.devs[m.cur]
		crumb = ds.dev.Name
		if d := deviceLine(ds.dev); d != "" {
			crumb += " · " + d
		}
		switch m.screen {
		case screenToken:
			crumb += " › " + tr(m.lang, "token")
		case screenTranscript:
			crumb += " › " + tr(m.lang, "transcript")
		}
	}
	badge := m.st.Header.Render(title)
	rest := " " + strings.ToUpper(m.lang) + " "
	space := m.width - lipgloss.Width(badge) - lipgloss.Width(rest) - 1
	crumb = ansi.Truncate(crumb, max(space, 0), "…")
	pad := max(space-lipgloss.Width(crumb), 0)
	return badge + " " + m.st.Title.Render(crumb) + strings.Repeat(" ", pad) + m.st.Dim.Render(rest)
}

// deviceLine is "Vendor Model · address".
func deviceLine(d Device) string {
	var parts []string
	if vm := strings.TrimSpace(i18n.VendorName(d.Vendor) + " " + d.Model); vm != "" {
		parts = append(parts, vm)
	}
	if d.Address != "" {
		parts = append(parts, d.Address)
	}
	return strings.Join(parts, " · ")
}

// ---- device list ----

func (m *Model) listView(h int) string {
	var b strings.Builder
	b.WriteString(m.st.Section.Render(fmt.Sprintf("%s (%d)", tr(m.lang, "devices"), len(m.devs))))
	b.WriteString("\n")
	rows := max(h-1, 1)
	top := 0
	if m.cursor >= rows {
		top = m.cursor - rows + 1
	}
	for i := top; i < len(m.devs) && i < top+rows; i++ {
		b.WriteString(m.listRow(i))
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// listRow is one device: cursor, verdict icon, name, [vendor and model,]
// [address,] state and, once checked, its first finding. The name keeps
// up to 28 cells; the address goes first when the window is narrow, then
// vendor and model; the finding takes what is left.
func (m *Model) listRow(i int) string {
	ds := m.devs[i]
	const addrW, vmW, stateMin = 15, 18, 24
	longest := 10
	for _, d := range m.devs {
		longest = max(longest, lipgloss.Width(d.dev.Name))
	}
	nameW := min(longest, 28)
	room := m.width - 4 - nameW - 1
	showVM := room-stateMin >= vmW+addrW+2+20
	showAddr := room-stateMin >= addrW+1+20
	if showVM {
		room -= vmW + 1
	}
	if showAddr {
		room -= addrW + 1
	}
	if room < stateMin {
		nameW = max(nameW-(stateMin-room), 10)
		room = max(m.width-4-nameW-1, 1)
	}

	sel := "  "
	name := cell(ds.dev.Name, nameW)
	if i == m.cursor {
		sel = m.st.Selected.Render("› ")
		name = m.st.Selected.Render(name)
	}
	var icon, state string
	switch {
	case ds.running:
		icon = m.spin.View()
		state = m.st.Running.Render(tr(m.lang, "checking"))
		if n := len(ds.phases); n > 0 {
			state += m.st.Dim.Render(" · " + phaseLabel(ds.phases[n-1].Name))
		}
	case ds.verdict != "":
		icon = m.verdictIcon(ds.verdict)
		state = m.st.verdict(ds.verdict).Render(tr(m.lang, "verdict."+string(ds.verdict)))
		if f, ok := report.TopFinding(ds.findings); ok {
			rest := room - lipgloss.Width(state) - 3
			if rest >= 8 {
				state += m.st.Dim.Render(" · " + ansi.Truncate(f.Title, rest, "…"))
			}
		}
	default:
		icon = m.st.Dim.Render("·")
		state = m.st.Dim.Render(tr(m.lang, "not_checked"))
	}
	row := sel + icon + " " + name + " "
	if showVM {
		row += m.st.Dim.Render(cell(strings.TrimSpace(i18n.VendorName(ds.dev.Vendor)+" "+ds.dev.Model), vmW)) + " "
	}
	if showAddr {
		row += m.st.Dim.Render(cell(ds.dev.Address, addrW)) + " "
	}
	return row + state
}

// signatureNote is the info finding that only says the token's claims were
// read unchecked; the token line says it, so it is not listed.
const signatureNote = "token.signature_unverified"

func (m *Model) verdictIcon(v report.Verdict) string {
	switch v {
	case report.VerdictOK:
		return m.st.OK.Render("✓")
	case report.VerdictWarning:
		return m.st.Warn.Render("!")
	}
	return m.st.Fail.Render("✗")
}

// cell truncates s to w cells and pads it to exactly w.
func cell(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}

// ---- probe ----

// phaseLabels are display names of phases (not translated: they are the
// protocol's own words).
var phaseLabels = map[report.PhaseName]string{
	report.PhaseDNS: "DNS", report.PhaseConnect: "Connect", report.PhaseBanner: "Banner",
	report.PhaseEHLO: "EHLO", report.PhaseStartTLS: "STARTTLS", report.PhaseTLS: "TLS",
	report.PhaseEHLOTLS: "EHLO (TLS)", report.PhaseAuth: "AUTH", report.PhaseMailFrom: "MAIL FROM",
	report.PhaseRcptTo: "RCPT TO", report.PhaseData: "DATA", report.PhaseQuit: "QUIT",
	report.PhasePOP3DNS: "POP3 DNS", report.PhasePOP3Connect: "POP3 Connect",
	report.PhasePOP3Banner: "POP3 Banner", report.PhasePOP3STLS: "POP3 STLS",
	report.PhasePOP3TLS: "POP3 TLS", report.PhasePOP3CAPA: "POP3 CAPA",
	report.PhasePOP3Auth: "POP3 AUTH", report.PhasePOP3Quit: "POP3 QUIT",
}

func phaseLabel(name report.PhaseName) string {
	if l, ok := phaseLabels[name]; ok {
		return l
	}
	return string(name)
}

// probeContent is the device screen. While the check runs it shows the
// phases as they come; once done, the answer comes first (verdict, a
// one-line summary of the phases, the token, the findings with their
// steps) and the phase list follows, so at 80x24 the blocking finding and
// its steps show without scrolling.
func (m *Model) probeContent(ds *devState) string {
	w := m.width
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }

	switch {
	case ds.running:
		line(m.st.Section.Render(tr(m.lang, "phases")))
		if len(ds.phases) == 0 {
			line(m.spin.View() + " " + m.st.Dim.Render(tr(m.lang, "waiting")))
		}
		for _, p := range ds.phases {
			line(m.phaseLine(p, w))
		}
		return b.String()
	case ds.report == nil:
		line(m.st.Dim.Render(tr(m.lang, "no_report")))
		return b.String()
	}
	r := ds.report
	vs := m.st.verdict(r.Verdict)
	v := tr(m.lang, "verdict") + i18n.T(m.lang, "colon") + " " + vs.Render(tr(m.lang, "verdict."+string(r.Verdict)))
	if d := r.Duration.D(); d > 0 {
		v += m.st.Dim.Render("  " + fmtDur(d))
	}
	if r.Interrupted {
		v += m.st.Warn.Render("  (" + tr(m.lang, "interrupted") + ")")
	}
	line(v)
	if r.Error != "" {
		line(wrapIndent(m.st.ErrText.Render(tr(m.lang, "error")+i18n.T(m.lang, "colon")+" ")+r.Error, w, "", "  "))
	}
	line(m.phaseSummary("SMTP", r.Phases, w))
	if r.POP3 != nil && len(r.POP3.Phases) > 0 {
		line(m.phaseSummary("POP3", r.POP3.Phases, w))
	}
	if t := r.Token; t != nil {
		line(ansi.Truncate(m.tokenSummary(t), w, "…"))
	}
	if id := r.DeviceIdentity; id != nil {
		line(m.identitySummary(id, ds.findings, w))
	}
	if r.Tenant != nil {
		line(m.tenantSummary(r.Tenant, w))
	}
	line("")
	b.WriteString(m.findingsView(ds.findings, w))
	line("")
	if r.Tenant != nil {
		b.WriteString(m.tenantView(r.Tenant, w))
		line("")
	}
	line(m.st.Section.Render(tr(m.lang, "phases")))
	for _, p := range r.Phases {
		line(m.phaseLine(p, w))
	}
	if r.POP3 != nil {
		for _, p := range r.POP3.Phases {
			line(m.phaseLine(p, w))
		}
	}
	return b.String()
}

// phaseSummary is one protocol's phases on one line: how many passed, and
// each one that did not with its status ("SMTP ✓ 8 · ✗ AUTH 535 5.7.139 ·
// – 3").
func (m *Model) phaseSummary(proto string, ps []report.Phase, w int) string {
	ok, skipped := 0, 0
	var bad []string
	for _, p := range ps {
		switch p.Status {
		case report.StatusOK:
			ok++
		case report.StatusSkipped:
			skipped++
		default:
			st, ic := m.st.status(p.Status)
			s := st.Render(ic) + " " + phaseLabel(p.Name)
			if p.Reply != nil {
				s += " " + strings.TrimSpace(fmt.Sprintf("%s %s", replyCode(p.Reply), p.Reply.Enhanced))
			} else if v, ok := i18n.ErrorKind(m.lang, string(p.ErrorKind)); ok {
				s += " " + v
			}
			bad = append(bad, s)
		}
	}
	stOK, icOK := m.st.status(report.StatusOK)
	parts := []string{stOK.Render(icOK) + fmt.Sprintf(" %d %s", ok, i18n.T(m.lang, "status.ok"))}
	parts = append(parts, bad...)
	if skipped > 0 {
		parts = append(parts, m.st.Dim.Render(fmt.Sprintf("%d %s", skipped, i18n.T(m.lang, "status.skipped"))))
	}
	return ansi.Truncate(m.st.Bold.Render(fmt.Sprintf("%-4s", proto))+" "+strings.Join(parts, m.st.Dim.Render(" · ")), w, "…")
}

// replyCode is an SMTP code or POP3's +OK/-ERR.
func replyCode(r *report.Reply) string {
	if r.POP3 != "" {
		return r.POP3
	}
	return fmt.Sprint(r.Code)
}

// phaseLine is "✓ AUTH        120 ms  535 5.7.139 …", cut to w cells.
func (m *Model) phaseLine(p report.Phase, w int) string {
	var icon, dur string
	if p.Status == report.StatusRunning {
		icon = m.spin.View()
	} else {
		st, ic := m.st.status(p.Status)
		icon = st.Render(ic)
		if p.Status != report.StatusSkipped {
			dur = fmtDur(p.Duration.D())
		}
	}
	detail := ""
	switch {
	case p.Reply != nil:
		detail = p.Reply.Line()
	case p.Error != "":
		detail = p.Error
		if v, ok := i18n.ErrorKind(m.lang, string(p.ErrorKind)); ok && m.lang != "en" {
			detail = v
		}
	case p.Note != "":
		detail = i18n.PhaseNote(m.lang, p.Note)
	}
	if p.Status == report.StatusRunning && detail == "" {
		detail = "…"
	}
	head := fmt.Sprintf(" %s %-12s %8s  ", icon, ansi.Truncate(phaseLabel(p.Name), 12, "…"), dur)
	rest := max(w-lipgloss.Width(head), 1)
	detail = ansi.Truncate(strings.ReplaceAll(detail, "\n", " / "), rest, "…")
	if p.Status == report.StatusFail {
		detail = m.st.ErrText.Render(detail)
	} else {
		detail = m.st.Dim.Render(detail)
	}
	return head + detail
}

// fmtDur is "12 ms" under a second, "1.2 s" above.
func fmtDur(d time.Duration) string {
	if d > 0 && d < time.Millisecond {
		return "<1 ms"
	}
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// tokenSummary is the token's state in one line.
func (m *Model) tokenSummary(t *report.TokenInfo) string {
	parts := []string{tokenState(m.lang, t)}
	if !t.ExpiresAt.IsZero() {
		parts = append(parts, m.accessLeft(t))
	}
	if t.HasRefreshToken {
		parts = append(parts, tr(m.lang, "refresh")+" "+m.refreshLeft(t))
	}
	return tr(m.lang, "token") + i18n.T(m.lang, "colon") + " " + strings.Join(parts, " · ")
}

func (m *Model) accessLeft(t *report.TokenInfo) string {
	if t.AccessMinutesLeft <= 0 {
		return m.st.Fail.Render(tr(m.lang, "expired"))
	}
	return fmt.Sprintf(tr(m.lang, "minutes_left"), t.AccessMinutesLeft)
}

func (m *Model) refreshLeft(t *report.TokenInfo) string {
	switch {
	case !t.HasRefreshToken:
		return tr(m.lang, "refresh_none")
	case !t.HasRefreshDaysLeft:
		return tr(m.lang, "refresh_unknown")
	case t.RefreshDaysLeft <= 0:
		return m.st.Fail.Render(tr(m.lang, "expired"))
	case t.RefreshDaysLeft <= 14:
		return m.st.Warn.Render(fmt.Sprintf(tr(m.lang, "refresh_left"), t.RefreshDaysLeft))
	}
	return fmt.Sprintf(tr(m.lang, "refresh_left"), t.RefreshDaysLeft)
}

// tokenState is the token state as the device's web page words it.
func tokenState(lang string, t *report.TokenInfo) string {
	return i18n.DeviceState(lang, t.State)
}

// findingsView renders findings with their numbered steps, wrapped to w.
func (m *Model) findingsView(fs []report.Finding, w int) string {
	var b strings.Builder
	b.WriteString(m.st.Section.Render(tr(m.lang, "findings")) + "\n")
	if len(fs) == 0 {
		b.WriteString(m.st.Dim.Render(tr(m.lang, "no_findings")) + "\n")
		return b.String()
	}
	n := 0
	for _, f := range fs {
		if f.ID == signatureNote {
			continue
		}
		if n > 0 {
			b.WriteString("\n")
		}
		n++
		st, ic := m.st.severity(f.Severity)
		b.WriteString(wrapIndent(st.Render(ic)+" "+m.st.Bold.Render(f.Title), w, "", "  ") + "\n")
		if f.Generic {
			b.WriteString(wrapIndent(m.st.Dim.Render(tr(m.lang, "generic")), w, "  ", "  ") + "\n")
		}
		if f.Cause != "" {
			b.WriteString(wrapIndent(f.Cause, w, "  ", "  ") + "\n")
		}
		for n, s := range f.Steps {
			num := fmt.Sprintf("  %d. ", n+1)
			hang := strings.Repeat(" ", len(num))
			b.WriteString(wrapIndent(s.Text, w, num, hang) + "\n")
			if s.Command != "" {
				b.WriteString(wrapCommand(m.st.Command, "PS> "+s.Command, w, hang, hang+"    ") + "\n")
			}
		}
		colon := i18n.T(m.lang, "colon") + " "
		if f.Side != "" {
			b.WriteString(wrapIndent(m.st.Dim.Render(m.label("heading.side")+colon+i18n.SideText(m.label, f.Side, f.Sides)), w, "  ", "    ") + "\n")
		}
		if f.Delay != "" {
			b.WriteString(wrapIndent(m.st.Dim.Render(tr(m.lang, "heading.delay")+colon+f.Delay), w, "  ", "    ") + "\n")
		}
		for _, e := range f.Evidence {
			b.WriteString(wrapIndent(m.st.Dim.Render(tr(m.lang, "heading.evidence")+colon+e), w, "  ", "    ") + "\n")
		}
		if len(f.Alternatives) > 0 {
			alts := make([]string, len(f.Alternatives))
			for i, id := range f.Alternatives {
				alts[i] = id
				if m.eng.Localize != nil {
					if t := m.eng.Localize(report.Finding{ID: id}, m.lang, m.vendor()).Title; t != "" {
						alts[i] = t
					}
				}
			}
			b.WriteString(wrapIndent(m.st.Dim.Render(tr(m.lang, "heading.alternatives")+colon+strings.Join(alts, "; ")), w, "  ", "    ") + "\n")
		}
	}
	return b.String()
}

// label is the engine's word for a catalogue key, or the key's last part.
func (m *Model) label(k string) string {
	if m.eng.Label != nil {
		if l := m.eng.Label(m.lang, k); l != "" && l != k {
			return l
		}
	}
	return k[strings.LastIndex(k, ".")+1:]
}

// wrapCommand wraps a command line only at spaces, so no parameter is cut
// in two ("-Smtp…" stays whole) and a copied line still works.
func wrapCommand(st lipgloss.Style, s string, w int, first, hang string) string {
	width := max(w-lipgloss.Width(hang), 10)
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		lim := width
		if len(lines) == 0 {
			lim = max(w-lipgloss.Width(first), 10)
		}
		if cur != "" && lipgloss.Width(cur)+1+lipgloss.Width(word) > lim {
			lines = append(lines, cur)
			cur = word
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += word
	}
	lines = append(lines, cur)
	for i, l := range lines {
		p := hang
		if i == 0 {
			p = first
		}
		lines[i] = p + st.Render(l)
	}
	return strings.Join(lines, "\n")
}

// wrapIndent wraps s to w cells; the first line starts with first, the
// others with hang.
func wrapIndent(s string, w int, first, hang string) string {
	width := max(w-lipgloss.Width(hang), 10)
	firstW := max(w-lipgloss.Width(first), 10)
	// Wrap the first line at its own width, the rest at the hang width.
	lines := strings.Split(ansi.Wrap(s, firstW, ""), "\n")
	out := []string{first + lines[0]}
	if len(lines) > 1 {
		rest := ansi.Wrap(strings.Join(lines[1:], " "), width, "")
		for _, l := range strings.Split(rest, "\n") {
			out = append(out, hang+l)
		}
	}
	return strings.Join(out, "\n")
}

// ---- transcript ----

func (m *Model) transcriptContent(ds *devState) string {
	if ds.report == nil || len(ds.report.Transcript) == 0 {
		return m.st.Dim.Render(tr(m.lang, "no_transcript"))
	}
	var b strings.Builder
	for _, l := range ds.report.Transcript {
		dir := l.Dir
		switch dir {
		case ">":
			dir = m.st.Sent.Render(">")
		case "<":
			dir = m.st.Received.Render("<")
		default:
			dir = m.st.Event.Render(dir)
		}
		svc := ""
		if l.Service != "" && l.Service != "smtp" {
			svc = l.Service + " "
		}
		head := fmt.Sprintf("%8.1f ms %s ", float64(l.At.D())/float64(time.Millisecond), dir)
		text := svc + l.Text
		if l.Dir != ">" && l.Dir != "<" {
			text = m.st.Event.Render(text)
		}
		b.WriteString(wrapIndent(text, m.width, head, strings.Repeat(" ", 14)) + "\n")
	}
	return b.String()
}

// ---- explain ----

func (m *Model) explainHeadView() string {
	return m.st.Dim.Render(tr(m.lang, "explain_prompt")) + "\n" + m.input.View()
}

func (m *Model) explainContent() string {
	if m.explainInput == "" || !m.explainDone {
		return ""
	}
	if len(m.explainFindings) == 0 {
		return m.st.Dim.Render(tr(m.lang, "explain_none"))
	}
	return m.findingsView(m.explainFindings, m.width)
}
