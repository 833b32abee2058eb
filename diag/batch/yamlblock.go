package batch

import (
	"bytes"
	"fmt"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"go.yaml.in/yaml/v3"
)

// blockSeq is the devices: list of a fleet file written the usual way (a
// block sequence under a "devices:" line at the left margin), found in the
// text so that each item is parsed on its own when the run reads it: a
// fleet's YAML tree costs about 60 times the file, so parsing the whole
// file at once would grow with the fleet. A file of another shape (flow
// style, several documents, anchors or aliases, tabs) is parsed whole, as
// before.
type blockSeq struct {
	start, end int // byte range of the items
	line       int // line number of data[start]
	indent     int // the items' "- " column
	items      int
}

// findBlockSeq finds the devices: block sequence of data, or ok false.
func findBlockSeq(data []byte) (b blockSeq, ok bool) {
	if bytes.ContainsAny(data, "&*\t") || bytes.Contains(data, []byte("\n---")) || bytes.HasPrefix(data, []byte("---")) {
		return b, false
	}
	off, line := 0, 1
	state := 0 // 0 looking for devices:, 1 looking for the first item, 2 in the items
	found := false
	for off < len(data) {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		} else {
			end = len(data) - off
		}
		text := bytes.TrimRight(data[off:off+end], "\r")
		content := bytes.TrimLeft(text, " ")
		indent := len(text) - len(content)
		blank := len(content) == 0 || content[0] == '#'
		switch {
		case state == 0 && !blank && indent == 0 && isDevicesKey(content):
			if found {
				return b, false // given twice: the whole parse says so
			}
			found, state = true, 1
		case state == 1 && !blank:
			if !isItem(content) {
				return b, false
			}
			b = blockSeq{start: off, line: line, indent: indent, items: 1}
			state = 2
		case state == 2 && !blank:
			switch {
			case indent < b.indent || (indent == b.indent && !isItem(content)):
				b.end, state = off, 0
			case indent == b.indent:
				b.items++
			}
		}
		off, line = next, line+1
	}
	if state == 2 {
		b.end = len(data)
	}
	return b, found && b.items > 0
}

// isDevicesKey: "devices:" with nothing after it but a comment.
func isDevicesKey(content []byte) bool {
	rest, ok := bytes.CutPrefix(content, []byte("devices:"))
	rest = bytes.TrimLeft(rest, " ")
	return ok && (len(rest) == 0 || rest[0] == '#')
}

// isItem: a block sequence entry ("- …" or a lone "-").
func isItem(content []byte) bool {
	return bytes.Equal(content, []byte("-")) || bytes.HasPrefix(content, []byte("- "))
}

// skeleton is data with the items' lines emptied (line numbers kept), for
// the frame (defaults:, the keys) to be parsed without the devices.
func (b blockSeq) skeleton(data []byte) []byte {
	out := make([]byte, 0, len(data)-(b.end-b.start)+b.items)
	out = append(out, data[:b.start]...)
	for _, c := range data[b.start:b.end] {
		if c == '\n' {
			out = append(out, c)
		}
	}
	return append(out, data[b.end:]...)
}

// each yields each item's text and first line number.
func (b blockSeq) each(data []byte, yield func(text []byte, line int) bool) {
	off, line := b.start, b.line
	itemStart, itemLine := -1, 0
	for off < b.end {
		end := bytes.IndexByte(data[off:b.end], '\n')
		next := b.end
		if end >= 0 {
			next = off + end + 1
		} else {
			end = b.end - off
		}
		text := bytes.TrimRight(data[off:off+end], "\r")
		content := bytes.TrimLeft(text, " ")
		if len(text)-len(content) == b.indent && isItem(content) {
			if itemStart >= 0 && !yield(data[itemStart:off], itemLine) {
				return
			}
			itemStart, itemLine = off, line
		}
		off, line = next, line+1
	}
	if itemStart >= 0 {
		yield(data[itemStart:b.end], itemLine)
	}
}

// itemsParse reports whether every item parses on its own (each is parsed
// again, one at a time, when the run reads it: the check costs time, not
// memory).
func (b blockSeq) itemsParse(name string, data []byte) bool {
	ok := true
	b.each(data, func(text []byte, line int) bool {
		_, err := parseItem(name, text, line)
		ok = err == nil
		return ok
	})
	return ok
}

// parseItem parses one item's text (a one-entry block sequence) into its
// entry node, with the file's line numbers.
func parseItem(name string, text []byte, line int) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		err = yamlSyntaxError(name, err)
		if pe, ok := err.(*profile.ProfileError); ok && pe.Line > 0 {
			pe.Line += line - 1
		}
		return nil, err
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.SequenceNode || len(doc.Content[0].Content) != 1 {
		return nil, &profile.ProfileError{File: name, Line: line, Msg: fmt.Sprintf("cannot read this entry of devices: (%d lines)", bytes.Count(text, []byte("\n")))}
	}
	entry := doc.Content[0].Content[0]
	shiftLines(entry, line-1)
	return entry, nil
}

func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}
