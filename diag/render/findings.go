package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// FindingOptions control how findings are printed.
type FindingOptions struct {
	Lang   string // en | de | fr
	Vendor string // the device maker, for the titles of alternatives
	Color  bool
	// BriefInfo prints info findings as their title and cause only: in a
	// report they add context, not work to do.
	BriefInfo bool
}

// StepPlace is where a step is done, in lang, or "" when the step's text
// already names the place or the place is unspecific ("other").
func StepPlace(lang string, s report.Step) string {
	if s.Where == "" {
		return ""
	}
	place := diagnose.Label(lang, "where."+s.Where)
	if place == "" || strings.Contains(strings.ToLower(s.Text), strings.ToLower(place)) {
		return ""
	}
	return place
}

// Findings prints findings as prose with numbered steps. All words come
// from the catalogue and its labels; this only lays them out.
func Findings(w io.Writer, findings []report.Finding, o FindingOptions) {
	lang, vendor, color := diagnose.NormLang(o.Lang), o.Vendor, o.Color
	label := func(k string) string { return diagnose.Label(lang, k) }
	heading := func(k string) string { return diagnose.Colon(lang, label(k)) }
	sev := func(s report.Severity) string {
		t := diagnose.Colon(lang, label("severity."+string(s)))
		if !color {
			return t
		}
		switch s {
		case report.SeverityError:
			return "\x1b[1;31m" + t + "\x1b[0m"
		case report.SeverityWarning:
			return "\x1b[1;33m" + t + "\x1b[0m"
		}
		return "\x1b[1;36m" + t + "\x1b[0m"
	}
	for i, f := range findings {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s %s  [%s]\n", sev(f.Severity), f.Title, f.ID)
		if o.BriefInfo && f.Severity == report.SeverityInfo {
			fmt.Fprintf(w, "  %s\n", f.Cause)
			continue
		}
		if f.Generic {
			fmt.Fprintf(w, "  (%s)\n", label("note.generic"))
		}
		if len(f.Alternatives) > 0 {
			fmt.Fprintf(w, "  (%s)\n", label("note.ambiguous"))
		}
		if side := i18n.Side(lang, f.Side, f.Sides); side != "" {
			fmt.Fprintf(w, "%s %s\n", heading("heading.side"), side)
		}
		fmt.Fprintf(w, "\n%s\n  %s\n", heading("heading.cause"), f.Cause)
		if len(f.Steps) > 0 {
			fmt.Fprintf(w, "\n%s\n", heading("heading.steps"))
			for n, s := range f.Steps {
				where := ""
				if p := StepPlace(lang, s); p != "" {
					where = " (" + p + ")"
				}
				fmt.Fprintf(w, "  %d. %s%s\n", n+1, s.Text, where)
				if s.Command != "" {
					fmt.Fprintf(w, "       %s\n", s.Command)
				}
			}
		}
		if names := unnamedPlaces(lang, f); len(names) > 0 {
			fmt.Fprintf(w, "\n%s %s\n", heading("heading.where"), strings.Join(names, "; "))
		}
		if f.Delay != "" {
			fmt.Fprintf(w, "\n%s %s\n", heading("heading.delay"), f.Delay)
		}
		if len(f.Alternatives) > 0 {
			fmt.Fprintf(w, "\n%s\n", heading("heading.alternatives"))
			for _, id := range f.Alternatives {
				alt := diagnose.Localize(report.Finding{ID: id}, diagnose.Options{Lang: lang, Vendor: vendor})
				if len(f.Sides) > 1 && alt.Side != "" {
					fmt.Fprintf(w, "  - %s (%s)  [%s]\n", alt.Title, label("side."+alt.Side), id)
					continue
				}
				fmt.Fprintf(w, "  - %s  [%s]\n", alt.Title, id)
			}
		}
		if len(f.Sources) > 0 {
			fmt.Fprintf(w, "%s %s\n", heading("heading.sources"), strings.Join(f.Sources, " · "))
		}
		if len(f.Evidence) > 0 {
			fmt.Fprintf(w, "%s\n", heading("heading.evidence"))
			for _, ev := range f.Evidence {
				fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(ev, "\n", "\n  "))
			}
		}
	}
}

// unnamedPlaces are the finding's places (f.Where) that none of its steps
// names, in lang: the steps already say where they are done.
func unnamedPlaces(lang string, f report.Finding) []string {
	var steps strings.Builder
	for _, s := range f.Steps {
		steps.WriteString(strings.ToLower(s.Text) + "\n")
		if s.Where != "" {
			steps.WriteString(strings.ToLower(diagnose.Label(lang, "where."+s.Where)) + "\n")
		}
	}
	var out []string
	for _, p := range f.Where {
		name := diagnose.Label(lang, "where."+p)
		if name != "" && !strings.Contains(steps.String(), strings.ToLower(name)) {
			out = append(out, name)
		}
	}
	return out
}
