package main

import (
	"context"
	"errors"
	"io/fs"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/sheet"
)

// sheetOutput is where a status sheet goes (sheet.Output: checked before
// any probing, written by sheet.Output.Write), and how it is printed.
type sheetOutput struct {
	sheet.Output
	// send, when set, prints the sheet just written (--print, --print-to)
	// and returns the exit code of printing.
	send func(ctx context.Context, r *report.Report, pdf []byte) int
}

// errSheetExists marks an output file that is there already (wraps
// fs.ErrExist), so callers can add the --force hint.
var errSheetExists = fs.ErrExist

// newSheetOutput checks path for writing a sheet (sheet.NewOutput); an
// empty path means no sheet.
func newSheetOutput(path string, force bool) (sheetOutput, error) {
	o, err := sheet.NewOutput(path, force)
	return sheetOutput{Output: o}, err
}

// sheetLang is the options of a report's sheet: in the report's language.
func sheetLang(r *report.Report) sheet.Options { return sheet.Options{Lang: r.Lang} }

// sheetError prints a failed sheet write: the error, then the hint when
// the file was there already.
func (a *app) sheetError(err error, force string) {
	a.errorf("%v", err)
	if errors.Is(err, errSheetExists) {
		a.hintf("add %s to overwrite it, or choose another file name", force)
	} else {
		a.hintf("choose a file in a folder that exists and that you can write to, or a folder")
	}
}
