// Command gencatalogue writes catalogue.gob, the compiled form of the YAML
// catalogue that mfpcheck loads at start-up. Run it after every change to
// diag/diagnose/catalogue/*.yaml:
//
//	go generate ./diag/diagnose/
//
// It runs in diag/diagnose (go generate's directory for catalogue.go's
// directive). After a rebase conflict on catalogue.gob, take either side
// and run it again.
package main

import (
	"fmt"
	"os"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
)

func main() {
	b, err := diagnose.CompileCatalogue()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gencatalogue: error: %v\n", err)
		os.Exit(1)
	}
	if err := os.WriteFile("catalogue.gob", b, 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "gencatalogue: error: %v\n", err)
		os.Exit(1)
	}
}
