package batch

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Sheets renders the PDF status sheets (package sheet, wired in by the
// caller so batch does not depend on the PDF code).
type Sheets struct {
	// Device renders one device's sheet (sheet.Render).
	Device func(w io.Writer, r *report.Report, lang string) error
	// Fleet renders the fleet summary (sheet.RenderFleet).
	Fleet func(w io.Writer, rs []*report.Report, lang string) error
}

// FleetSheetName is the fleet summary's file name in the sheets folder.
const FleetSheetName = "fleet-summary.pdf"

// writeSheets writes one PDF per report in perDevice and the fleet summary
// of all into dir, creating dir if needed (Run has checked that sh has
// both renderers). Existing files are never
// overwritten unless force is set: a name already taken gets a suffix
// ("epson-2f-2.pdf"). Every failure is collected; the sheets that could be
// written are.
func writeSheets(dir string, force bool, sh Sheets, lang string, perDevice, all []*report.Report) (written []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sheets: %w", err)
	}
	var errs []error
	taken := map[string]bool{strings.ToLower(FleetSheetName): true}
	for _, r := range perDevice {
		base := SheetFileName(deviceOf(r).Name)
		path, err := writeFile(dir, base, force, taken, func(w io.Writer) error { return sh.Device(w, r, lang) })
		if err != nil {
			errs = append(errs, fmt.Errorf("sheet of %s: %w", deviceOf(r).Name, err))
			continue
		}
		written = append(written, path)
	}
	delete(taken, strings.ToLower(FleetSheetName))
	path, err := writeFile(dir, FleetSheetName, force, taken, func(w io.Writer) error { return sh.Fleet(w, all, lang) })
	if err != nil {
		errs = append(errs, fmt.Errorf("fleet sheet: %w", err))
	} else {
		written = append(written, path)
	}
	return written, errors.Join(errs...)
}

// writeFile renders into dir/base, or into base-2, base-3 … when the name is
// taken in this run or (without force) exists already. A failed render
// leaves no file behind.
func writeFile(dir, base string, force bool, taken map[string]bool, render func(io.Writer) error) (string, error) {
	stem, ext := strings.TrimSuffix(base, filepath.Ext(base)), filepath.Ext(base)
	for n := 1; n < 1000; n++ {
		name := base
		if n > 1 {
			name = stem + "-" + strconv.Itoa(n) + ext
		}
		if taken[strings.ToLower(name)] {
			continue
		}
		path := filepath.Join(dir, name)
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if force {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(path, flags, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		taken[strings.ToLower(name)] = true
		err = render(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", err
		}
		return path, nil
	}
	return "", fmt.Errorf("%s: too many files of that name", filepath.Join(dir, base))
}

// SheetFileName is a device's sheet file name: the device name with
// anything but letters, digits, dot, dash and underscore replaced by "-",
// at most 80 characters, and ".pdf".
func SheetFileName(device string) string {
	var b strings.Builder
	dash := false
	for _, r := range device {
		ok := r == '.' || r == '_' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		b.WriteRune(r)
		dash = false
	}
	name := strings.Trim(b.String(), "-.")
	if len(name) > 80 {
		name = strings.TrimRight(name[:80], "-.")
	}
	if name == "" {
		name = "device"
	}
	return name + ".pdf"
}
