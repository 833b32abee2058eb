package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is every key the TUI answers to, with help texts in the current
// language. It is rebuilt when the language changes.
type keyMap struct {
	Up       key.Binding
	Down     key.Binding
	Open     key.Binding
	Rerun    key.Binding
	CheckAll key.Binding
	Sheet    key.Binding
	Print    key.Binding
	Lang     key.Binding
	Trans    key.Binding
	Explain  key.Binding
	Token    key.Binding
	SignIn   key.Binding
	Submit   key.Binding
	Scroll   key.Binding
	Ends     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Cancel   key.Binding
	Help     key.Binding
	Back     key.Binding
	Quit     key.Binding
	ForceQ   key.Binding
	Discover key.Binding
	Pick     key.Binding
	Again    key.Binding
}

func newKeyMap(lang string) keyMap {
	h := func(k string) string { return tr(lang, k) }
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", h("k_up"))),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", h("k_down"))),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", h("k_open"))),
		Rerun:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", h("k_rerun"))),
		CheckAll: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", h("k_check_all"))),
		Sheet:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", h("k_sheet"))),
		Print:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", h("k_print"))),
		Lang:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", h("k_lang"))),
		Trans:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", h("k_trans"))),
		Explain:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", h("k_explain"))),
		Token:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", h("k_token"))),
		SignIn:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", h("k_signin"))),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", h("k_submit"))),
		Scroll:   key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("↑↓/pgup/pgdn", h("k_scroll"))),
		Ends:     key.NewBinding(key.WithKeys("home", "end"), key.WithHelp("home/end", h("k_ends"))),
		Top:      key.NewBinding(key.WithKeys("home", "g")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", h("k_cancel"))),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", h("k_help"))),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", h("k_back"))),
		Quit:     key.NewBinding(key.WithKeys("q"), key.WithHelp("q", h("k_quit"))),
		ForceQ:   key.NewBinding(key.WithKeys("ctrl+c")),
		Discover: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", h("k_discover"))),
		Pick:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", h("k_pick"))),
		Again:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", h("k_again"))),
	}
}

// screenKeys is the help.KeyMap of one screen.
type screenKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

func (s screenKeys) ShortHelp() []key.Binding  { return s.short }
func (s screenKeys) FullHelp() [][]key.Binding { return s.full }

// helpFor returns the keys shown in the help bar on screen sc; signing
// is true while a sign-in runs (esc cancels it).
func (k keyMap) helpFor(sc screen, typing, signing bool) screenKeys {
	switch sc {
	case screenList:
		return screenKeys{
			short: []key.Binding{k.Open, k.CheckAll, k.Discover, k.Lang, k.Explain, k.Help, k.Quit},
			full:  [][]key.Binding{{k.Up, k.Down, k.Ends, k.Open}, {k.CheckAll, k.Discover, k.Lang, k.Explain}, {k.Help, k.Quit}},
		}
	case screenDiscover:
		return screenKeys{
			short: []key.Binding{k.Pick, k.Again, k.Lang, k.Help, k.Back, k.Quit},
			full:  [][]key.Binding{{k.Up, k.Down, k.Pick, k.Again}, {k.Lang, k.Help}, {k.Back, k.Quit}},
		}
	case screenProbe:
		return screenKeys{
			short: []key.Binding{k.Rerun, k.Sheet, k.Print, k.Lang, k.Trans, k.Explain, k.Token, k.Help, k.Back, k.Quit},
			full:  [][]key.Binding{{k.Rerun, k.Sheet, k.Print, k.Lang}, {k.Trans, k.Explain, k.Token}, {k.Scroll, k.Ends, k.Help}, {k.Back, k.Quit}},
		}
	case screenToken:
		if signing {
			return screenKeys{
				short: []key.Binding{k.Cancel, k.Lang, k.Help, k.Quit},
				full:  [][]key.Binding{{k.Cancel, k.Lang}, {k.Help, k.Quit}},
			}
		}
		return screenKeys{
			short: []key.Binding{k.SignIn, k.Rerun, k.Lang, k.Help, k.Back, k.Quit},
			full:  [][]key.Binding{{k.SignIn, k.Rerun, k.Lang}, {k.Help, k.Back, k.Quit}},
		}
	case screenTranscript:
		return screenKeys{
			short: []key.Binding{k.Scroll, k.Lang, k.Help, k.Back, k.Quit},
			full:  [][]key.Binding{{k.Up, k.Down, k.Scroll, k.Ends}, {k.Lang, k.Help}, {k.Back, k.Quit}},
		}
	case screenExplain:
		if typing {
			return screenKeys{
				short: []key.Binding{k.Submit, k.Back},
				full:  [][]key.Binding{{k.Submit, k.Back}},
			}
		}
		return screenKeys{
			short: []key.Binding{k.Explain, k.Lang, k.Scroll, k.Help, k.Back, k.Quit},
			full:  [][]key.Binding{{k.Explain, k.Lang}, {k.Up, k.Down, k.Scroll}, {k.Help, k.Back, k.Quit}},
		}
	}
	return screenKeys{}
}
