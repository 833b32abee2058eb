package tui

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// screen is what the TUI shows.
type screen int

const (
	screenList screen = iota
	screenProbe
	screenToken
	screenTranscript
	screenExplain
	screenDiscover
)

// devState is what the TUI knows about one device. The report is only read.
type devState struct {
	dev Device

	run     int // number of the latest check; results of older runs are dropped
	running bool
	cancel  context.CancelFunc
	// phases are the phases of the running check, in the order they started.
	phases []report.Phase
	report *report.Report
	// findings are report.Findings in the UI's language (via Engine.Localize).
	findings []report.Finding
	// verdict is the last finished check's verdict ("" before the first).
	verdict report.Verdict

	login loginState

	// sheet is the file "s" last wrote for this device ("" before);
	// "p" prints it. printing is true while it is being sent.
	sheet    string
	printing bool
}

// loginState is a device-code sign-in in progress or its outcome.
type loginState struct {
	run    int
	active bool
	cancel context.CancelFunc
	code   *DeviceCode
	err    error
}

// Model is the root model. Its fields are read by tests through
// teatest's FinalModel.
type Model struct {
	ctx  context.Context
	eng  Engine
	opts Options
	log  *log.Logger

	lang  string
	st    styles
	keys  keyMap
	help  help.Model
	spin  spinner.Model
	vp    viewport.Model
	input textinput.Model

	width, height int

	screen screen
	back   screen // where esc goes from a sub-screen
	devs   []*devState
	cursor int // selected row of the list
	cur    int // device shown in the probe, token and transcript screens
	queue  []int

	disc discoverState

	explainInput    string
	explainFindings []report.Finding
	explainDone     bool

	status string // one-line message (sheet written, language …)
	// statusPath, when set, is the file the message names; the view cuts
	// the path from the left so the file name stays visible.
	statusFmt, statusPath string
	lastErr               bool
	fatal                 error
}

