package main

import (
	"context"

	"github.com/mfpcheck/mfpcheck/diag"
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

// writeStatusSheet writes the PDF status sheet of a report.
func (a *app) writeStatusSheet(path string, r *diag.Report, lang string) error {
	return nil
}
