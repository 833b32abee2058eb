package diagnose

import (
	"bytes"
	"io/fs"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// sources.yaml (embedded in catalogueFS, compiled with the catalogue)
// maps the catalogue's citations (reference ids such as S14, vendor
// guides by seed number) to what a user may see: a public address, a
// document title, or nothing.
type sourceTable struct {
	IDs      map[string]string `yaml:"ids"`
	Prefixes map[string]string `yaml:"prefixes"`
}

// loadSources reads the table once: from the compiled form when that was
// made from the embedded YAML, else from sources.yaml.
var loadSources = sync.OnceValues(func() (sourceTable, error) {
	if compiledIsFresh() {
		return compiledSources.table(), nil
	}
	return parseSources(catalogueFS)
})

// parseSources reads sources.yaml strictly.
func parseSources(fsys fs.FS) (sourceTable, error) {
	var t sourceTable
	data, err := fs.ReadFile(fsys, "sources.yaml")
	if err != nil {
		return t, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(&t)
	return t, err
}

var refIDRe = regexp.MustCompile(`^S\d+$`)

// userSource is what a user sees for one catalogue citation, and whether
// it is shown at all. A URL or an RFC is shown as it is; a reference id is
// replaced by its public address; an internal note is dropped.
func userSource(s string) (string, bool) {
	s = strings.TrimSpace(s)
	t, _ := loadSources()
	if refIDRe.MatchString(s) {
		v := t.IDs[s]
		return v, v != ""
	}
	// Longest prefix first, so "seed 000/003/004" wins over "seed 0".
	best, bestLen := "", -1
	for p, v := range t.Prefixes {
		if strings.HasPrefix(s, p) && len(p) > bestLen {
			best, bestLen = v, len(p)
		}
	}
	if bestLen >= 0 {
		return best, best != ""
	}
	if strings.Contains(s, "seed ") || strings.Contains(s, ".md") {
		return "", false
	}
	return s, s != ""
}

// userSources turns an entry's citations into the list a user sees, in
// order, without repeats.
func userSources(raw []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range raw {
		v, ok := userSource(s)
		if !ok || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}