// New returns the root model. ctx bounds every check it starts.
func New(ctx context.Context, opts Options, logger *log.Logger) *Model {
	if logger == nil {
		logger = log.New(discard{}, "", 0)
	}
	lang := validLang(opts.Lang)
	st := newStyles(outputOf(opts), opts.NoColor)
	m := &Model{
		ctx:    ctx,
		eng:    opts.Engine,
		opts:   opts,
		log:    logger,
		lang:   lang,
		st:     st,
		keys:   newKeyMap(lang),
		width:  80,
		height: 24,
	}
	m.help = help.New()
	m.help.Styles = help.Styles{
		Ellipsis:       st.Dim,
		ShortKey:       st.Bold,
		ShortDesc:      st.Dim,
		ShortSeparator: st.Dim,
		FullKey:        st.Bold,
		FullDesc:       st.Dim,
		FullSeparator:  st.Dim,
	}
	// One cell wide, so a running phase lines up with the finished ones.
	dot := spinner.Spinner{Frames: []string{"⣾", "⣽", "⣻", "⢿", "⡿", "⣟", "⣯", "⣷"}, FPS: spinner.Dot.FPS}
	m.spin = spinner.New(spinner.WithSpinner(dot), spinner.WithStyle(st.Running))
	m.vp = viewport.New(80, 20)
	m.input = textinput.New()
	m.input.Prompt = "› "
	m.input.CharLimit = 2000
	m.input.PromptStyle = st.Bold
	m.input.TextStyle = st.r.NewStyle()
	m.input.PlaceholderStyle = st.Dim
	m.input.Cursor.Style = st.r.NewStyle().Reverse(true)
	for _, d := range opts.Devices {
		m.devs = append(m.devs, &devState{dev: d})
	}
	if len(m.devs) == 1 {
		m.screen = screenProbe
	}
	m.layout()
	return m
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Init opens a single device straight into its probe.
func (m *Model) Init() tea.Cmd {
	if len(m.devs) == 1 {
		return m.startCheck(0)
	}
	return nil
}

// Lang is the UI's current language.
func (m *Model) Lang() string { return m.lang }

// Report returns the last report of device i, or nil.
func (m *Model) Report(i int) *report.Report {
	if i < 0 || i >= len(m.devs) {
		return nil
	}
	return m.devs[i].report
}

// Findings returns device i's findings as shown (in the UI's language).
func (m *Model) Findings(i int) []report.Finding {
	if i < 0 || i >= len(m.devs) {
		return nil
	}
	return m.devs[i].findings
}

// fatalErr is the panic caught in a command, which ended the program.
func (m *Model) fatalErr() error { return m.fatal }

// Status is the message line's text.
func (m *Model) Status() string { return m.status }

func (m *Model) anyRunning() bool {
	if m.disc.running {
		return true
	}
	for _, d := range m.devs {
		if d.running || d.login.active {
			return true
		}
	}
	return false
}

// startCheck starts a check of device i, replacing any running one.
func (m *Model) startCheck(i int) tea.Cmd {
	ds := m.devs[i]
	if ds.cancel != nil {
		ds.cancel()
	}
	ds.run++
	ds.running = true
	ds.phases = nil
	ctx, cancel := context.WithCancel(m.ctx)
	ds.cancel = cancel
	cr := newCheckRun(i, ds.run)
	m.log.Printf("check %q: run %d started", ds.dev.Name, ds.run)
	return tea.Batch(runCheck(ctx, m.eng, ds.dev, cr, m.lang), waitCheck(cr), m.spin.Tick)
}

// checkAllConcurrency is how many devices "check all" checks at once, as
// batch does (each check is mostly waiting on the network).
const checkAllConcurrency = 8

// startNextQueued starts queued devices until checkAllConcurrency run.
func (m *Model) startNextQueued() tea.Cmd {
	running := 0
	for _, d := range m.devs {
		if d.running {
			running++
		}
	}
	var cmds []tea.Cmd
	for len(m.queue) > 0 && running < checkAllConcurrency {
		i := m.queue[0]
		m.queue = m.queue[1:]
		if !m.devs[i].running {
			cmds = append(cmds, m.startCheck(i))
			running++
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) startLogin(i int) tea.Cmd {
	ds := m.devs[i]
	if m.eng.Login == nil {
		m.setStatus(tr(m.lang, "signin_na"), true)
		return nil
	}
	if ds.login.cancel != nil {
		ds.login.cancel()
	}
	ctx, cancel := context.WithCancel(m.ctx)
	ds.login = loginState{run: ds.login.run + 1, active: true, cancel: cancel}
	lr := &loginRun{dev: i, run: ds.login.run, codes: make(chan DeviceCode, 1), done: make(chan error, 1)}
	m.log.Printf("sign-in %q: started", ds.dev.Name)
	return tea.Batch(runLogin(ctx, m.eng, ds.dev, lr), waitLogin(lr), m.spin.Tick)
}

func (m *Model) setStatus(s string, isErr bool) {
	m.status = s
	m.statusFmt, m.statusPath = "", ""
	m.lastErr = isErr
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()

	case panicMsg:
		m.fatal = msg.err
		m.log.Printf("panic in command: %v\n%s", msg.err.Value, msg.err.Stack)
		return m, tea.Quit

	case spinner.TickMsg:
		if m.anyRunning() {
			var cmd tea.Cmd
			m.spin, cmd = m.spin.Update(msg)
			cmds = append(cmds, cmd)
		}

	case phaseMsg:
		ds := m.devs[msg.cr.dev]
		// Keep draining a replaced run's channel; show only the current one.
		cmds = append(cmds, waitCheck(msg.cr))
		if msg.cr.run == ds.run {
			ds.phases = upsertPhase(ds.phases, msg.phase)
		}

	case reportMsg:
		ds := m.devs[msg.dev]
		if msg.run == ds.run {
			m.log.Printf("check %q: run %d done: %s", ds.dev.Name, msg.run, msg.report.Verdict)
			ds.running = false
			ds.cancel = nil
			ds.report = msg.report
			ds.verdict = msg.report.Verdict
			ds.findings = msg.report.Findings
			if msg.report.Lang != "" && msg.report.Lang != m.lang {
				cmds = append(cmds, localize(m.eng, msg.dev, ds.run, msg.report.Findings, m.lang, ds.dev.Vendor))
			}
			cmds = append(cmds, m.startNextQueued())
		}

	case localizedMsg:
		ds := m.devs[msg.dev]
		if msg.run == ds.run && msg.lang == m.lang {
			ds.findings = msg.findings
		}

	case explainMsg:
		if msg.input == m.explainInput {
			m.explainFindings = msg.findings
			m.explainDone = true
			m.vp.GotoTop()
		}

	case sheetMsg:
		if msg.err != nil {
			m.log.Printf("sheet: %v", msg.err)
			m.setStatus(fmt.Sprintf(tr(m.lang, "sheet_failed"), msg.err), true)
		} else {
			m.log.Printf("sheet written: %s", msg.path)
			m.setStatus(fmt.Sprintf(tr(m.lang, "sheet_written"), msg.path), false)
			m.statusFmt, m.statusPath = tr(m.lang, "sheet_written"), msg.path
			m.devs[msg.dev].sheet = msg.path
		}

	case printMsg:
		m.devs[msg.dev].printing = false
		if msg.err != nil {
			m.log.Printf("print: %v", msg.err)
			m.setStatus(fmt.Sprintf(tr(m.lang, "print_failed"), msg.err), true)
		} else {
			m.log.Printf("print: %s", msg.result)
			m.setStatus(fmt.Sprintf(tr(m.lang, "print_done"), msg.result), false)
		}

	case discoverMsg:
		m.discoverDone(msg)

	case loginCodeMsg:
		ds := m.devs[msg.lr.dev]
		cmds = append(cmds, waitLogin(msg.lr))
		if msg.lr.run == ds.login.run {
			c := msg.code
			ds.login.code = &c
		}

	case loginDoneMsg:
		ds := m.devs[msg.dev]
		if msg.run == ds.login.run {
			ds.login.active = false
			ds.login.cancel = nil
			ds.login.err = msg.err
			switch {
			case errors.Is(msg.err, context.Canceled):
				// The user cancelled (esc): nothing failed.
				m.log.Printf("sign-in %q: cancelled", ds.dev.Name)
			case msg.err != nil:
				m.log.Printf("sign-in %q: %v", ds.dev.Name, msg.err)
				m.setStatus(fmt.Sprintf(tr(m.lang, "signin_failed"), msg.err), true)
			default:
				m.log.Printf("sign-in %q: done", ds.dev.Name)
				m.setStatus(tr(m.lang, "signin_done"), false)
				ds.login.code = nil
				m.screen = screenProbe
				cmds = append(cmds, m.startCheck(msg.dev))
			}
		}

	case tea.KeyMsg:
		cmds = append(cmds, m.handleKey(msg))

	default:
		if m.screen == screenExplain && m.input.Focused() {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	m.refresh()
	return m, tea.Batch(cmds...)
}

// handleKey handles a key press on the current screen.
func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if key.Matches(msg, k.ForceQ) {
		return tea.Quit
	}
	// A message says what just happened; the next key (other than quit or
	// help) makes it old news.
	if !key.Matches(msg, k.Quit) && !key.Matches(msg, k.Help) {
		m.setStatus("", false)
	}
	// The explain prompt takes every key while it is focused.
	if m.screen == screenExplain && m.input.Focused() {
		switch {
		case key.Matches(msg, k.Back):
			m.input.Blur()
			m.screen = m.back
			return nil
		case key.Matches(msg, k.Submit):
			in := strings.TrimSpace(m.input.Value())
			if in == "" {
				return nil
			}
			m.input.Blur()
			m.explainInput = in
			m.explainDone = false
			m.explainFindings = nil
			return explain(m.eng, in, m.lang, m.vendor())
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}

	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return nil
	case key.Matches(msg, k.Lang):
		return m.switchLang()
	case key.Matches(msg, k.Back):
		return m.goBack()
	case key.Matches(msg, k.Explain):
		if m.screen != screenExplain {
			m.back = m.screen
		}
		m.screen = screenExplain
		m.input.Placeholder = tr(m.lang, "explain_input")
		m.input.SetValue("")
		m.vp.GotoTop()
		return m.input.Focus()
	}

	if key.Matches(msg, k.Discover) && (m.screen == screenList || m.screen == screenProbe) {
		return m.startDiscover()
	}
	switch m.screen {
	case screenDiscover:
		return m.discoverKey(msg)
	case screenList:
		return m.listKey(msg)
	case screenProbe:
		return m.probeKey(msg)
	case screenToken:
		return m.tokenKey(msg)
	}
	return m.scrollKey(msg)
}

func (m *Model) listKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		if m.cursor > 0 {
			m.cursor--
		}
	case key.Matches(msg, k.Down):
		if m.cursor < len(m.devs)-1 {
			m.cursor++
		}
	case key.Matches(msg, k.Top):
		m.cursor = 0
	case key.Matches(msg, k.Bottom):
		m.cursor = len(m.devs) - 1
	case key.Matches(msg, k.Open):
		m.cur = m.cursor
		m.screen = screenProbe
		m.vp.GotoTop()
		ds := m.devs[m.cur]
		if ds.report == nil && !ds.running {
			return m.startCheck(m.cur)
		}
	case key.Matches(msg, k.CheckAll):
		m.queue = m.queue[:0]
		for i, d := range m.devs {
			if !d.running {
				m.queue = append(m.queue, i)
			}
		}
		return m.startNextQueued()
	}
	return nil
}

func (m *Model) probeKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	ds := m.devs[m.cur]
	switch {
	case key.Matches(msg, k.Rerun):
		m.vp.GotoTop()
		return m.startCheck(m.cur)
	case key.Matches(msg, k.Sheet):
		if ds.report == nil || ds.running {
			m.setStatus(tr(m.lang, "sheet_na"), true)
			return nil
		}
		return writeSheet(m.eng, m.cur, m.sheetDir(), ds.report, m.lang)
	case key.Matches(msg, k.Print):
		switch {
		case m.eng.Print == nil:
			m.setStatus(tr(m.lang, "print_na"), true)
		case ds.sheet == "":
			m.setStatus(tr(m.lang, "print_no_sheet"), true)
		case ds.dev.Address == "":
			m.setStatus(tr(m.lang, "print_no_address"), true)
		case ds.printing:
		default:
			ds.printing = true
			m.setStatus(fmt.Sprintf(tr(m.lang, "print_sending"), ds.dev.Address), false)
			return printSheet(m.ctx, m.eng, m.cur, ds.dev, ds.sheet)
		}
		return nil
	case key.Matches(msg, k.Trans):
		m.screen = screenTranscript
		m.vp.GotoTop()
		return nil
	case key.Matches(msg, k.Token):
		m.screen = screenToken
		return nil
	}
	return m.scrollKey(msg)
}

