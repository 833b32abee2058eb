package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

// The CLI's promises are written down as scripts in testdata/script/*.txtar,
// run by testscript (as age does): "exec mfpcheck ..." runs this test binary
// as the real mfpcheck, in its own process with its own exit code, stdout
// and stderr. A reader finds there what every command prints and exits
// with; the Go tests beside this file test the pieces underneath.
//
// Scripts only ever talk to loopback: the simulators they start (the "sim"
// command below, or "mfpcheck demo") listen on 127.0.0.1, and no script
// names a host outside it.

func TestMain(m *testing.M) {
	testscript.Main(waitingTests{m}, map[string]func(){
		"mfpcheck": main,
	})
}

// waitingTests runs this package's tests with more of its parallel tests
// at once than go test's default: they wait on signals, scrapes, mDNS
// answers, pipes' readers and simulators, not on the CPU.
type waitingTests struct{ m *testing.M }

func (w waitingTests) Run() int { return testtool.Waiting(w.m) }

func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(e *testscript.Env) error {
			// Scripts guard PDF text checks with [exec:pdftotext]; in CI
			// (which installs poppler-utils) a missing tool is a failure.
			if _, err := exec.LookPath("pdftotext"); err != nil && os.Getenv("CI") == "true" {
				return fmt.Errorf("CI=true but pdftotext is missing (apt-get install poppler-utils): %v", err)
			}
			sims := &scriptSims{}
			e.Values[simsKey{}] = sims
			e.Defer(sims.closeAll)
			// The scripts check the CLI in English without colour,
			// whatever the machine running the tests is set to.
			e.Setenv("NO_COLOR", "1")
			// Under -race every mfpcheck run would sleep a second before
			// exiting (the race detector's default atexit_sleep_ms), which
			// makes the scripts' few hundred runs take minutes.
			e.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			// Certificates: the system roots plus the CAs of the
			// simulators the script starts ("sim" appends to this file).
			e.Setenv("SSL_CERT_FILE", filepath.Join(e.WorkDir, "sim-roots.pem"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":    cmdExits,
			"sim":      cmdSim,
			"simtoken": cmdSimToken,
			"json":     cmdJSON,
			"waitfile": cmdWaitFile,
			"envfile":  cmdEnvFile,
		},
	})
}

// cmdExits runs a command and asserts its exit code, which testscript's
// "! exec" leaves open:
//
//	exits N COMMAND [ARGS...]
//
// stdout and stderr then apply to it as after exec. N is one of the exit
// codes in main.go (ExitOK 0, ExitWarning 1, ExitFail 2, ExitError 3).
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < ExitOK || want > ExitError {
		ts.Fatalf("exits %s: not an exit code (%d to %d)", args[0], ExitOK, ExitError)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

type simsKey struct{}

// scriptSims are the simulators one script started, by name.
type scriptSims struct {
	byName map[string]*exosim.Sim
}

func (s *scriptSims) closeAll() {
	for _, sim := range s.byName {
		sim.Close()
	}
}

func simsOf(ts *testscript.TestScript) *scriptSims {
	return ts.Value(simsKey{}).(*scriptSims)
}

// cmdSim starts a simulated Exchange Online device for the rest of the
// script, as "mfpcheck demo --serve --dir NAME" would:
//
//	sim NAME SCENARIO
//
// NAME/ then holds profile.yaml, ca.pem and (OAuth scenarios) token.json;
// $NAME_SMTP is the SMTP address (127.0.0.1:port); the simulator's CA is
// added to $SSL_CERT_FILE, so a fleet of simulated devices verifies its
// certificates without --ca; $MFPCHECK_PASSWORD holds the password of
// basic-auth devices (all simulators of a script share the last one's).
func cmdSim(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sim")
	}
	if len(args) != 2 {
		ts.Fatalf("usage: sim NAME SCENARIO")
	}
	name, scenario := args[0], args[1]
	sims := simsOf(ts)
	if sims.byName == nil {
		sims.byName = map[string]*exosim.Sim{}
	}
	if sims.byName[name] != nil {
		ts.Fatalf("sim %s: already started", name)
	}
	dir := ts.MkAbs(name)
	ts.Check(os.MkdirAll(dir, 0o755))
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: scenario, Dir: dir, POP3: true})
	ts.Check(err)
	sims.byName[name] = sim
	_, err = sim.WriteKit()
	ts.Check(err)
	ca, err := os.ReadFile(sim.CAFile())
	ts.Check(err)
	roots, err := os.OpenFile(ts.Getenv("SSL_CERT_FILE"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	ts.Check(err)
	_, err = roots.Write(ca)
	ts.Check(err)
	ts.Check(roots.Close())
	ts.Setenv(name+"_SMTP", sim.SMTPAddr())
	if sim.Password() != "" {
		ts.Setenv(exosim.PasswordEnv, sim.Password())
	}
	ts.Logf("sim %s: scenario %s on %s", name, scenario, sim.SMTPAddr())
}

// cmdSimToken writes a token minted by a running simulator:
//
//	simtoken NAME KIND FILE
//
// KIND is one of exosim's token kinds (good, expired, graph, no-scope,
// wrong-user, app-only); the file is golang.org/x/oauth2 token JSON with a
// refresh token, mode 0600.
func cmdSimToken(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! simtoken")
	}
	if len(args) != 3 {
		ts.Fatalf("usage: simtoken NAME KIND FILE")
	}
	sim := simsOf(ts).byName[args[0]]
	if sim == nil {
		ts.Fatalf("simtoken: no simulator %q (start it with sim %s SCENARIO)", args[0], args[0])
	}
	ts.Check(sim.WriteToken(ts.MkAbs(args[2]), exosim.TokenKind(args[1])))
}

