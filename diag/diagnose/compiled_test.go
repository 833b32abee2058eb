package diagnose

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
)

// TestCompiledCatalogueIsFresh: catalogue.gob is exactly what the YAML
// compiles to. When it fails, run `go generate ./diag/diagnose/`.
func TestCompiledCatalogueIsFresh(t *testing.T) {
	want, err := CompileCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, compiledGob) {
		t.Fatalf("%s is stale (made from other YAML): run go generate ./diag/diagnose/", compiledFile)
	}
	if _, ok := decodeCompiled(catalogueFS, compiledGob); !ok {
		t.Fatalf("%s does not decode", compiledFile)
	}
}

// TestCompiledCatalogueMatchesYAML: the catalogue read from its compiled
// form is, entry by entry and field by field, the catalogue parsed from
// the YAML.
func TestCompiledCatalogueMatchesYAML(t *testing.T) {
	fromYAML, err := parseCatalogue(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := encodeCompiled(catalogueFS, fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	compiled, ok := decodeCompiled(catalogueFS, blob)
	if !ok {
		t.Fatal("compiled catalogue does not decode")
	}
	if len(compiled.entries) != len(fromYAML.entries) {
		t.Fatalf("%d entries compiled, %d in the YAML", len(compiled.entries), len(fromYAML.entries))
	}
	for i, want := range fromYAML.entries {
		if got := compiled.entries[i]; !reflect.DeepEqual(got, want) {
			t.Errorf("entry %s differs:\ncompiled %+v\nyaml     %+v", want.ID, got, want)
		}
	}
}

// TestStaleCompiledCatalogueIsIgnored: a compiled form made from other
// YAML is not used.
func TestStaleCompiledCatalogueIsIgnored(t *testing.T) {
	var form compiledForm
	if err := gob.NewDecoder(bytes.NewReader(compiledGob)).Decode(&form); err != nil {
		t.Fatal(err)
	}
	form.Hash[0] ^= 0xff
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(form); err != nil {
		t.Fatal(err)
	}
	if _, ok := decodeCompiled(catalogueFS, b.Bytes()); ok {
		t.Fatal("a compiled catalogue with another YAML's hash was used")
	}
	if _, ok := decodeCompiled(catalogueFS, compiledGob[:len(compiledGob)/2]); ok {
		t.Fatal("a truncated compiled catalogue was used")
	}
}

// BenchmarkLoadCatalogue is the start-up cost of the catalogue, from its
// compiled form and from the YAML.
func BenchmarkLoadCatalogue(b *testing.B) {
	b.Run("compiled", func(b *testing.B) {
		for range b.N {
			if _, ok := decodeCompiled(catalogueFS, compiledGob); !ok {
				b.Fatal("does not decode")
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