func (m *Model) tokenKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.SignIn):
		if !m.devs[m.cur].login.active {
			return m.startLogin(m.cur)
		}
	case key.Matches(msg, k.Rerun):
		m.screen = screenProbe
		return m.startCheck(m.cur)
	}
	return nil
}

func (m *Model) scrollKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Top):
		m.vp.GotoTop()
		return nil
	case key.Matches(msg, m.keys.Bottom):
		m.vp.GotoBottom()
		return nil
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(msg)
	return cmd
}

// goBack leaves a sub-screen (esc). Leaving the token screen cancels a
// sign-in in progress.
func (m *Model) goBack() tea.Cmd {
	switch m.screen {
	case screenList:
		return nil
	case screenProbe:
		if len(m.devs) > 1 {
			m.screen = screenList
		}
		return nil
	case screenExplain:
		m.screen = m.back
	case screenDiscover:
		if m.disc.cancel != nil {
			m.disc.cancel()
		}
		m.disc.running = false
		m.screen = m.disc.back
	case screenToken:
		if ls := &m.devs[m.cur].login; ls.active && ls.cancel != nil {
			ls.cancel()
		}
		m.screen = screenProbe
	default:
		m.screen = screenProbe
	}
	m.vp.GotoTop()
	return nil
}

// switchLang moves to the next language and re-renders every finding
// through the engine.
func (m *Model) switchLang() tea.Cmd {
	m.lang = nextLang(m.lang)
	m.keys = newKeyMap(m.lang)
	m.input.Placeholder = tr(m.lang, "explain_input")
	m.setStatus(tr(m.lang, "lang_now"), false)
	var cmds []tea.Cmd
	for i, ds := range m.devs {
		if ds.report != nil {
			cmds = append(cmds, localize(m.eng, i, ds.run, ds.report.Findings, m.lang, ds.dev.Vendor))
		}
	}
	if m.explainInput != "" {
		cmds = append(cmds, explain(m.eng, m.explainInput, m.lang, m.vendor()))
	}
	return tea.Batch(cmds...)
}

