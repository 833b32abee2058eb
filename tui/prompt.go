package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// prompt is a one-line text input for the explain screen. It stands in for
// bubbles/textinput, whose clipboard dependency (github.com/atotto/clipboard)
// is not in go.sum; it has the same surface (Focus, Blur, Value, SetValue,
// Update, View), so switching back is a one-line change. Pasting works
// through the terminal's bracketed paste.
type prompt struct {
	Prompt      string
	Placeholder string
	Width       int
	CharLimit   int

	PromptStyle      lipgloss.Style
	TextStyle        lipgloss.Style
	PlaceholderStyle lipgloss.Style
	CursorStyle      lipgloss.Style

	value []rune
	pos   int
	focus bool
}

func (p *prompt) Focus() tea.Cmd { p.focus = true; return nil }
func (p *prompt) Blur()          { p.focus = false }
func (p prompt) Focused() bool   { return p.focus }
func (p prompt) Value() string   { return string(p.value) }

func (p *prompt) SetValue(s string) {
	p.value = []rune(s)
	p.pos = len(p.value)
}

// Update edits the value; keys are ignored while the prompt is blurred.
func (p prompt) Update(msg tea.Msg) (prompt, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok || !p.focus {
		return p, nil
	}
	switch km.Type {
	case tea.KeyRunes, tea.KeySpace:
		rs := km.Runes
		if km.Type == tea.KeySpace {
			rs = []rune{' '}
		}
		p.insert(rs)
	case tea.KeyBackspace:
		if p.pos > 0 {
			p.value = append(p.value[:p.pos-1], p.value[p.pos:]...)
			p.pos--
		}
	case tea.KeyDelete:
		if p.pos < len(p.value) {
			p.value = append(p.value[:p.pos], p.value[p.pos+1:]...)
		}
	case tea.KeyLeft:
		p.pos = max(p.pos-1, 0)
	case tea.KeyRight:
		p.pos = min(p.pos+1, len(p.value))
	case tea.KeyHome, tea.KeyCtrlA:
		p.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		p.pos = len(p.value)
	case tea.KeyCtrlU:
		p.value = p.value[p.pos:]
		p.pos = 0
	case tea.KeyCtrlK:
		p.value = p.value[:p.pos]
	}
	return p, nil
}

// insert adds runes at the cursor; a pasted multi-line reply becomes one
// line, as the decoder reads it.
func (p *prompt) insert(rs []rune) {
	s := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(string(rs))
	rs = []rune(s)
	if p.CharLimit > 0 && len(p.value)+len(rs) > p.CharLimit {
		rs = rs[:max(p.CharLimit-len(p.value), 0)]
	}
	v := make([]rune, 0, len(p.value)+len(rs))
	v = append(v, p.value[:p.pos]...)
	v = append(v, rs...)
	v = append(v, p.value[p.pos:]...)
	p.value = v
	p.pos += len(rs)
}

// View shows the prompt and the part of the value around the cursor that
// fits the width.
func (p prompt) View() string {
	head := p.PromptStyle.Render(p.Prompt)
	if len(p.value) == 0 {
		cur := p.CursorStyle.Render(" ")
		if !p.focus {
			cur = ""
		}
		return head + cur + p.PlaceholderStyle.Render(p.Placeholder)
	}
	w := p.Width - lipgloss.Width(head) - 1
	if w < 1 {
		w = 1
	}
	start := 0
	if p.pos > w {
		start = p.pos - w
	}
	end := min(start+w, len(p.value))
	before := string(p.value[start:p.pos])
	var at, after string
	if p.pos < end {
		at = string(p.value[p.pos])
		after = string(p.value[p.pos+1 : end])
	} else {
		at = " "
	}
	if !p.focus {
		return head + p.TextStyle.Render(string(p.value[start:end]))
	}
	return head + p.TextStyle.Render(before) + p.CursorStyle.Render(at) + p.TextStyle.Render(after)
}
