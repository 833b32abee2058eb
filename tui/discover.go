package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/mfpcheck/mfpcheck/diag/discover"
)

// discoverState is the discover screen ("d"): the printers and MFPs that
// answered DNS-SD on the local link, one of which the user picks to start
// a profile for.
type discoverState struct {
	run     int
	running bool
	cancel  context.CancelFunc
	devices []discover.Device
	err     error
	cursor  int
	back    screen // where esc goes
}

// discoverMsg ends a browse.
type discoverMsg struct {
	run     int
	devices []discover.Device
	err     error
}

// startDiscover browses the local link through the engine, replacing a
// browse that still runs.
func (m *Model) startDiscover() tea.Cmd {
	if m.screen != screenDiscover {
		m.disc.back = m.screen
	}
	m.screen = screenDiscover
	if m.eng.Discover == nil {
		m.setStatus(tr(m.lang, "discover_na"), true)
		return nil
	}
	if m.disc.cancel != nil {
		m.disc.cancel()
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.disc = discoverState{run: m.disc.run + 1, running: true, cancel: cancel, back: m.disc.back}
	m.log.Printf("discover: run %d started", m.disc.run)
	run, eng := m.disc.run, m.eng
	return tea.Batch(safe(func() tea.Msg {
		devs, err := eng.Discover(ctx)
		return discoverMsg{run: run, devices: devs, err: err}
	}), m.spin.Tick)
}

// discoverDone takes a browse's outcome, if it is the latest.
func (m *Model) discoverDone(msg discoverMsg) {
	if msg.run != m.disc.run {
		return
	}
	m.log.Printf("discover: run %d done: %d devices, err %v", msg.run, len(msg.devices), msg.err)
	m.disc.running, m.disc.cancel = false, nil
	m.disc.devices, m.disc.err, m.disc.cursor = msg.devices, msg.err, 0
	if msg.err != nil {
		m.setStatus(fmt.Sprintf(tr(m.lang, "discover_failed"), msg.err), true)
	}
}

// discoverKey handles a key on the discover screen: up and down pick a
// device, enter starts its profile, r browses again.
func (m *Model) discoverKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	n := len(m.disc.devices)
	switch {
	case key.Matches(msg, k.Up):
		m.disc.cursor = max(m.disc.cursor-1, 0)
	case key.Matches(msg, k.Down):
		m.disc.cursor = max(min(m.disc.cursor+1, n-1), 0)
	case key.Matches(msg, k.Again):
		return m.startDiscover()
	case key.Matches(msg, k.Pick):
		if m.disc.running || n == 0 {
			return nil
		}
		return m.startProfile(m.disc.devices[m.disc.cursor])
	}
	return nil
}

// startProfile starts a profile for d through the engine; without one it
// says which command does.
func (m *Model) startProfile(d discover.Device) tea.Cmd {
	target := d.Target()
	if target == "" {
		m.setStatus(tr(m.lang, "discover_no_addr"), true)
		return nil
	}
	m.log.Printf("discover: start a profile for %s", target)
	m.setStatus(fmt.Sprintf(tr(m.lang, "discover_profile"), "mfpcheck init --from-device "+target), false)
	return nil
}

// discoverView is the discover screen's body.
func (m *Model) discoverView(h int) string {
	var b strings.Builder
	b.WriteString(m.st.Section.Render(fmt.Sprintf("%s (%d)", tr(m.lang, "discover_title"), len(m.disc.devices))))
	b.WriteString("\n")
	switch {
	case m.disc.running:
		b.WriteString(m.spin.View() + " " + m.st.Running.Render(tr(m.lang, "discover_running")))
		return b.String()
	case m.disc.err != nil:
		return b.String()
	case len(m.disc.devices) == 0:
		b.WriteString(m.st.Dim.Render(tr(m.lang, "discover_none")))
		return b.String()
	}
	// Each device: name, make and model, address; the selected one also
	// its services and web page.
	rows := max(h-3, 1)
	top := 0
	if m.disc.cursor >= rows {
		top = m.disc.cursor - rows + 1
	}
	for i := top; i < len(m.disc.devices) && i < top+rows; i++ {
		d := m.disc.devices[i]
		sel, name := "  ", cell(d.Name, 28)
		if i == m.disc.cursor {
			sel, name = m.st.Selected.Render("› "), m.st.Selected.Render(name)
		}
		b.WriteString(sel + name + " " + m.st.Dim.Render(cell(d.MakeAndModel, 24)+" "+d.Target()) + "\n")
	}
	d := m.disc.devices[m.disc.cursor]
	line := d.ServiceList()
	if d.AdminURL != "" {
		line += " · " + d.AdminURL
	}
	b.WriteString(m.st.Dim.Render("  " + line))
	return b.String()
}
