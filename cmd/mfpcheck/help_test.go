package main

import (
	"os"
	"regexp"
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
