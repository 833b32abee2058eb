//go:build unix

package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/token"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/netns"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

// sigBound is how long a command may take to end after Ctrl-C or SIGTERM.
// Generous for a loaded CI machine; a command that ignores the signal runs
// for its whole ten-minute budget, or for ever.
const sigBound = 15 * time.Second

// TestSignalsEndEveryCommand runs the real binary (testscript.Main puts it
// in PATH as "mfpcheck"), lets each command block where a user would meet
// it blocked — explain - on a standard input that never ends, probe and
// batch on a server that never speaks, token --refresh on a token endpoint
// that never answers — then sends SIGINT or SIGTERM: each ends well
// within sigBound, by itself, with a non-zero exit code and not killed by
// the signal.
func TestSignalsEndEveryCommand(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("mfpcheck")
	if err != nil {
		t.Fatalf("mfpcheck not in PATH (testscript.Main puts it there): %v", err)
	}
	silent, err := hostile.Silent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	ep := hostile.SilentTokenEndpoint()
	t.Cleanup(ep.Close)
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "token.json")
	os.WriteFile(tokFile, []byte(`{"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.","refresh_token":"0.AXoA-refresh-token-value","token_type":"Bearer"}`), 0o600)
	fleet := filepath.Join(dir, "fleet.yaml")
	os.WriteFile(fleet, []byte("devices:\n  - device: {name: a, vendor: epson}\n    email: {service: other, auth_method: none}\n    smtp: {server: 127.0.0.1, port: "+
		strings.TrimPrefix(silent.Addr(), "127.0.0.1:")+", security: starttls}\n"), 0o644)

	long := []string{"--timeout", "10m"}
	// device: IPP to a printer that accepts and never answers; SNMP (IPP
	// refused) to an agent that never answers.
	snmp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { snmp.Close() })
	refusedAddr := "127.0.0.1:" + strconv.Itoa(testtool.RefusedPort(t))
	snmpPort := strconv.Itoa(snmp.LocalAddr().(*net.UDPAddr).Port)
	// sheet --print to the silent printer: a saved report to print.
	rep := filepath.Join(dir, "report.json")
	if out, err := exec.Command(bin, "demo", "--scenario", "ok", "--json").Output(); len(out) == 0 {
		t.Fatalf("demo --json: %v", err)
	} else {
		os.WriteFile(rep, out, 0o644)
	}
	// batch --tenant-check with expired admin tokens: the refresh at start
	// waits on the silent token endpoint.
	admin := filepath.Join(dir, "admin")
	os.Mkdir(admin, 0o700)
	for _, f := range []string{exchangeTokenFile, graphTokenFile} {
		if err := token.Save(filepath.Join(admin, f), &token.Set{Access: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.", Refresh: "0.AXoA-admin-refresh", Expiry: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name        string
		args        []string
		interrupted bool // exit 3 (ExitError) is the only right code
	}{
		{"explain - waiting on stdin", []string{"explain", "-"}, false},
		{"probe on a silent server", append([]string{"probe", silent.Addr(), "--phase-timeout", "10m"}, long...), true},
		{"batch on a silent server", append([]string{"batch", fleet}, long...), true},
		{"token --refresh on a silent endpoint", []string{"token", "--token-file", tokFile, "--refresh", "--client-id", "00000000-0000-0000-0000-000000000001", "--authority", ep.URL}, false},
		{"device on a silent IPP printer", append([]string{"device", silent.Addr()}, long...), true},
		{"device on a silent SNMP agent", append([]string{"device", refusedAddr, "--snmp-port", snmpPort}, long...), true},
		{"sheet --print on a silent printer", append([]string{"sheet", "--from", rep, "-o", filepath.Join(dir, "sheet.pdf"), "--force", "--print", "ipp://" + silent.Addr() + "/ipp/print"}, long...), true},
		{"batch --tenant-check on a silent token endpoint", append([]string{"batch", fleet, "--tenant-check", "--admin-tokens", admin, "--tenant", "contoso.onmicrosoft.com", "--authority", ep.URL}, long...), true},
	}
	// The runs wait (on the signal's effect), so they overlap, two at a
	// time: few enough that each still reaches its blocking step within
	// the second before its signal on a loaded machine.
	slots := make(chan struct{}, 2)
	for _, c := range cases {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(c.name+" "+sig.String(), func(t *testing.T) {
				t.Parallel()
				slots <- struct{}{}
				defer func() { <-slots }()
				code, out := interruptRun(t, bin, c.args, sig)
				if code == ExitOK {
					t.Errorf("exit 0 after %s\n%s", sig, out)
				}
				// probe, batch, device, sheet --print and batch
				// --tenant-check: nothing is known of the server, the
				// printer or the tenant, exit 3, never a failure blamed on
				// them (2).
				if c.interrupted && code != ExitError {
					t.Errorf("exit %d after %s, want %d (interrupted)\n%s", code, sig, ExitError, out)
				}
			})
		}
	}
}

// interruptRun runs the real binary with args, lets it reach its blocking
// step, sends sig, and returns its exit code and output; it fails t when
// the command ends before the signal, is still running sigBound after it,
// or was killed by it.
func interruptRun(t *testing.T, bin string, args []string, sig syscall.Signal) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// A standard input that never ends: the write end stays open.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cmd.Stdin = r
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Let it reach the blocking step.
	select {
	case err := <-done:
		t.Fatalf("ended before the signal: %v\n%s", err, out.String())
	case <-time.After(time.Second):
	}
	sent := time.Now()
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(sigBound):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running %s after %s\n%s", sigBound, sig, out.String())
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		t.Fatalf("killed by %s instead of ending by itself", ws.Signal())
	}
	t.Logf("ended %s after %s, exit %d", time.Since(sent).Round(time.Millisecond), sig, cmd.ProcessState.ExitCode())
	return cmd.ProcessState.ExitCode(), out.String()
}

// TestSignalsEndDiscover: "mfpcheck discover --timeout 10m" listening on
// the only link there is (loopback with multicast, in a private network
// namespace: no query leaves this computer) ends at SIGINT or SIGTERM with
// exit 3 (interrupted).
func TestSignalsEndDiscover(t *testing.T) {
	t.Parallel()
	if !netns.InNamespace(t, "discover on a private link", nil, "") {
		return
	}
	for _, args := range [][]string{
		{"link", "set", "lo", "up"}, {"link", "set", "lo", "multicast", "on"},
		{"route", "add", "224.0.0.0/4", "dev", "lo", "src", "127.0.0.1"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	bin, err := exec.LookPath("mfpcheck")
	if err != nil {
		t.Fatalf("mfpcheck not in PATH (testscript.Main puts it there): %v", err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if code, out := interruptRun(t, bin, []string{"discover", "--timeout", "10m"}, sig); code != ExitError {
			t.Errorf("exit %d after %s, want %d (interrupted)\n%s", code, sig, ExitError, out)
		}
	}
}
