package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestREADMECommandsTable holds README's commands table to the commands
// help lists: the same commands, in the same order, with the same usage
// lines. (What help prints is in testdata/script/help.txtar.)
func TestREADMECommandsTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `mfpcheck ((?:[^`])+)`")
	var got []string
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		got = append(got, strings.ReplaceAll(m[1], `\|`, "|"))
	}
	var want []string
	for _, c := range commands {
		want = append(want, c.usage)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README's commands table:\n%s\nwant (as help prints them):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFlagError(t *testing.T) {
	for in, want := range map[string]string{
		"flag provided but not defined: -nope":                 "unknown flag: --nope",
		"flag needs an argument: -format":                      "flag needs an argument: --format",
		`invalid value "x" for flag -timeout: parse error`:     `invalid value "x" for flag --timeout: parse error`,
		`invalid boolean value "maybe" for -json: parse error`: `invalid boolean value "maybe" for --json: parse error`,
		"flag needs an argument: -o":                           "flag needs an argument: -o",
	} {
		if got := flagError(errorString(in)); got != want {
			t.Errorf("flagError(%q) = %q, want %q", in, got, want)
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// TestREADMEExitCodes holds README's exit code table to the constants the
// commands return (exitcodes.txtar shows each one happen).
func TestREADMEExitCodes(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Exit codes\n")
	if !ok {
		t.Fatal(`README has no "## Exit codes" section`)
	}
	row := regexp.MustCompile(`(?m)^\| (\d) \| ([^|]+)`)
	got := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		got[m[1]] = m[2]
	}
	for code, meaning := range map[int]string{ExitOK: "ok", ExitWarning: "warning", ExitFail: "failure", ExitError: "could not run"} {
		if !strings.Contains(got[strconv.Itoa(code)], meaning) {
			t.Errorf("README's exit code %d reads %q, want it to say %q", code, got[strconv.Itoa(code)], meaning)
		}
	}
	if len(got) != 4 {
		t.Errorf("README's exit code table has %d codes, want 4: %v", len(got), got)
	}
}
