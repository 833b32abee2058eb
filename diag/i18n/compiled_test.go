package i18n

import (
	"reflect"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/gendata"
)

// TestCompiledLabelsAreFresh: labels_gen.go is exactly what labels.yaml
// compiles to, and is what the table is read from. When it fails (CI) or skips, run
// `go generate ./diag/i18n/`.
func TestCompiledLabelsAreFresh(t *testing.T) {
	want, err := CompileLabels()
	if err != nil {
		t.Fatal(err)
	}
	if err := gendata.Stale(compiledFile, "go generate ./diag/i18n/", want); err != nil {
		if gendata.Enforced() {
			t.Fatal(err)
		}
		t.Skipf("%v (CI fails here; until then builds read the YAML)", err)
	}
	if _, ok := fromCompiled(labelsFS, labelsHash, labelsCompiled); !ok {
		t.Fatalf("%s is not used", compiledFile)
	}
}

// TestCompiledLabelsMatchYAML: the table read from the compiled form is
// the table parsed from labels.yaml.
func TestCompiledLabelsMatchYAML(t *testing.T) {
	want, err := parseLabels(labelsFS)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := gendata.Sum(labelsFS, "labels.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := fromCompiled(labelsFS, hash, toCompiled(want))
	if !ok {
		t.Fatal("compiled labels are not used")
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("compiled labels differ from labels.yaml")
	}
	table, err := Table()
	if err != nil || !reflect.DeepEqual(table, want) {
		t.Fatalf("Table() is not labels.yaml (err %v)", err)
	}
}

// TestStaleCompiledLabelsAreIgnored: a compiled table made from another
// labels.yaml, or an empty one, is not used.
func TestStaleCompiledLabelsAreIgnored(t *testing.T) {
	other := []byte(labelsHash)
	other[len(other)-1] ^= 1
	if _, ok := fromCompiled(labelsFS, string(other), labelsCompiled); ok {
		t.Fatal("compiled labels with another YAML's hash were used")
	}
	if _, ok := fromCompiled(labelsFS, labelsHash, nil); ok {
		t.Fatal("an empty compiled table was used")
	}
}
