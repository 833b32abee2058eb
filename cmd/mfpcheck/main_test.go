package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/hostport"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// testApp is an app whose output is captured, run exactly as from a shell.
type testApp struct {
	*app
	out, err *bytes.Buffer
	env      map[string]string
}

func newTestApp(env map[string]string) *testApp {
	out, errb := &bytes.Buffer{}, &bytes.Buffer{}
	if env == nil {
		env = map[string]string{}
	}
	t := &testApp{out: out, err: errb, env: env}
	t.app = &app{
		stdin:  strings.NewReader(""),
		stdout: out,
		stderr: errb,
		getenv: func(k string) string { return env[k] },
		now:    time.Now,
		// Never sleep through Entra's polling interval in a test.
		wait: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	}
	return t
}

// runCLI runs mfpcheck with args and returns the exit code.
func (t *testApp) runCLI(tb testing.TB, args ...string) int {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return t.app.run(ctx, args)
}

// report decodes a JSON report from stdout.
func (t *testApp) report(tb testing.TB) *report.Report {
	tb.Helper()
	var r report.Report
	if err := json.Unmarshal(t.out.Bytes(), &r); err != nil {
		tb.Fatalf("stdout is not a JSON report: %v\n%s", err, t.out.String())
	}
	if r.Schema != report.Schema {
		tb.Fatalf("schema = %q, want %q", r.Schema, report.Schema)
	}
	return &r
}

func TestVerdictExitCodes(t *testing.T) {
	for v, want := range map[report.Verdict]int{
		report.VerdictOK: ExitOK, report.VerdictWarning: ExitWarning,
		report.VerdictFail: ExitFail, report.VerdictError: ExitError, "": ExitError,
	} {
		if got := verdictExit(v); got != want {
			t.Errorf("verdictExit(%q) = %d, want %d", v, got, want)
		}
	}
}

func TestLangFromEnvironment(t *testing.T) {
	cases := []struct {
		env  map[string]string
		flag string
		want string
	}{
		{map[string]string{"LANG": "de_DE.UTF-8"}, "", "de"},
		{map[string]string{"LANG": "de_DE.UTF-8", "LC_ALL": "fr_CA.UTF-8"}, "", "fr"},
		{map[string]string{"LC_MESSAGES": "fr_FR", "LANG": "en_US"}, "", "fr"},
		{map[string]string{"LANG": "C"}, "", "en"},
		{map[string]string{"LANG": "de_DE"}, "fr", "fr"},
		{nil, "", "en"},
	}
	for _, c := range cases {
		a := newTestApp(c.env)
		if got := a.lang(c.flag); got != c.want {
			t.Errorf("lang(env %v, flag %q) = %q, want %q", c.env, c.flag, got, c.want)
		}
	}
}

func TestSplitTarget(t *testing.T) {
	cases := []struct {
		in   string
		host string
		port int
		bad  bool
	}{
		{"smtp.office365.com:587", "smtp.office365.com", 587, false},
		{"smtp.office365.com", "smtp.office365.com", 0, false},
		{"[::1]:2525", "::1", 2525, false},
		{"::1", "::1", 0, false},
		{"host:99999", "", 0, true},
		{"host:abc", "", 0, true},
	}
	for _, c := range cases {
		h, p, err := hostport.Split(c.in, 0)
		if (err != nil) != c.bad || h != c.host || p != c.port {
			t.Errorf("splitTarget(%q) = %q, %d, %v", c.in, h, p, err)
		}
	}
}