// vendor is the vendor of the device in view, for the explain prompt.
func (m *Model) vendor() string {
	if m.screen == screenList || m.screen == screenExplain && m.back == screenList {
		return ""
	}
	if m.cur < len(m.devs) {
		return m.devs[m.cur].dev.Vendor
	}
	return ""
}

// upsertPhase replaces the phase of the same name or appends it.
func upsertPhase(ps []report.Phase, p report.Phase) []report.Phase {
	for i := range ps {
		if ps[i].Name == p.Name {
			ps[i] = p
			return ps
		}
	}
	return append(ps, p)
}

// sheetDir is the absolute folder sheets are written to.
func (m *Model) sheetDir() string {
	dir := m.opts.SheetDir
	if dir == "" {
		dir = "."
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}

// layout sizes the components to the window.
func (m *Model) layout() {
	m.help.Width = m.width
	m.input.Width = max(m.width-4, 10)
	m.vp.Width = m.width
	m.vp.Height = max(m.bodyHeight(), 1)
	if m.screen == screenExplain {
		m.vp.Height = max(m.bodyHeight()-2, 1)
	}
}

// bodyHeight is the window minus header, message line and help bar.
func (m *Model) bodyHeight() int {
	return m.height - 2 - lipgloss.Height(m.helpView())
}

// helpView is the help bar: the short help on as many lines as the width
// needs (so "? help" and "q quit" never fall off), or the full help.
func (m *Model) helpView() string {
	typing := m.screen == screenExplain && m.input.Focused()
	signing := m.screen == screenToken && m.devs[m.cur].login.active
	km := m.keys.helpFor(m.screen, typing, signing)
	if m.help.ShowAll {
		return m.help.View(km)
	}
	h := m.help
	h.Width = 0 // measure untruncated
	var rows []string
	var row []key.Binding
	for _, b := range km.ShortHelp() {
		if len(row) > 0 && lipgloss.Width(h.ShortHelpView(append(row, b))) > m.width {
			rows = append(rows, h.ShortHelpView(row))
			row = nil
		}
		row = append(row, b)
	}
	if len(row) > 0 {
		rows = append(rows, h.ShortHelpView(row))
	}
	for i := range rows {
		rows[i] = ansi.Truncate(rows[i], m.width, "…")
	}
	return strings.Join(rows, "\n")
}
