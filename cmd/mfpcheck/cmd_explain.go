package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/render"
)

// cmdExplain runs "mfpcheck explain". Exit codes: ExitOK when something was
// explained, ExitError on usage errors or when nothing in the input could
// be read.
func (a *app) cmdExplain(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	vendor := fs.String("vendor", "", "add the device's own menu steps: epson | ricoh | sharp | other (nashuatec = ricoh; other: none)")
	lang := fs.String("lang", "", "language: en | de | fr (default from LC_ALL/LC_MESSAGES/LANG)")
	asJSON := fs.Bool("json", false, "print a JSON array of findings")
	inputs, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	if !a.explainFlagsOK(inputs, *vendor, *lang) {
		return ExitError
	}
	l := a.lang(*lang)
	input, ok := a.explainInput(ctx, inputs)
	if !ok {
		return ExitError
	}
	findings := diagnose.ExplainText(input, diagnose.Options{Lang: l, Vendor: *vendor})
	if len(findings) == 0 {
		a.errorf("explain: nothing in the input could be read as a reply, code, AADSTS error or device state")
		a.hintf("paste the whole reply line, e.g. \"535 5.7.139 Authentication unsuccessful, ...\"")
		return ExitError
	}
	// Evidence quotes the pasted text: outside text, sanitized once here.
	redact.Scrub(&findings, a.secrets())
	if *asJSON {
		return a.emitJSON("explain", findings)
	}
	render.Findings(a.stdout, findings, render.FindingOptions{Lang: l, Vendor: *vendor, Color: a.color()})
	return ExitOK
}

// explainFlagsOK checks explain's arguments, vendor and language, saying
// what is wrong when one is.
func (a *app) explainFlagsOK(inputs []string, vendor, lang string) bool {
	if len(inputs) == 0 {
		a.errorf("explain: nothing to explain")
		a.hintf("give a reply line, a code such as 535 or 5.7.139, an AADSTS code, or - to read stdin")
		return false
	}
	if !diagnose.KnownVendor(vendor) {
		a.errorf("explain: unknown vendor %q", vendor)
		a.hintf("use epson, ricoh (or nashuatec), sharp or other")
		return false
	}
	return a.langFlagOK("explain", lang)
}

// explainInput is the text to explain: stdin when the one argument is -,
// else the arguments joined by spaces.
func (a *app) explainInput(ctx context.Context, inputs []string) (string, bool) {
	if len(inputs) != 1 || inputs[0] != "-" {
		return strings.Join(inputs, " "), true
	}
	b, err := readAllContext(ctx, io.LimitReader(a.stdin, diagnose.MaxExplainInput))
	if err != nil {
		a.errorf("explain: read stdin: %v", err)
		return "", false
	}
	return string(b), true
}

func knownLang(l string) bool {
	switch strings.ToLower(l) {
	case "en", "de", "fr":
		return true
	}
	return false
}

// readAllContext reads r to its end, or returns ctx's error as soon as ctx
// ends (Ctrl-C, SIGTERM) even while a read is blocked: a terminal or a
// pipe that never sends EOF cannot hold the command. The blocked read is
// left to the process's exit.
func readAllContext(ctx context.Context, r io.Reader) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(r)
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		return res.b, res.err
	case <-ctx.Done():
		return nil, fmt.Errorf("stopped before the end of the input: %w", context.Cause(ctx))
	}
}
