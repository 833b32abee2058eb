package sheet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
)

// Output is where a status sheet goes, decided before any probing so a
// bad path fails at once: a file name, or an existing folder that gets the
// default name (FileName) once the report is in. Every sheet mfpcheck
// writes to a file (probe --sheet, sheet -o, demo --sheet, the TUI) goes
// through Output.Write.
type Output struct {
	Path string
	// Dir: Path is a folder; the sheet gets its default name in it.
	Dir   bool
	Force bool
	// Unique: in a folder, a name already there gets -2, -3 … instead of
	// failing (the TUI's second sheet of the day).
	Unique bool
	// Wait bounds waiting for a named pipe's reader and writing into it
	// (the command's --timeout); 0 means DefaultStreamWait.
	Wait time.Duration
}

// DefaultStreamWait bounds waiting for a named pipe's reader, and writing
// into the pipe, when the command gives no --timeout (the TUI).
const DefaultStreamWait = 60 * time.Second

// NewOutput checks path for writing a sheet: an existing folder is used as
// the folder; a named pipe or a device is written into; an existing file
// needs force (and is the only kind ever replaced; the error wraps
// fs.ErrExist); the file's folder must exist. An empty path means no
// sheet.
func NewOutput(path string, force bool) (Output, error) {
	if path == "" {
		return Output{}, nil
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return Output{Path: path, Dir: true, Force: force}, nil
	case err == nil && st.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) != 0:
		// A pipe or a device (/dev/stdout) is written into, never replaced.
		return Output{Path: path, Force: force}, nil
	case err == nil && !st.Mode().IsRegular():
		return Output{}, safefile.RegularOrMissing(path)
	case err == nil && !force:
		return Output{}, fmt.Errorf("%s already exists: %w", path, fs.ErrExist)
	case err != nil && (strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator))):
		return Output{}, fmt.Errorf("%s: no such folder", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return Output{}, err
	}
	if dir := filepath.Dir(path); dir != "." {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return Output{}, fmt.Errorf("%s: folder %s does not exist", path, dir)
		}
	}
	return Output{Path: path, Force: force}, nil
}

// Set reports whether a sheet was asked for.
func (o Output) Set() bool { return o.Path != "" }

// File is the sheet's file name for report r printed at when.
func (o Output) File(r *report.Report, when time.Time) string {
	if o.Dir {
		return filepath.Join(o.Path, FileName(r, when))
	}
	return o.Path
}

// Write renders r into the output and returns the file written and the
// PDF's bytes (what printing sends).
func (o Output) Write(ctx context.Context, r *report.Report, opts Options, when time.Time) (string, []byte, error) {
	var buf bytes.Buffer
	if err := Render(&buf, r, opts); err != nil {
		return "", nil, err
	}
	path := o.File(r, when)
	if !o.Dir || !o.Unique {
		return path, buf.Bytes(), writeFile(ctx, path, buf.Bytes(), o.Force, o.Wait)
	}
	base := strings.TrimSuffix(path, ".pdf")
	for i := 1; i < 100; i++ {
		err := writeFile(ctx, path, buf.Bytes(), false, o.Wait)
		if !errors.Is(err, fs.ErrExist) {
			return path, buf.Bytes(), err
		}
		path = fmt.Sprintf("%s-%d.pdf", base, i+1)
	}
	return "", nil, fmt.Errorf("write sheet: too many sheets named %s*.pdf in %s", filepath.Base(base), o.Path)
}

// FileName is mfpcheck-sheet-<device-or-host>-<date>.pdf, with the name
// reduced to characters safe in a file name on every system.
func FileName(r *report.Report, when time.Time) string {
	name := r.Target.Host
	if r.Device != nil && r.Device.Name != "" {
		name = r.Device.Name
	}
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' ||
			c == 'ä' || c == 'ö' || c == 'ü' || c == 'ß' || c == 'é' || c == 'è' || c == 'à' || c == 'ç'
		if ok {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-.")
	if len(s) > 60 {
		s = strings.TrimRight(redact.SafePrefix(s, 60), "-.")
	}
	if s == "" {
		s = "device"
	}
	return "mfpcheck-sheet-" + s + "-" + when.Format("2006-01-02") + ".pdf"
}

// writeFile writes a rendered sheet into path atomically: a
// temporary file in the same folder, renamed into place once complete, so a
// reader never sees half a PDF. An existing file is kept unless force is set
// (the error wraps fs.ErrExist). A named pipe or a device is written into
// (writeStream, bounded by wait and ctx).
func writeFile(ctx context.Context, path string, data []byte, force bool, wait time.Duration) error {
	// A named pipe or a device (/dev/stdout) is written to, never replaced;
	// a folder or a socket is refused. Only a regular file is replaced, and
	// only with --force.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) == 0 {
			return safefile.RegularOrMissing(path)
		}
		return writeStream(ctx, path, data, wait)
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s already exists: %w", path, fs.ErrExist)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if !force {
		// Link fails if path appeared meanwhile; rename would replace it.
		if err := os.Link(tmp.Name(), path); err == nil {
			return nil
		} else if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists: %w", path, fs.ErrExist)
		}
		// File systems without hard links fall back to rename.
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeStream writes data into an existing named pipe or device. A pipe is
// written when its reader is there: it waits for one, and for the reader to
// take the data, until wait has passed or ctx ends (Ctrl-C), whichever is
// first. A pipe nobody reads is an error, not a hang.
func writeStream(ctx context.Context, path string, data []byte, wait time.Duration) error {
	if wait <= 0 {
		wait = DefaultStreamWait
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	ended := func() error {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("write %s: the named pipe's reader did not take the sheet within %s", path, wait)
		}
		return fmt.Errorf("write %s: interrupted", path)
	}
	// O_NONBLOCK: open fails with ENXIO while a pipe has no reader, instead
	// of blocking where neither the deadline nor a signal can end it; the
	// file is then written through Go's poller, which honours deadlines.
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	for errors.Is(err, syscall.ENXIO) {
		select {
		case <-ctx.Done():
			return ended()
		case <-time.After(50 * time.Millisecond):
		}
		f, err = os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Now()) })
	_, err = f.Write(data)
	stop()
	if err != nil {
		f.Close()
		if ctx.Err() != nil {
			return ended()
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
