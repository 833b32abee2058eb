// Command gencatalogue writes catalogue_gen.go, the compiled form of the
// YAML catalogue that mfpcheck loads at start-up. Run it after every
// change to diag/diagnose/catalogue/*.yaml:
//
//	go generate ./diag/diagnose/
//
// It runs in diag/diagnose (go generate's directory for compiled.go's
// directive). After a rebase conflict on catalogue_gen.go, take either
// side and run it again. It removes catalogue.gob, the compiled form's
// earlier (gob) file, when a rebase brought it back.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
)

func main() {
	b, err := diagnose.CompileCatalogue()
	if err == nil {
		err = os.WriteFile("catalogue_gen.go", b, 0o644)
	}
	if err == nil {
		if rmErr := os.Remove("catalogue.gob"); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			err = rmErr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gencatalogue: error: %v\n", err)
		os.Exit(1)
	}
}
