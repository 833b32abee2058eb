package i18n

import (
	"io/fs"
	"maps"
	"slices"
	"strconv"

	"github.com/mfpcheck/mfpcheck/diag/gendata"
)

// The compiled table is labels.yaml as Go data (labels_gen.go), written by
// `go generate ./diag/i18n/` (genlabels): reading it costs a few hundred
// map inserts where parsing the YAML took milliseconds at the first label
// every command prints. A build whose labels_gen.go was made from other
// YAML (an edit without go generate) parses the YAML instead, so it is
// slower, never wrong; TestCompiledLabelsAreFresh fails until it is
// regenerated.
//
//go:generate go run ./genlabels

// compiledFile is the name of the compiled table, next to this file.
const compiledFile = "labels_gen.go"

// label is one text of the compiled table.
type label struct {
	Lang, Key, Text string
}

// CompileLabels parses labels.yaml and returns its compiled form, the Go
// source of labels_gen.go, for go generate.
func CompileLabels() ([]byte, error) {
	l, err := parseLabels(labelsFS)
	if err != nil {
		return nil, err
	}
	hash, err := gendata.Sum(labelsFS, "labels.yaml")
	if err != nil {
		return nil, err
	}
	lit, err := gendata.Literal("i18n", toCompiled(l))
	if err != nil {
		return nil, err
	}
	return gendata.Source("genlabels from labels.yaml", "go generate ./diag/i18n/", "i18n", nil,
		"// labelsHash is gendata.Sum of the labels.yaml this file was made from.\nconst labelsHash = "+strconv.Quote(hash),
		"var labelsCompiled = "+lit)
}

// toCompiled lists the table by language, then key.
func toCompiled(l map[string]map[string]string) []label {
	var out []label
	for _, lang := range slices.Sorted(maps.Keys(l)) {
		for _, key := range slices.Sorted(maps.Keys(l[lang])) {
			out = append(out, label{lang, key, l[lang][key]})
		}
	}
	return out
}

// fromCompiled builds the table from its compiled form; ok is false when
// it was not made from fsys's labels.yaml.
func fromCompiled(fsys fs.FS, hash string, labels []label) (map[string]map[string]string, bool) {
	if want, err := gendata.Sum(fsys, "labels.yaml"); err != nil || want != hash || len(labels) == 0 {
		return nil, false
	}
	l := make(map[string]map[string]string, len(Langs))
	for _, lb := range labels {
		m := l[lb.Lang]
		if m == nil {
			m = make(map[string]string, len(labels)/len(Langs))
			l[lb.Lang] = m
		}
		m[lb.Key] = lb.Text
	}
	return l, true
}
