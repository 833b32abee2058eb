package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
)

// FindingOptions control how findings are printed.
type FindingOptions struct {
	Lang   string // en | de | fr
	Vendor string // the device maker, for the titles of alternatives
	Color  bool
}

// Findings prints findings as prose with numbered steps. All words come
// from the catalogue and its labels; this only lays them out.
func Findings(w io.Writer, findings []diag.Finding, o FindingOptions) {
	lang, vendor, color := diagnose.NormLang(o.Lang), o.Vendor, o.Color
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
		if f.Side != "" {
			fmt.Fprintf(w, "%s: %s\n", label("heading.side"), label("side."+f.Side))
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
