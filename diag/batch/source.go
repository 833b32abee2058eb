package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
)

// Fleet is a fleet opened for a run: its devices are read one at a time
// as the run needs them (a CSV inventory row by row from the file, a YAML
// fleet entry by entry from its parsed tree), so a run's memory does not
// grow with the fleet.
//
// An entry that cannot be checked (a malformed CSV row, a bad port, a
// missing server, an unknown vendor in a YAML fleet, a profile file that
// is not one) is a Device with Err set: the run reports it as that
// device's error, naming the file and line, and goes on. Only a file that
// cannot be read as a fleet at all (not there, not a regular file, not
// YAML, a CSV header that is not one) stops OpenFleet.
type Fleet struct {
	// Path is the fleet's file or folder ("" for FleetOf).
	Path  string
	count int
	all   func(yield func(Device) bool) error
	close func() error
}

// MaxInventorySize bounds a CSV inventory. It is read a record at a time,
// so the bound is on the time a run takes, not on memory: about ten
// million rows.
const MaxInventorySize = 1 << 30

// FleetOf is a fleet of devices already in memory.
func FleetOf(devices []Device) *Fleet {
	return &Fleet{count: len(devices), all: func(yield func(Device) bool) error {
		for _, d := range devices {
			if !yield(d) {
				break
			}
		}
		return nil
	}}
}

// Len is the number of devices in the fleet, counted when it was opened.
func (f *Fleet) Len() int { return f.count }

// Devices yields the fleet's devices in order, once. A read error of the
// file in the middle (a disk error) ends the sequence as a last Device
// with Err set.
func (f *Fleet) Devices() iter.Seq[Device] {
	return func(yield func(Device) bool) {
		stopped := false
		err := f.all(func(d Device) bool {
			if !yield(d) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(Device{Name: f.Path, Source: f.Path, Err: fmt.Errorf("read fleet: %w", err), invalid: true})
		}
	}
}

// Close releases the fleet's file.
func (f *Fleet) Close() error {
	if f.close == nil {
		return nil
	}
	return f.close()
}

// OpenFleet opens a YAML fleet file, a CSV inventory (by its .csv
// extension) or a folder of profile files for a run.
func OpenFleet(path string) (*Fleet, error) {
	return OpenFleetContext(context.Background(), path)
}

// OpenFleetContext is OpenFleet that gives up when ctx ends (Ctrl-C while
// a large inventory's rows are counted).
func OpenFleetContext(ctx context.Context, path string) (*Fleet, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read fleet: %w", err)
	}
	if fi.IsDir() {
		ds, err := loadFolder(path)
		if err != nil {
			return nil, err
		}
		f := FleetOf(ds)
		f.Path = path
		return f, nil
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return openCSV(ctx, path)
	}
	data, err := readRegularFile(path, MaxFleetSize)
	if err != nil {
		return nil, fmt.Errorf("read fleet: %w", err)
	}
	return yamlFleet(path, data, func(p string) ([]byte, error) {
		return readRegularFile(p, profile.MaxProfileSize)
	})
}

// openCSV opens an inventory: a regular file, read a record at a time.
func openCSV(ctx context.Context, path string) (*Fleet, error) {
	file, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("read fleet: %w", err)
	}
	fi, err := file.Stat()
	if err == nil && (!fi.Mode().IsRegular() || fi.Size() > MaxInventorySize) {
		// safefile words why (a pipe, a device, too large) without
		// reading a byte.
		_, _, err = safefile.ReadFile(path, MaxInventorySize)
	}
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("read fleet: %w", err)
	}
	// Count the devices first (for the progress bar and the summary),
	// then read them.
	src, err := newCSVSource(path, file)
	total := 0
	if err == nil {
		total, err = src.count(ctx)
	}
	if err == nil {
		_, err = file.Seek(0, io.SeekStart)
	}
	if err == nil {
		src, err = newCSVSource(path, file)
	}
	if err != nil {
		file.Close()
		return nil, err
	}
	if total == 0 {
		file.Close()
		return nil, &profile.ProfileError{File: path, Line: src.hline, Msg: "inventory has a header but no devices"}
	}
	return &Fleet{Path: path, count: total, all: src.each, close: file.Close}, nil
}

// csvSource reads an inventory's records after its header.
type csvSource struct {
	name, dir string
	rr        *recordReader
	comma     rune
	col       map[string]int // column name → index in the record
	hline     int
}

// newCSVSource reads the header. A UTF-8 byte order mark and ";" as
// separator (spreadsheets in German and French locales) are accepted.
func newCSVSource(name string, r io.Reader) (*csvSource, error) {
	var bom [3]byte
	n, _ := io.ReadFull(r, bom[:])
	if !bytes.Equal(bom[:n], []byte("\xef\xbb\xbf")) {
		r = io.MultiReader(bytes.NewReader(bom[:n]), r)
	}
	s := &csvSource{name: name, dir: filepath.Dir(name), rr: newRecordReader(r), comma: ','}
	text, _, err := s.rr.next()
	var re *rowError
	switch {
	case err == io.EOF:
		return nil, &profile.ProfileError{File: name, Msg: "inventory is empty (it needs a header row)"}
	case errors.As(err, &re):
		return nil, &profile.ProfileError{File: name, Line: re.line, Msg: re.msg}
	case err != nil:
		return nil, fmt.Errorf("read fleet: %w", err)
	}
	s.hline = s.rr.n
	if bytes.Count(text, []byte(";")) > bytes.Count(text, []byte(",")) {
		s.comma = ';'
	}
	header, err := s.parse(text, s.hline)
	if err != nil {
		return nil, err
	}
	s.col = map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.ContainsFunc(csvColumns, func(c csvColumn) bool { return c.name == h }) {
			return nil, &profile.ProfileError{File: name, Line: s.hline, Field: h, Msg: "unknown column (columns: " + columnNames() + ")"}
		}
		if _, dup := s.col[h]; dup {
			return nil, &profile.ProfileError{File: name, Line: s.hline, Field: h, Msg: "column is given twice"}
		}
		s.col[h] = i
	}
	for _, c := range csvColumns {
		if _, ok := s.col[c.name]; c.required && !ok {
			return nil, &profile.ProfileError{File: name, Line: s.hline, Field: c.name, Msg: "required column is missing"}
		}
	}
	return s, nil
}

