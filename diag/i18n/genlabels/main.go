// Command genlabels writes labels_gen.go, the label table as Go data that
// mfpcheck reads instead of parsing labels.yaml. Run it after every change
// to diag/i18n/labels.yaml:
//
//	go generate ./diag/i18n/
//
// It runs in diag/i18n (go generate's directory). After a rebase conflict
// on labels_gen.go, take either side and run it again.
package main

import (
	"fmt"
	"os"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
)

func main() {
	b, err := i18n.CompileLabels()
	if err == nil {
		err = os.WriteFile("labels_gen.go", b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "genlabels: error: %v\n", err)
		os.Exit(1)
	}
}
