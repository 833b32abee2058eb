// Package termquiet keeps bubbletea's package init from querying the
// terminal in every mfpcheck command.
//
// bubbletea v1 (tea_init.go) calls lipgloss.HasDarkBackground() in its
// init, so that a TUI's later colour queries do not hang once it owns the
// terminal. Linked into one binary with every other command, that makes
// termenv write an OSC 11 background query and a cursor-position request
// to stdout before main runs, then wait for the answer: one round trip to
// the terminal for `mfpcheck explain` (over SSH, the link's), the whole
// termenv.OSCTimeout (5 s) on a pty that does not answer, and the escape
// bytes in any captured output.
//
// termenv asks only when its output is a terminal, and treats any process
// with CI set as not on one. This package's init sets CI (when it is not
// set already) and Restore, called from package main's init, removes it
// again. Go initialises packages in import-path order once their imports
// are initialised (Go spec, "Package initialization"); this package
// imports only os, and its path sorts before github.com/muesli/termenv,
// so its init runs before termenv's, lipgloss's and bubbletea's, and main's
// init runs after all of them. TestNoTerminalQuery checks it on a pty.
package termquiet

import "os"

// set is whether init set CI.
var set bool

func init() {
	if _, ok := os.LookupEnv("CI"); !ok {
		set = os.Setenv("CI", "mfpcheck-init") == nil
	}
}

// Restore removes the CI that init set. Package main's init calls it.
func Restore() {
	if set {
		os.Unsetenv("CI")
		set = false
	}
}
