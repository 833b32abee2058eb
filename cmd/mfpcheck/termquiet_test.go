package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestNoTerminalQuery runs commands that are not the TUI on a pty (through
// script(1), as a user's terminal would run them) and checks that they
// write no terminal query: no OSC 11 background-colour request and no
// cursor-position request, which bubbletea's package init would send (see
// internal/termquiet) and which stall a pty that does not answer for 5 s.
func TestNoTerminalQuery(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but script(1) is missing (apt-get install bsdutils): %v", err)
		}
		t.Skipf("script(1) is missing, the pty check cannot run: %v", err)
	}
	// testscript.Main put this test binary on PATH as mfpcheck.
	bin, err := exec.LookPath("mfpcheck")
	if err != nil {
		t.Fatal(err)
	}
	// termenv never asks when CI is set (as it is in .ci/run) or TERM is
	// dumb: the child runs as on a user's terminal.
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "CI" && k != "TERM" && k != "NO_COLOR" {
			env = append(env, kv)
		}
	}
	env = append(env, "TERM=xterm-256color")
	onPTY := func(command string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, scriptBin, "-q", "-c", command, "/dev/null")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("%s: still running after 30 s", command)
		}
		if err != nil {
			t.Logf("%s: %v", command, err)
		}
		return string(out)
	}
	if out := onPTY("test -t 1 && test -t 0 && echo on-a-tty"); !strings.Contains(out, "on-a-tty") {
		t.Fatalf("script(1) gives no terminal here: %q", out)
	}
	for _, args := range []string{"explain 535", "demo --scenario ok"} {
		out := onPTY(bin + " " + args)
		if !strings.Contains(out, "mfpcheck") && !strings.Contains(out, "535") {
			t.Errorf("%s: no report on the pty:\n%q", args, out)
		}
		for _, q := range []string{"\x1b]11;", "\x1b]10;", "\x1b[6n"} {
			if strings.Contains(out, q) {
				t.Errorf("%s: terminal query %q written:\n%q", args, q, out[:min(len(out), 200)])
			}
		}
	}
}
