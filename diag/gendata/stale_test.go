package gendata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStale: a generated file that differs from what the YAML gives, or
// is missing, is an error naming the command that fixes it.
func TestStale(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x_gen.go")
	if err := os.WriteFile(file, []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Stale(file, "go generate ./x/", []byte("package x\n")); err != nil {
		t.Fatalf("fresh file: %v", err)
	}
	for _, f := range []string{file, file + ".missing"} {
		if err := Stale(f, "go generate ./x/", []byte("package x // other\n")); err == nil || !strings.Contains(err.Error(), "go generate ./x/") {
			t.Errorf("%s: %v", f, err)
		}
	}
}
