package diagnose

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/gob"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
)

// The compiled catalogue is the parsed YAML catalogue in gob form, made by
// `go generate ./diag/diagnose/` (gencatalogue). Decoding it takes about a
// tenth of the time the YAML takes to parse, which is most of `mfpcheck
// explain`'s start-up. It carries the hash of the YAML files it was made
// from: when the YAML has changed since (an edit without go generate), the
// hash differs and the YAML is parsed as before, so a stale file only
// costs start-up time, never a wrong answer; TestCompiledCatalogueIsFresh
// fails until it is regenerated.
//
//go:generate go run ./gencatalogue
//go:embed catalogue.gob
var compiledGob []byte

// compiledFile is the name of the compiled catalogue, next to this file.
const compiledFile = "catalogue.gob"

// compiledForm is what catalogue.gob holds. Gob encodes maps in random
// order, so the entries' maps travel as sorted lists: the same YAML always
// gives the same bytes.
type compiledForm struct {
	Hash    [sha256.Size]byte
	Entries []compiledEntry
}

type compiledEntry struct {
	Entry *entry // without Text and VendorSteps
	File  string
	// Norm, Any and Hints are the entry's normalised match phrases.
	Norm, Any, Hints []string
	Text             []compiledText
	Vendor           []compiledVendor
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

// yamlHash is the SHA-256 of every catalogue/*.yaml file of fsys, names
// and contents, in name order.
func yamlHash(fsys fs.ReadDirFS) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	dir, err := fsys.ReadDir("catalogue")
	if err != nil {
		return sum, err
	}
	h := sha256.New()
	for _, d := range dir {
		if d.IsDir() || path.Ext(d.Name()) != ".yaml" {
			continue
		}
		data, err := fs.ReadFile(fsys, "catalogue/"+d.Name())
		if err != nil {
			return sum, err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", d.Name(), len(data))
		h.Write(data)
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// CompileCatalogue parses the embedded YAML catalogue and returns its
// compiled form, for go generate. A catalogue with errors is not compiled.
func CompileCatalogue() ([]byte, error) {
	c, err := parseCatalogue(catalogueFS)
	if err != nil {
		return nil, err
	}
	return encodeCompiled(catalogueFS, c)
}

func encodeCompiled(fsys embed.FS, c *catalogue) ([]byte, error) {
	form := compiledForm{}
	var err error
	if form.Hash, err = yamlHash(fsys); err != nil {
		return nil, err
	}
	for _, e := range c.entries {
		ce := compiledEntry{File: e.file, Norm: e.norm, Any: e.any, Hints: e.hints}
		plain := *e
		plain.Text, plain.VendorSteps = nil, nil
		plain.norm, plain.any, plain.hints, plain.states = nil, nil, nil, nil
		ce.Entry = &plain
		for _, lang := range sortedKeys(e.Text) {
			ce.Text = append(ce.Text, compiledText{lang, e.Text[lang]})
		}
		for _, v := range sortedKeys(e.VendorSteps) {
			cv := compiledVendor{Vendor: v}
			for _, lang := range sortedKeys(e.VendorSteps[v]) {
				cv.Steps = append(cv.Steps, compiledSteps{lang, e.VendorSteps[v][lang]})
			}
			ce.Vendor = append(ce.Vendor, cv)
		}
		form.Entries = append(form.Entries, ce)
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(form); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decodeCompiled builds the catalogue from its compiled form; ok is false
// when blob was not made from fsys's YAML (or does not decode), and the
// caller parses the YAML instead.
func decodeCompiled(fsys embed.FS, blob []byte) (*catalogue, bool) {
	want, err := yamlHash(fsys)
	if err != nil || len(blob) == 0 {
		return nil, false
	}
	var form compiledForm
	if err := gob.NewDecoder(bytes.NewReader(blob)).Decode(&form); err != nil || form.Hash != want {
		return nil, false
	}
	c := &catalogue{byID: make(map[string]*entry, len(form.Entries))}
	for _, ce := range form.Entries {
		e := ce.Entry
		if e == nil || c.byID[e.ID] != nil {
			return nil, false
		}
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
		e.norm, e.any, e.hints = ce.Norm, ce.Any, ce.Hints
		e.prepare(ce.File)
		c.byID[e.ID] = e
		c.entries = append(c.entries, e)
	}
	return c, !slices.ContainsFunc(c.entries, func(e *entry) bool { return e.ID == "" })
}