// parse splits one record's text into cells.
func (s *csvSource) parse(text []byte, line int) ([]string, error) {
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = s.comma
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &profile.ProfileError{File: s.name, Line: line + pe.Line - 1, Msg: pe.Err.Error()}
		}
		return nil, &profile.ProfileError{File: s.name, Line: line, Msg: err.Error()}
	}
	return rec, nil
}

// count counts the records after the header, read as each reads them
// (the file is read again for the run).
func (s *csvSource) count(ctx context.Context) (n int, err error) {
	s.records(func(int, []string, error) bool {
		n++
		if n%4096 == 0 && ctx.Err() != nil {
			err = fmt.Errorf("read fleet: %s: %w", s.name, ctx.Err())
			return false
		}
		return true
	})
	return n, err
}

// blankRecord reports whether a record has only empty cells (",,,").
func blankRecord(text []byte) bool {
	return len(bytes.Trim(text, " \t,;")) == 0
}

// each yields every record as a device.
func (s *csvSource) each(yield func(Device) bool) error {
	return s.records(func(line int, rec []string, err error) bool {
		if err != nil {
			return yield(s.bad(line, "", err))
		}
		return yield(s.device(line, rec))
	})
}

// records calls yield with each record's cells, or with the error of a
// record that cannot be read (the reader goes on after it), and its first
// line; it stops when yield returns false. The error it returns is the
// file's (a read error), not a record's.
func (s *csvSource) records(yield func(line int, rec []string, err error) bool) error {
	for {
		text, lines, err := s.rr.next()
		if err == io.EOF {
			return nil
		}
		var re *rowError
		if errors.As(err, &re) {
			if !yield(re.line, nil, &profile.ProfileError{File: s.name, Line: re.line, Msg: re.msg}) {
				return nil
			}
			continue
		}
		if err != nil {
			return err
		}
		if blankRecord(text) {
			continue
		}
		line := lines[0].n
		rec, err := s.parse(text, line)
		if err != nil && len(lines) > 1 {
			// A quote that pairs with one on a later line but does not
			// make a cell: this line is the error, the later ones are
			// rows of their own.
			s.rr.unread(lines[1:])
			err = &profile.ProfileError{File: s.name, Line: line, Msg: "a quote in a cell that is not quoted, or a quoted cell that does not end"}
		}
		if !yield(line, rec, err) {
			return nil
		}
	}
}

// device turns one record into a device (or that row's error).
func (s *csvSource) device(line int, rec []string) Device {
	name := ""
	if i, ok := s.col["name"]; ok && i < len(rec) {
		name = strings.TrimSpace(rec[i])
	}
	if len(rec) != len(s.col) {
		return s.bad(line, name, &profile.ProfileError{File: s.name, Line: line,
			Msg: fmt.Sprintf("wrong number of cells: %d, the header has %d (every record has one cell per header column)", len(rec), len(s.col))})
	}
	p, warning, err := csvProfile(s.name, line, rec, s.col)
	if err != nil {
		return s.bad(line, name, err)
	}
	if p.OAuth.TokenFile != "" && !filepath.IsAbs(p.OAuth.TokenFile) {
		p.OAuth.TokenFile = filepath.Join(s.dir, p.OAuth.TokenFile)
	}
	d := Device{Name: p.Device.Name, Profile: p, Source: fmt.Sprintf("%s:%d", s.name, line), Warning: warning}
	if i, ok := s.col["ca"]; ok {
		if ca := strings.TrimSpace(rec[i]); ca != "" {
			if !filepath.IsAbs(ca) {
				ca = filepath.Join(s.dir, ca)
			}
			d.CAFile = ca
		}
	}
	return d
}

// bad is the device of a row that cannot be checked: named by its name
// cell, or by file:line when it has none.
func (s *csvSource) bad(line int, name string, err error) Device {
	src := fmt.Sprintf("%s:%d", s.name, line)
	if name == "" {
		name = src
	}
	return Device{Name: name, Source: src, Err: err, invalid: true}
}

// collect reads a whole fleet into memory, as LoadFleet's callers (the
// exporter, the TUI) want it: any invalid entry is an error (up to 20 are
// reported), device names must be unique. A device whose own files cannot
// be read stays a device with Err.
func collect(f *Fleet) ([]Device, error) {
	var out []Device
	var errs errorList
	for d := range f.Devices() {
		if d.invalid {
			errs.add(d.Err)
			continue
		}
		out = append(out, d)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out, uniqueNames(out)
}
