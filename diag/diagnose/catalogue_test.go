package diagnose

import (
	"slices"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestCatalogueLoads fails on any parse error, repeated id or alternative
// naming no entry, in any catalogue file (the teammates' included).
func TestCatalogueLoads(t *testing.T) {
	if err := CatalogueError(); err != nil {
		t.Fatalf("catalogue: %v", err)
	}
	if n := len(cat().entries); n < 60 {
		t.Fatalf("catalogue has %d entries, want the full set (>= 60)", n)
	}
}

// TestCatalogueComplete checks every entry of every embedded file for the
// contract: severity, where, sources, en/de/fr each with title, cause and
// at least one step, known places and placeholders, the same placeholders
// in every language, and German/French texts that are not the English.
func TestCatalogueComplete(t *testing.T) {
	for _, e := range cat().entries {
		t.Run(e.ID, func(t *testing.T) {
			switch e.Severity {
			case report.SeverityInfo, report.SeverityWarning, report.SeverityError:
			default:
				t.Errorf("severity %q", e.Severity)
			}
			if !slices.Contains(Sides, e.Side) {
				t.Errorf("side %q: give the entry a side (one of %v) or its file a default in fileSides", e.Side, Sides)
			}
			if len(e.Where) == 0 {
				t.Error("no where")
			}
			for _, w := range e.Where {
				if !slices.Contains(Places, w) {
					t.Errorf("unknown place %q", w)
				}
			}
			if len(e.Sources) == 0 {
				t.Error("no sources")
			}
			if e.Match != nil && e.Match.Protocol != "" && !slices.Contains(Protocols, e.Match.Protocol) {
				t.Errorf("unknown protocol %q", e.Match.Protocol)
			}
			en := e.Text["en"]
			var enSet []string
			for _, lang := range Languages {
				tx := e.Text[lang]
				if tx == nil {
					t.Errorf("%s: missing", lang)
					continue
				}
				if strings.TrimSpace(tx.Title) == "" || strings.TrimSpace(tx.Cause) == "" {
					t.Errorf("%s: title or cause empty", lang)
				}
				if len(tx.Steps) == 0 {
					t.Errorf("%s: no steps", lang)
				}
				all := []string{tx.Title, tx.Cause, tx.Delay}
				for _, s := range tx.Steps {
					if strings.TrimSpace(s.Text) == "" {
						t.Errorf("%s: empty step", lang)
					}
					if s.Where != "" && !slices.Contains(Places, s.Where) {
						t.Errorf("%s: step place %q", lang, s.Where)
					}
					all = append(all, s.Text, s.Command)
				}
				set := placeholdersIn(t, lang, all...)
				if lang == "en" {
					enSet = set
				} else if !slices.Equal(set, enSet) {
					t.Errorf("%s uses placeholders %v, en uses %v", lang, set, enSet)
				}
				if lang != "en" && en != nil {
					if tx.Title == en.Title {
						t.Errorf("%s title is the English one", lang)
					}
					if tx.Cause == en.Cause {
						t.Errorf("%s cause is the English one", lang)
					}
					if tx.Delay != "" && tx.Delay == en.Delay {
						t.Errorf("%s delay is the English one", lang)
					}
					for i, s := range tx.Steps {
						if i < len(en.Steps) && s.Text == en.Steps[i].Text {
							t.Errorf("%s step %d is the English one", lang, i+1)
						}
					}
				}
			}
			for vendor, byLang := range e.VendorSteps {
				if !slices.Contains(Vendors, vendor) {
					t.Errorf("unknown vendor %q", vendor)
				}
				for _, lang := range Languages {
					steps := byLang[lang]
					if len(steps) == 0 {
						t.Errorf("vendor %s: no %s steps", vendor, lang)
					}
					for i, s := range steps {
						placeholdersIn(t, lang, s.Text, s.Command)
						if lang != "en" && i < len(byLang["en"]) && s.Text == byLang["en"][i].Text {
							t.Errorf("vendor %s: %s step %d is the English one", vendor, lang, i+1)
						}
					}
				}
			}
		})
	}
}

// placeholdersIn returns the sorted set of placeholders in texts and fails
// on unknown ones.
func placeholdersIn(t *testing.T, lang string, texts ...string) []string {
	t.Helper()
	var set []string
	for _, s := range texts {
		for _, m := range placeholderRe.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(Placeholders, m[1]) {
				t.Errorf("%s: unknown placeholder {%s}", lang, m[1])
			}
			if !slices.Contains(set, m[1]) {
				set = append(set, m[1])
			}
		}
	}
	slices.Sort(set)
	return set
}

// TestRuleIDsExist makes sure every id the Go rules raise is in the
// catalogue.
func TestRuleIDsExist(t *testing.T) {
	for _, id := range ruleIDs {
		if cat().byID[id] == nil {
			t.Errorf("rule id %q is not a catalogue entry", id)
		}
	}
}

// TestLabelsComplete checks that every label key exists in every language
// and that every place and placeholder has one.
func TestLabelsComplete(t *testing.T) {
	l, err := loadLabels()
	if err != nil {
		t.Fatal(err)
	}
	for key := range l["en"] {
		for _, lang := range Languages {
			if _, ok := l[lang][key]; !ok {
				t.Errorf("%s: label %q missing", lang, key)
			}
		}
	}
	for _, p := range Places {
		if _, ok := l["en"]["where."+p]; !ok {
			t.Errorf("no label for place %q", p)
		}
	}
	for _, s := range Sides {
		if _, ok := l["en"]["side."+s]; !ok {
			t.Errorf("no label for side %q", s)
		}
	}
	for _, p := range Placeholders {
		if _, ok := l["en"]["placeholder."+p]; !ok {
			t.Errorf("no stand-in for placeholder {%s}", p)
		}
	}
}