// cmdJSON asserts a value in the JSON on stdout of the last exec:
//
//	json PATH [VALUE]
//
// PATH is dot-separated: a key, key[N] (an array element) or
// key[field=value] (the first array element whose field has that value),
// e.g. phases[name=auth].status. Without VALUE the path must exist; with
// it, the value (strings bare, numbers and booleans as JSON writes them)
// must equal VALUE. "! json PATH" asserts the path does not exist.
func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 || (neg && len(args) == 2) {
		ts.Fatalf("usage: json PATH [VALUE] | ! json PATH")
	}
	var doc any
	if err := json.Unmarshal([]byte(ts.ReadFile("stdout")), &doc); err != nil {
		ts.Fatalf("stdout is not JSON: %v", err)
	}
	v, err := jsonPath(doc, args[0])
	switch {
	case neg && err == nil:
		ts.Fatalf("json %s: present (%v), want absent", args[0], v)
	case neg:
		return
	case err != nil:
		ts.Fatalf("json %s: %v", args[0], err)
	}
	if len(args) == 2 {
		got := jsonScalar(v)
		if got != args[1] {
			ts.Fatalf("json %s = %q, want %q", args[0], got, args[1])
		}
	}
}

// jsonPath follows path (see cmdJSON) through doc.
func jsonPath(doc any, path string) (any, error) {
	v := doc
	for _, seg := range splitPath(path) {
		key, sel, hasSel := strings.Cut(seg, "[")
		if key != "" {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: not an object", key)
			}
			if v, ok = m[key]; !ok {
				return nil, fmt.Errorf("no %q", key)
			}
		}
		if !hasSel {
			continue
		}
		sel = strings.TrimSuffix(sel, "]")
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: not an array", seg)
		}
		field, want, byField := strings.Cut(sel, "=")
		if !byField {
			i, err := strconv.Atoi(sel)
			if err != nil || i < 0 || i >= len(arr) {
				return nil, fmt.Errorf("%s: no element %s (length %d)", seg, sel, len(arr))
			}
			v = arr[i]
			continue
		}
		found := false
		for _, el := range arr {
			if m, ok := el.(map[string]any); ok && jsonScalar(m[field]) == want {
				v, found = el, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: no element with %s = %q", seg, field, want)
		}
	}
	return v, nil
}

// splitPath splits a path at the dots outside brackets, so a selector may
// hold a dotted value (findings[id=smtp.auth.tenant_disabled]).
func splitPath(path string) []string {
	var segs []string
	depth, start := 0, 0
	for i, c := range path {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				segs = append(segs, path[start:i])
				start = i + 1
			}
		}
	}
	return append(segs, path[start:])
}

// jsonScalar is v as the scripts write it: strings bare, anything else as
// JSON.
func jsonScalar(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// cmdWaitFile waits until FILE exists and is not empty, for a command
// started in the background ("exec mfpcheck demo --serve ... &") to get
// ready:
//
//	waitfile FILE
//
// It gives up after waitFileLimit: a generous bound for a loaded machine,
// never reached when things work.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(waitFileLimit)
	for {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile %s: not there after %s", args[0], waitFileLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const waitFileLimit = 20 * time.Second

// cmdEnvFile sets the script's environment from KEY=VALUE lines (the
// address file "demo --serve" writes):
//
//	envfile FILE
func cmdEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: envfile FILE")
	}
	for _, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && k != "" {
			ts.Setenv(k, v)
		}
	}
}
