package batch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Bounds of one CSV record: an inventory is read one record at a time, so
// what one record may hold bounds the memory of reading any inventory.
const (
	// maxCSVLine is the longest physical line of an inventory.
	maxCSVLine = 64 << 10
	// maxCSVRecord is the longest record (a quoted cell may span lines).
	maxCSVRecord = 64 << 10
)

// physLine is one physical line of an inventory and its number.
type physLine struct {
	text []byte
	n    int
	err  error // a line that could not be read (too long), to report in turn
}

// recordReader splits a CSV stream into records: one physical line, or
// several while a quoted cell is open (an odd number of double quotes so
// far; RFC 4180 doubles a quote inside a quoted cell, which keeps the
// count even). Blank lines and comment lines (# first) are skipped. A
// record that cannot end (an unclosed quote running to the end of the file
// or past maxCSVRecord) is an error of its first line, and the lines after
// that first one are read again as records of their own, so one broken
// row never swallows the rows after it.
type recordReader struct {
	br   *bufio.Reader
	n    int        // physical lines read from br
	back []physLine // lines to read again, first first
}

func newRecordReader(r io.Reader) *recordReader {
	return &recordReader{br: bufio.NewReaderSize(r, 16<<10)}
}

// rowError is a record that could not be read; the reader has moved past
// it.
type rowError struct {
	line int
	msg  string
}

func (e *rowError) Error() string { return e.msg }

// line reads the next physical line (a copy, without its line end). A line
// longer than maxCSVLine is read to its end and returned as a rowError.
func (r *recordReader) line() (physLine, error) {
	if len(r.back) > 0 {
		l := r.back[0]
		r.back = r.back[1:]
		if l.err != nil {
			return physLine{}, l.err
		}
		return l, nil
	}
	var buf []byte
	tooLong := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > maxCSVLine+2 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return physLine{}, err
		}
		if err == io.EOF && len(chunk) == 0 && len(buf) == 0 && !tooLong {
			return physLine{}, io.EOF
		}
		r.n++
		if tooLong {
			return physLine{}, &rowError{line: r.n, msg: fmt.Sprintf("line is longer than %d KiB", maxCSVLine>>10)}
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		return physLine{text: buf, n: r.n}, nil
	}
}

// next returns the next record: its text (lines joined by "\n"), the
// lines it is made of, and its first line's number.
func (r *recordReader) next() (text []byte, lines []physLine, err error) {
	var first physLine
	for {
		first, err = r.line()
		if err != nil {
			return nil, nil, err
		}
		t := bytes.TrimSpace(first.text)
		if len(t) > 0 && first.text[0] != '#' {
			break
		}
	}
	lines = []physLine{first}
	text = first.text
	for bytes.Count(text, []byte(`"`))%2 == 1 {
		l, err := r.line()
		var re *rowError
		switch {
		case err == io.EOF || errors.As(err, &re) || len(text)+len(l.text) > maxCSVRecord:
			// The quote opened on the first line never closes: that
			// line is the error; the rest is read again.
			switch {
			case err == nil:
				lines = append(lines, l)
			case re != nil:
				lines = append(lines, physLine{n: re.line, err: re})
			}
			r.unread(lines[1:])
			return nil, nil, &rowError{line: first.n, msg: "a quoted cell is not closed (a \" without its closing \")"}
		case err != nil:
			return nil, nil, err
		}
		lines = append(lines, l)
		text = append(append(bytes.Clone(text), '\n'), l.text...)
	}
	return text, lines, nil
}

// unread puts lines back to be read again before anything else.
func (r *recordReader) unread(lines []physLine) {
	if len(lines) == 0 {
		return
	}
	r.back = append(append([]physLine(nil), lines...), r.back...)
}
