package tui

import (
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// styles are built from one renderer bound to the TUI's output, so NO_COLOR
// (and a non-terminal output) turn every colour off in one place.
type styles struct {
	r *lipgloss.Renderer

	Header   lipgloss.Style
	Title    lipgloss.Style
	Dim      lipgloss.Style
	Bold     lipgloss.Style
	Section  lipgloss.Style
	Selected lipgloss.Style
	Status   lipgloss.Style
	ErrText  lipgloss.Style

	OK      lipgloss.Style
	Warn    lipgloss.Style
	Fail    lipgloss.Style
	Skipped lipgloss.Style
	Running lipgloss.Style

	Sent     lipgloss.Style
	Received lipgloss.Style
	Event    lipgloss.Style
	Command  lipgloss.Style

	CodeBox lipgloss.Style
	QR      lipgloss.Style
}

func newStyles(out io.Writer, noColor bool) styles {
	r := lipgloss.NewRenderer(out)
	if noColor {
		r.SetColorProfile(termenv.Ascii)
	}
	c := func(s string) lipgloss.TerminalColor { return lipgloss.Color(s) }
	s := styles{r: r}
	s.Header = r.NewStyle().Bold(true).Foreground(c("#FFFDF5")).Background(c("#5A56E0")).Padding(0, 1)
	s.Title = r.NewStyle().Bold(true)
	s.Dim = r.NewStyle().Foreground(c("#888888"))
	s.Bold = r.NewStyle().Bold(true)
	s.Section = r.NewStyle().Bold(true).Underline(true)
	s.Selected = r.NewStyle().Bold(true).Foreground(c("#EE6FF8"))
	s.Status = r.NewStyle().Foreground(c("#A8CC8C"))
	s.ErrText = r.NewStyle().Foreground(c("#E88388"))

	s.OK = r.NewStyle().Foreground(c("#04B575")).Bold(true)
	s.Warn = r.NewStyle().Foreground(c("#DBAB79")).Bold(true)
	s.Fail = r.NewStyle().Foreground(c("#E88388")).Bold(true)
	s.Skipped = r.NewStyle().Foreground(c("#888888"))
	s.Running = r.NewStyle().Foreground(c("#71BEF2"))

	s.Sent = r.NewStyle().Foreground(c("#71BEF2"))
	s.Received = r.NewStyle().Foreground(c("#A8CC8C"))
	s.Event = r.NewStyle().Foreground(c("#888888"))
	s.Command = r.NewStyle().Foreground(c("#DBAB79"))

	s.CodeBox = r.NewStyle().Border(lipgloss.ThickBorder()).Padding(1, 3).Bold(true)
	// The QR code is drawn with block characters in the foreground colour;
	// pin it to white on black so it scans on light terminals too.
	s.QR = r.NewStyle().Foreground(c("#FFFFFF")).Background(c("#000000"))
	return s
}

// status returns the style and the icon of a phase status.
func (s styles) status(st report.Status) (lipgloss.Style, string) {
	switch st {
	case report.StatusOK:
		return s.OK, "✓"
	case report.StatusWarn:
		return s.Warn, "!"
	case report.StatusFail:
		return s.Fail, "✗"
	case report.StatusSkipped:
		return s.Skipped, "–"
	}
	return s.Running, "·"
}

// verdict returns the style of a verdict.
func (s styles) verdict(v report.Verdict) lipgloss.Style {
	switch v {
	case report.VerdictOK:
		return s.OK
	case report.VerdictWarning:
		return s.Warn
	}
	return s.Fail
}

// severity returns the style and icon of a finding's severity.
func (s styles) severity(sev report.Severity) (lipgloss.Style, string) {
	switch sev {
	case report.SeverityError:
		return s.Fail, "✗"
	case report.SeverityWarning:
		return s.Warn, "!"
	}
	return s.Running, "i"
}
