package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSheetIntoNamedPipe: -o naming a named pipe writes the sheet when a
// reader comes, however late within --timeout (no fixed wait of its own);
// a reader that never comes, or never reads, ends the command at
// --timeout; Ctrl-C ends the wait at once. The pipe is never replaced.
func TestSheetIntoNamedPipe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep := sheetReport(t, dir, nil)
	fifo := filepath.Join(dir, "pipe.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	isPipe := func() {
		t.Helper()
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Fatalf("the named pipe was replaced: %v", err)
		}
	}

	// A reader that comes 4 s later (the old fixed wait was 3 s).
	got := make(chan []byte, 1)
	time.AfterFunc(4*time.Second, func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	})
	a := newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", fifo, "--timeout", "15s"); code != ExitOK {
		t.Fatalf("late reader: exit %d\n%s", code, a.err)
	}
	if b := <-got; !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Errorf("the late reader got %d bytes, not a whole PDF", len(b))
	}
	isPipe()

	// A reader that opens the pipe and never reads: the sheet is larger
	// than the pipe's buffer, so the write waits, until --timeout.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The smallest pipe buffer (a page; Linux F_SETPIPE_SZ = 1031): the
	// sheet, some 10 KiB and more, does not fit.
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, r.Fd(), 1031, 4096); errno != 0 {
		t.Fatalf("F_SETPIPE_SZ: %v", errno)
	}
	a = newTestApp(nil)
	code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", fifo, "--timeout", "1s")
	if code != ExitError || !strings.Contains(a.err.String(), "did not take the sheet within 1s") {
		t.Errorf("reader that does not read: exit %d\n%s", code, a.err)
	}
	r.Close()
	isPipe()

	// No reader, Ctrl-C: ends at once with exit 3.
	a = newTestApp(nil)
	if code := runInterrupted(t, a, "sheet", "--from", rep, "-o", fifo, "--timeout", "10m"); code != ExitError ||
		!strings.Contains(a.err.String(), "interrupted") {
		t.Errorf("interrupted: exit %d\n%s", code, a.err)
	}
	isPipe()
}

// runInterrupted runs the CLI, cancels its context (Ctrl-C) after a
// moment, and fails the test if the command does not end within hfBound.
func runInterrupted(t *testing.T, a *testApp, args ...string) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- a.app.run(ctx, args) }()
	time.AfterFunc(300*time.Millisecond, cancel)
	select {
	case code := <-done:
		return code
	case <-time.After(hfBound):
		t.Fatalf("mfpcheck %s did not end when interrupted", strings.Join(args, " "))
		return -1
	}
}
