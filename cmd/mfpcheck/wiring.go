package main

import (
	"context"
	"errors"
	"io/fs"

	"github.com/mfpcheck/mfpcheck/diag"
	"github.com/mfpcheck/mfpcheck/sheet"
)

// demoTUI opens the TUI over a simulated fleet of every scenario.
func (a *app) demoTUI(ctx context.Context, f demoFlags) int {
	a.errorf("demo --tui is not built yet")
	return ExitError
}

// demoBatch runs batch mode over a simulated fleet of every scenario.
func (a *app) demoBatch(ctx context.Context, f demoFlags) int {
	a.errorf("demo --batch is not built yet")
	return ExitError
}

// writeStatusSheet writes the PDF status sheet of a report for probe and
// demo's --sheet. An existing file is never overwritten.
func (a *app) writeStatusSheet(path string, r *diag.Report, lang string) error {
	err := writeSheetFile(path, r, sheet.Options{Lang: lang}, false)
	if errors.Is(err, fs.ErrExist) {
		a.hintf("choose another file name for --sheet; the existing one is kept")
	}
	return err
}
