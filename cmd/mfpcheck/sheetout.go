package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
	"github.com/mfpcheck/mfpcheck/sheet"
)

// sheetOutput is where a status sheet goes, decided before any probing so
// a bad path fails at once: a file name, or an existing folder that gets
// the default name (mfpcheck-sheet-DEVICE-DATE.pdf) once the report is in.
type sheetOutput struct {
	path  string
	dir   bool
	force bool
	// wait bounds waiting for a named pipe's reader and writing into it
	// (the command's --timeout); 0 means defaultStreamWait.
	wait time.Duration
	// send, when set, prints the sheet just written (--print, --print-to)
	// and returns the exit code of printing.
	send func(ctx context.Context, r *report.Report, pdf []byte) int
}

// errSheetExists marks an output file that is there already (wraps
// fs.ErrExist), so callers can add the --force hint.
var errSheetExists = fs.ErrExist

// newSheetOutput checks path for writing a sheet: an existing folder is
// used as the folder; a named pipe or a device is written into; an
// existing file needs force (and is the only kind ever replaced); the file's folder must
// exist. An empty path means no sheet.
func newSheetOutput(path string, force bool) (sheetOutput, error) {
	if path == "" {
		return sheetOutput{}, nil
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return sheetOutput{path: path, dir: true, force: force}, nil
	case err == nil && st.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) != 0:
		// A pipe or a device (/dev/stdout) is written into, never replaced.
		return sheetOutput{path: path, force: force}, nil
	case err == nil && !st.Mode().IsRegular():
		return sheetOutput{}, safefile.RegularOrMissing(path)
	case err == nil && !force:
		return sheetOutput{}, fmt.Errorf("%s already exists: %w", path, errSheetExists)
	case err != nil && (strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator))):
		return sheetOutput{}, fmt.Errorf("%s: no such folder", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return sheetOutput{}, err
	}
	if dir := filepath.Dir(path); dir != "." {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return sheetOutput{}, fmt.Errorf("%s: folder %s does not exist", path, dir)
		}
	}
	return sheetOutput{path: path, force: force}, nil
}

// set reports whether a sheet was asked for.
func (o sheetOutput) set() bool { return o.path != "" }

// file is the sheet's file name for report r printed at when.
func (o sheetOutput) file(r *report.Report, when time.Time) string {
	if o.dir {
		return filepath.Join(o.path, defaultSheetName(r, when))
	}
	return o.path
}

// sheetLang is the options of a report's sheet: in the report's language.
func sheetLang(r *report.Report) sheet.Options { return sheet.Options{Lang: r.Lang} }

// write renders r into the output and returns the file written and the
// PDF's bytes (what --print sends).
func (o sheetOutput) write(ctx context.Context, r *report.Report, opts sheet.Options, when time.Time) (string, []byte, error) {
	var buf bytes.Buffer
	if err := sheet.Render(&buf, r, opts); err != nil {
		return "", nil, err
	}
	path := o.file(r, when)
	return path, buf.Bytes(), writeSheetBytes(ctx, path, buf.Bytes(), o.force, o.wait)
}

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
