package diagnose

import (
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"sync"

	"github.com/mfpcheck/mfpcheck/diag/gendata"
)

// The compiled catalogue is the parsed YAML catalogue written out as Go
// data (catalogue_gen.go) by `go generate ./diag/diagnose/`
// (gencatalogue). The compiler lays it out in the binary's data section,
// so loading it decodes nothing: it builds the id index and each entry's
// text maps from data that is already there, in well under a millisecond,
// and only the texts a command prints are ever read. It carries the hash
// of the YAML files it was made from: when the YAML has changed since (an
// edit without go generate), the hash differs and the YAML is parsed as
// before, so a stale file only costs start-up time, never a wrong answer;
// TestCompiledCatalogueIsFresh fails until it is regenerated.
//
//go:generate go run ./gencatalogue

// compiledFile is the name of the compiled catalogue, next to this file.
const compiledFile = "catalogue_gen.go"

// compiledIsFresh reports whether the compiled form was made from the
// embedded YAML; the catalogue and the source table both ask.
var compiledIsFresh = sync.OnceValue(func() bool {
	h, err := yamlHash(catalogueFS)
	return err == nil && h == compiledHash
})

// compiledSourceTable is sources.yaml in compiled form: its maps as lists
// sorted by key.
type compiledSourceTable struct {
	IDs, Prefixes []sourcePair
}

type sourcePair struct {
	Key, Value string
}

func toPairs(m map[string]string) []sourcePair {
	var out []sourcePair
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, sourcePair{k, m[k]})
	}
	return out
}

func (c compiledSourceTable) table() sourceTable {
	t := sourceTable{IDs: make(map[string]string, len(c.IDs)), Prefixes: make(map[string]string, len(c.Prefixes))}
	for _, p := range c.IDs {
		t.IDs[p.Key] = p.Value
	}
	for _, p := range c.Prefixes {
		t.Prefixes[p.Key] = p.Value
	}
	return t
}

// compiledEntry is one entry in compiled form. Maps would have to be built
// by code at every start of the program, so the entry's maps travel as
// lists sorted by key: the same YAML always gives the same file.
type compiledEntry struct {
	Entry  *entry // without Text, VendorSteps and states
	Text   []compiledText
	Vendor []compiledVendor
}

type compiledText struct {
	Lang string
	Text *langText
}

type compiledVendor struct {
	Vendor string
	Steps  []compiledSteps
}

type compiledSteps struct {
	Lang  string
	Steps []stepSpec
}

// yamlHash is gendata.Sum of every catalogue/*.yaml file of fsys, in
// name order, and sources.yaml.
func yamlHash(fsys fs.ReadDirFS) (string, error) {
	dir, err := fsys.ReadDir("catalogue")
	if err != nil {
		return "", err
	}
	var names []string
	for _, d := range dir {
		if !d.IsDir() && path.Ext(d.Name()) == ".yaml" {
			names = append(names, "catalogue/"+d.Name())
		}
	}
	return gendata.Sum(fsys, append(names, "sources.yaml")...)
}

// CompileCatalogue parses the embedded YAML catalogue and returns its
// compiled form, the Go source of catalogue_gen.go, for go generate. A
// catalogue with errors is not compiled.
func CompileCatalogue() ([]byte, error) {
	c, err := parseCatalogue(catalogueFS)
	if err != nil {
		return nil, err
	}
	src, err := parseSources(catalogueFS)
	if err != nil {
		return nil, err
	}
	hash, err := yamlHash(catalogueFS)
	if err != nil {
		return nil, err
	}
	return compiledSource(hash, toCompiled(c), compiledSourceTable{toPairs(src.IDs), toPairs(src.Prefixes)})
}

// toCompiled turns parsed entries into their compiled form.
func toCompiled(c *catalogue) []compiledEntry {
	var out []compiledEntry
	for _, e := range c.entries {
		plain := *e
		plain.Text, plain.VendorSteps, plain.states = nil, nil, nil
		ce := compiledEntry{Entry: &plain}
		for _, lang := range slices.Sorted(maps.Keys(e.Text)) {
			ce.Text = append(ce.Text, compiledText{lang, e.Text[lang]})
		}
		for _, v := range slices.Sorted(maps.Keys(e.VendorSteps)) {
			cv := compiledVendor{Vendor: v}
			for _, lang := range slices.Sorted(maps.Keys(e.VendorSteps[v])) {
				cv.Steps = append(cv.Steps, compiledSteps{lang, e.VendorSteps[v][lang]})
			}
			ce.Vendor = append(ce.Vendor, cv)
		}
		out = append(out, ce)
	}
	return out
}

// compiledSource is catalogue_gen.go: the hash, the entries and the
// source table as Go data.
func compiledSource(hash string, entries []compiledEntry, sources compiledSourceTable) ([]byte, error) {
	lit, err := gendata.Literal("diagnose", entries)
	if err != nil {
		return nil, err
	}
	srcLit, err := gendata.Literal("diagnose", sources)
	if err != nil {
		return nil, err
	}
	return gendata.Source("gencatalogue from catalogue/*.yaml", "go generate ./diag/diagnose/", "diagnose",
		[]string{"github.com/mfpcheck/mfpcheck/diag/report"},
		"// compiledHash is yamlHash of the YAML this file was made from.\nconst compiledHash = "+strconv.Quote(hash),
		"var compiledEntries = "+lit,
		"var compiledSources = "+srcLit)
}

// fromCompiled builds the catalogue from its compiled form; ok is false
// when it was not made from fsys's YAML (hash is another YAML's), and the
// caller parses the YAML instead.
func fromCompiled(fsys fs.ReadDirFS, hash string, entries []compiledEntry) (*catalogue, bool) {
	want, err := yamlHash(fsys)
	if err != nil || hash != want {
		return nil, false
	}
	return buildCompiled(entries)
}

// buildCompiled builds the catalogue from compiled entries, copied, never
// changed; ok is false when there are none or an id repeats.
func buildCompiled(entries []compiledEntry) (*catalogue, bool) {
	if len(entries) == 0 {
		return nil, false
	}
	c := &catalogue{byID: make(map[string]*entry, len(entries)), entries: make([]*entry, 0, len(entries))}
	for _, ce := range entries {
		if ce.Entry == nil || ce.Entry.ID == "" || c.byID[ce.Entry.ID] != nil {
			return nil, false
		}
		e := new(entry)
		*e = *ce.Entry
		if len(ce.Text) > 0 {
			e.Text = make(map[string]*langText, len(ce.Text))
			for _, t := range ce.Text {
				e.Text[t.Lang] = t.Text
			}
		}
		if len(ce.Vendor) > 0 {
			e.VendorSteps = make(map[string]map[string][]stepSpec, len(ce.Vendor))
			for _, v := range ce.Vendor {
				m := make(map[string][]stepSpec, len(v.Steps))
				for _, s := range v.Steps {
					m[s.Lang] = s.Steps
				}
				e.VendorSteps[v.Vendor] = m
			}
		}
		e.prepare(e.file)
		c.byID[e.ID] = e
		c.entries = append(c.entries, e)
	}
	return c, true
}
