package gendata

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
	"testing/fstest"
)

type sample struct {
	Name  string
	N     int
	Items []*item
}

type item struct {
	Name string
	On   bool
	Kind kind
}

type kind string

// TestLiteral: generated data is valid, formatted Go with the values in
// it; maps are refused.
func TestLiteral(t *testing.T) {
	v := []sample{{Name: "a \"q\" ü", N: 3, Items: []*item{{Name: "b", On: true, Kind: "x"}}}, {}}
	lit, err := Literal("gendata", v)
	if err != nil {
		t.Fatal(err)
	}
	src, err := Source("test", "go generate ./x/", "x", nil, "var v = "+lit)
	if err != nil {
		t.Fatalf("%v\n%s", err, lit)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0); err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	for _, want := range []string{`Name: "a \"q\" ü"`, "3,", `{Name: "b", On: true, Kind: kind("x")}`, "[]*item{", "[]sample{", "\t{},", "DO NOT EDIT", "go generate ./x/"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("no %q in\n%s", want, src)
		}
	}
	if _, err := Literal("gendata", map[string]int{"a": 1}); err == nil {
		t.Error("a map was written")
	}
	if _, err := Literal("gendata", struct{ M map[string]int }{map[string]int{"a": 1}}); err == nil {
		t.Error("a map inside a struct was written")
	}
}

// TestSum: the sum changes with a file's content, name or order, and
// names a missing file's error.
func TestSum(t *testing.T) {
	fsys := fstest.MapFS{"d/a.yaml": {Data: []byte("x: 1\n")}, "d/b.yaml": {Data: []byte("y: 2\n")}}
	sum := func(fsys fstest.MapFS, names ...string) string {
		t.Helper()
		s, err := Sum(fsys, names...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := sum(fsys, "d/a.yaml", "d/b.yaml")
	if len(base) != 16 || base != sum(fsys, "d/a.yaml", "d/b.yaml") {
		t.Fatalf("sum %q is not a stable 64-bit hex", base)
	}
	if sum(fsys, "d/b.yaml", "d/a.yaml") == base {
		t.Error("order does not count")
	}
	edited := fstest.MapFS{"d/a.yaml": {Data: []byte("x: 2\n")}, "d/b.yaml": fsys["d/b.yaml"]}
	if sum(edited, "d/a.yaml", "d/b.yaml") == base {
		t.Error("an edit does not change the sum")
	}
	renamed := fstest.MapFS{"d/c.yaml": fsys["d/a.yaml"], "d/b.yaml": fsys["d/b.yaml"]}
	if sum(renamed, "d/c.yaml", "d/b.yaml") == base {
		t.Error("a rename does not change the sum")
	}
	if _, err := Sum(fsys, "d/none.yaml"); err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Errorf("missing file: %v", err)
	}
}
