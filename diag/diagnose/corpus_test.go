package diagnose

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"go.yaml.in/yaml/v3"
)

// corpusCase is one real-world input from testdata/corpus/*.yaml: an error
// line or log as someone pasted it in public, with its source, and what
// Explain must and must not answer.
type corpusCase struct {
	// Source is the public page the input was copied from (only the
	// error line or log, never anyone's prose). Cases built from a
	// documented reply, not a paste, name the document.
	Source string `yaml:"source"`
	Input  string `yaml:"input"`
	// Want is the id of the first finding.
	Want string `yaml:"want"`
	// IDs, when set, are all findings' ids in order.
	IDs []string `yaml:"ids"`
	// Alternatives must all be among the first finding's alternatives,
	// in this order (most likely first).
	Alternatives []string `yaml:"alternatives"`
	// Absent ids must be neither a finding nor an alternative.
	Absent []string `yaml:"absent"`
	// NotText must not appear (case-insensitive) in any finding's English
	// title, cause or steps: the wrong advice.
	NotText []string `yaml:"not_text"`
	// Text must appear in the first finding's English texts.
	Text     []string        `yaml:"text"`
	Severity report.Severity `yaml:"severity"`
	// Param is name=value that the first finding's evidence carries (the
	// reply code inferred for a reply read without it: code=535 5.7.3).
	Param string `yaml:"param"`
}

func loadCorpus(t testing.TB) map[string][]corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	out := map[string][]corpusCase{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []corpusCase
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = cases
	}
	return out
}

// findingText is everything a finding tells the user, for the NotText and
// Text checks.
func findingText(f report.Finding) string {
	var b strings.Builder
	b.WriteString(f.Title + "\n" + f.Cause + "\n" + f.Delay + "\n")
	for _, s := range f.Steps {
		b.WriteString(s.Text + "\n" + s.Command + "\n")
	}
	return strings.ToLower(b.String())
}

// TestCorpus runs every real-world sample through Explain and checks the
// cause it names and the wrong advice it must not give.
func TestCorpus(t *testing.T) {
	total := 0
	for file, cases := range loadCorpus(t) {
		for i, c := range cases {
			total++
			name := file + "/" + strings.ReplaceAll(firstLine(c.Input), "/", "∕")
			t.Run(name, func(t *testing.T) {
				if c.Source == "" || (c.Want == "" && len(c.IDs) == 0) {
					t.Fatalf("case %d: source and want are required", i+1)
				}
				if c.Want != "" && cat().byID[c.Want] == nil {
					t.Fatalf("want %q is not a catalogue id", c.Want)
				}
				fs := Explain(c.Input, Options{Lang: "en"})
				var ids []string
				for _, f := range fs {
					ids = append(ids, f.ID)
				}
				if len(fs) == 0 {
					t.Fatalf("nothing found in %q (source %s)", c.Input, c.Source)
				}
				if c.Want != "" && fs[0].ID != c.Want {
					t.Errorf("first finding %s (all %v), want %s\ninput: %s\nsource: %s", fs[0].ID, ids, c.Want, c.Input, c.Source)
				}
				if len(c.IDs) > 0 && !slices.Equal(ids, c.IDs) {
					t.Errorf("findings %v, want %v\ninput: %s", ids, c.IDs, c.Input)
				}
				last := -1
				for _, a := range c.Alternatives {
					at := slices.Index(fs[0].Alternatives, a)
					if at < 0 {
						t.Errorf("alternative %s missing from %v", a, fs[0].Alternatives)
					} else if at < last {
						t.Errorf("alternative %s out of order in %v", a, fs[0].Alternatives)
					}
					last = at
				}
				for _, f := range fs {
					for _, a := range c.Absent {
						if f.ID == a || slices.Contains(f.Alternatives, a) {
							t.Errorf("%s must not be offered (finding %s, alternatives %v)", a, f.ID, f.Alternatives)
						}
					}
					txt := findingText(f)
					for _, bad := range c.NotText {
						if strings.Contains(txt, strings.ToLower(bad)) {
							t.Errorf("finding %s says %q, which is wrong for this input", f.ID, bad)
						}
					}
				}
				for _, want := range c.Text {
					if !strings.Contains(findingText(fs[0]), strings.ToLower(want)) {
						t.Errorf("finding %s does not say %q", fs[0].ID, want)
					}
				}
				if c.Severity != "" && fs[0].Severity != c.Severity {
					t.Errorf("severity %s, want %s", fs[0].Severity, c.Severity)
				}
				if c.Param != "" {
					k, v, _ := strings.Cut(c.Param, "=")
					if hits := explainHits(c.Input); hits[0].Params[k] != v {
						t.Errorf("param %s = %q, want %q", k, hits[0].Params[k], v)
					}
				}
				// Every language reads the same input to the same ids.
				for _, lang := range []string{"de", "fr"} {
					var got []string
					for _, f := range Explain(c.Input, Options{Lang: lang, Vendor: "epson"}) {
						got = append(got, f.ID)
					}
					if !slices.Equal(got, ids) {
						t.Errorf("%s: %v, en: %v", lang, got, ids)
					}
				}
			})
		}
	}
	if total < 120 {
		t.Errorf("corpus has %d cases, want the full set", total)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// FuzzReader feeds the corpus and its pieces to the reader: it must never
// panic, stay deterministic and answer only with catalogue entries.
func FuzzReader(f *testing.F) {
	for _, cases := range loadCorpus(f) {
		for _, c := range cases {
			f.Add(c.Input)
		}
	}
	f.Add("(535, b'5.7.3 x\\n5.7.3 y')")
	f.Add("error=a_b&error_description=AADSTS1%3")
	f.Fuzz(func(t *testing.T, in string) {
		a := Explain(in, Options{Lang: "fr", Vendor: "ricoh"})
		b := Explain(in, Options{Lang: "fr", Vendor: "ricoh"})
		if len(a) != len(b) {
			t.Fatalf("not deterministic for %q", in)
		}
		for i, f := range a {
			if f.ID != b[i].ID || f.Title != b[i].Title {
				t.Fatalf("not deterministic for %q", in)
			}
			if cat().byID[f.ID] == nil {
				t.Fatalf("finding %q is not a catalogue entry", f.ID)
			}
			for _, alt := range f.Alternatives {
				if alt == f.ID || cat().byID[alt] == nil {
					t.Fatalf("bad alternative %q of %s", alt, f.ID)
				}
			}
		}
		_ = canonicalize(in)
	})
}
