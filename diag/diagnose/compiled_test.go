package diagnose

import (
	"os"
	"reflect"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/gendata"
)

// TestCompiledCatalogueIsFresh: catalogue_gen.go is exactly what the YAML
// compiles to. When it fails (CI) or skips, run `go generate ./diag/diagnose/`.
func TestCompiledCatalogueIsFresh(t *testing.T) {
	want, err := CompileCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if err := gendata.Stale(compiledFile, "go generate ./diag/diagnose/", want); err != nil {
		if gendata.Enforced() {
			t.Fatal(err)
		}
		t.Skipf("%v (CI fails here; until then builds read the YAML)", err)
	}
	if _, ok := fromCompiled(catalogueFS, compiledHash, compiledEntries); !ok || !compiledIsFresh() {
		t.Fatalf("%s is not used", compiledFile)
	}
	if _, err := os.Stat("catalogue.gob"); err == nil {
		t.Fatal("catalogue.gob (the old compiled form) is back: run go generate ./diag/diagnose/, which removes it")
	}
}

// TestCompiledCatalogueMatchesYAML: the catalogue read from its compiled
// form is, entry by entry and field by field, the catalogue parsed from
// the YAML; so is the compiled form of the parsed YAML (which does not
// need the generated file to be fresh).
func TestCompiledCatalogueMatchesYAML(t *testing.T) {
	fromYAML, err := parseCatalogue(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := yamlHash(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, entries []compiledEntry) {
		compiled, ok := fromCompiled(catalogueFS, hash, entries)
		if !ok {
			t.Fatalf("%s: compiled catalogue is not used", name)
		}
		if len(compiled.entries) != len(fromYAML.entries) {
			t.Fatalf("%s: %d entries compiled, %d in the YAML", name, len(compiled.entries), len(fromYAML.entries))
		}
		for i, want := range fromYAML.entries {
			if got := compiled.entries[i]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s: entry %s differs:\ncompiled %+v\nyaml     %+v", name, want.ID, got, want)
			}
			if compiled.byID[want.ID] != compiled.entries[i] {
				t.Errorf("%s: %s is not indexed", name, want.ID)
			}
		}
	}
	check("toCompiled", toCompiled(fromYAML))
	if compiledHash == hash {
		check(compiledFile, compiledEntries)
	}
	src, err := parseSources(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	if got := (compiledSourceTable{toPairs(src.IDs), toPairs(src.Prefixes)}).table(); !reflect.DeepEqual(got, src) {
		t.Errorf("compiled source table differs from sources.yaml:\n%v\n%v", got, src)
	}
	if got, err := loadSources(); err != nil || !reflect.DeepEqual(got, src) {
		t.Errorf("loaded source table (err %v) is not sources.yaml", err)
	}
}

// TestCompiledCatalogueIsNotChanged: loading copies the compiled entries,
// so a second load (a test, or a parallel reader) sees them as generated.
func TestCompiledCatalogueIsNotChanged(t *testing.T) {
	for _, ce := range compiledEntries {
		if ce.Entry.Text != nil || ce.Entry.VendorSteps != nil || ce.Entry.states != nil {
			t.Fatalf("%s: a load wrote into the compiled entry", ce.Entry.ID)
		}
	}
}

// TestStaleCompiledCatalogueIsIgnored: a compiled form made from other
// YAML, or an empty or broken one, is not used.
func TestStaleCompiledCatalogueIsIgnored(t *testing.T) {
	other := []byte(compiledHash)
	other[0] ^= 1
	if _, ok := fromCompiled(catalogueFS, string(other), compiledEntries); ok {
		t.Fatal("a compiled catalogue with another YAML's hash was used")
	}
	if _, ok := fromCompiled(catalogueFS, compiledHash, nil); ok {
		t.Fatal("an empty compiled catalogue was used")
	}
	twice := append(append([]compiledEntry{}, compiledEntries...), compiledEntries[0])
	if _, ok := fromCompiled(catalogueFS, compiledHash, twice); ok {
		t.Fatal("a compiled catalogue with a repeated id was used")
	}
}

// BenchmarkLoadCatalogue is the start-up cost of the catalogue, from its
// compiled form and from the YAML, and of the YAML hash that decides
// between them.
func BenchmarkLoadCatalogue(b *testing.B) {
	b.Run("compiled", func(b *testing.B) {
		for range b.N {
			if _, ok := fromCompiled(catalogueFS, compiledHash, compiledEntries); !ok {
				b.Fatal("not used")
			}
		}
	})
	b.Run("hash", func(b *testing.B) {
		for range b.N {
			if _, err := yamlHash(catalogueFS); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml", func(b *testing.B) {
		for range b.N {
			if _, err := parseCatalogue(catalogueFS); err != nil {
				b.Fatal(err)
			}
		}
	})
}
