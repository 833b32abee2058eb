package main

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/mfpcheck/mfpcheck/cmd/mfpcheck/internal/termquiet"
)

// Package main's init runs after every other package's: the terminal query
// bubbletea's init would have made is skipped (see termquiet). termenv's
// default output (its colour profile was read with CI set) and lipgloss's
// default renderer (which answered without asking) are made anew, so
// nothing keeps what was read during the skip. The TUI asks the terminal
// itself before it starts (tui.Run).
func init() {
	termquiet.Restore()
	termenv.SetDefaultOutput(termenv.NewOutput(os.Stdout))
	lipgloss.SetDefaultRenderer(lipgloss.NewRenderer(os.Stdout))
}
