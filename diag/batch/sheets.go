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
