package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
)

const explainUsage = `Usage: mfpcheck explain CODE | "REPLY TEXT" | AADSTSnnnnn | - [flags]

Explains an Exchange Online reply, a reply code, a device job code or token
state, an AADSTS code or an OAuth error; "-" reads a transcript or device
log from standard input and explains every failure in it.

Flags:
  --vendor epson|ricoh|sharp   add the device's own menu steps (nashuatec = ricoh)
  --lang en|de|fr              language (default from LC_ALL, LC_MESSAGES, LANG)
  --json                       print a JSON array of findings
`

// cmdExplain runs "mfpcheck explain". Exit codes: ExitOK when something was
// explained, ExitError on usage errors or when nothing in the input could
// be read.
func (a *app) cmdExplain(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vendor := fs.String("vendor", "", "")
	lang := fs.String("lang", "", "")
	asJSON := fs.Bool("json", false, "")
	help := fs.Bool("help", false, "")
	fs.BoolVar(help, "h", false, "")
	// Flags may follow the input: parse flags and positionals in turn.
	var inputs []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			a.errorf("explain: %v", err)
			a.hintf("run \"mfpcheck explain --help\"")
			return ExitError
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		inputs = append(inputs, rest[0])
		rest = rest[1:]
	}
	if *help {
		fmt.Fprint(a.stdout, explainUsage)
		return ExitOK
	}
	if len(inputs) == 0 {
		a.errorf("explain: nothing to explain")
		a.hintf("give a reply line, a code such as 535 or 5.7.139, an AADSTS code, or - to read stdin")
		return ExitError
	}
	if *vendor != "" && diagnose.NormVendor(*vendor) == "" {
		a.errorf("explain: unknown vendor %q", *vendor)
		a.hintf("use epson, ricoh (or nashuatec) or sharp")
		return ExitError
	}
	if *lang != "" && !knownLang(*lang) {
		a.errorf("explain: unknown language %q", *lang)
		a.hintf("use en, de or fr")
		return ExitError
	}
	l := *lang
	if l == "" {
		l = a.envLang()
	}
	var input string
	if len(inputs) == 1 && inputs[0] == "-" {
		b, err := io.ReadAll(io.LimitReader(a.stdin, diagnose.MaxExplainInput))
		if err != nil {
			a.errorf("explain: read stdin: %v", err)
			return ExitError
		}
		input = string(b)
	} else {
		input = strings.Join(inputs, " ")
	}
	opts := diagnose.Options{Lang: l, Vendor: *vendor}
	findings := diagnose.Explain(input, opts)
	if len(findings) == 0 {
		a.errorf("explain: nothing in the input could be read as a reply, code, AADSTS error or device state")
		a.hintf("paste the whole reply line, e.g. \"535 5.7.139 Authentication unsuccessful, ...\"")
		return ExitError
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(findings); err != nil {
			a.errorf("explain: %v", err)
			return ExitError
		}
		return ExitOK
	}
	color := a.stdoutTTY && a.getenv("NO_COLOR") == ""
	writeFindings(a.stdout, findings, diagnose.NormLang(l), *vendor, color)
	return ExitOK
}

func knownLang(l string) bool {
	switch strings.ToLower(l) {
	case "en", "de", "fr":
		return true
	}
	return false
}

// envLang picks the language from LC_ALL, then LC_MESSAGES, then LANG, as
// POSIX orders them ("de_DE.UTF-8" → de, "fr_CA" → fr, anything else en).
func (a *app) envLang() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := a.getenv(k); v != "" {
			return diagnose.NormLang(v)
		}
	}
	return "en"
}

// writeFindings prints findings as prose. All words come from the
// catalogue and its labels; this only lays them out.
func writeFindings(w io.Writer, findings []diag.Finding, lang, vendor string, color bool) {
	label := func(k string) string { return diagnose.Label(lang, k) }
	sev := func(s diag.Severity) string {
		t := label("severity." + string(s))
		if !color {
			return t
		}
		switch s {
		case diag.SeverityError:
			return "\x1b[1;31m" + t + "\x1b[0m"
		case diag.SeverityWarning:
			return "\x1b[1;33m" + t + "\x1b[0m"
		}
		return "\x1b[1;36m" + t + "\x1b[0m"
	}
	for i, f := range findings {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: %s  [%s]\n", sev(f.Severity), f.Title, f.ID)
		if f.Generic {
			fmt.Fprintf(w, "  (%s)\n", label("note.generic"))
		}
		if len(f.Alternatives) > 0 {
			fmt.Fprintf(w, "  (%s)\n", label("note.ambiguous"))
		}
		fmt.Fprintf(w, "\n%s:\n  %s\n", label("heading.cause"), f.Cause)
		if len(f.Steps) > 0 {
			fmt.Fprintf(w, "\n%s:\n", label("heading.steps"))
			for n, s := range f.Steps {
				where := ""
				if s.Where != "" {
					where = " (" + label("where."+s.Where) + ")"
				}
				fmt.Fprintf(w, "  %d. %s%s\n", n+1, s.Text, where)
				if s.Command != "" {
					fmt.Fprintf(w, "       %s\n", s.Command)
				}
			}
		}
		if len(f.Where) > 0 {
			var names []string
			for _, p := range f.Where {
				names = append(names, label("where."+p))
			}
			fmt.Fprintf(w, "\n%s: %s\n", label("heading.where"), strings.Join(names, "; "))
		}
		if f.Delay != "" {
			fmt.Fprintf(w, "%s: %s\n", label("heading.delay"), f.Delay)
		}
		if len(f.Alternatives) > 0 {
			fmt.Fprintf(w, "\n%s:\n", label("heading.alternatives"))
			for _, id := range f.Alternatives {
				alt := diagnose.Localize(diag.Finding{ID: id}, diagnose.Options{Lang: lang, Vendor: vendor})
				fmt.Fprintf(w, "  - %s  [%s]\n", alt.Title, id)
			}
		}
		if len(f.Sources) > 0 {
			fmt.Fprintf(w, "%s: %s\n", label("heading.sources"), strings.Join(f.Sources, ", "))
		}
		if len(f.Evidence) > 0 {
			fmt.Fprintf(w, "%s:\n", label("heading.evidence"))
			for _, ev := range f.Evidence {
				fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(ev, "\n", "\n  "))
			}
		}
	}
}
