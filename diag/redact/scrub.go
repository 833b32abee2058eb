package redact

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// Outside text (server replies, certificate fields, JWT claims, pasted
// logs, fleet and profile values) reaches the report through Scrub, once,
// before the diagnosis and any renderer read it. Scrub removes every known
// secret in every form (Redactor) and makes every string printable
// (SanitizeText), so text, CSV, PDF and TUI never need their own escaping
// and JSON carries the data escaped by encoding/json.

// SanitizeText makes outside text safe for a terminal, a CSV cell and a
// PDF: line feeds stay, a tab becomes a space; every other C0 control, DEL,
// C1 control (U+0080-U+009F), bidi embedding or override (U+202A-U+202E,
// U+2066-U+2069), invalid UTF-8 and the replacement character itself become
// "�". An escape sequence (CSI "ESC [ … final", OSC "ESC ] … BEL or ST"
// such as OSC 52 clipboard writes, and their 8-bit forms) becomes one "�"
// with its payload dropped, so nothing of it is interpreted or shown.
func SanitizeText(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError:
			b.WriteRune('�')
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case r == 0x1b || r == 0x9b || r == 0x9d || r == 0x90 || r == 0x9e || r == 0x9f:
			b.WriteRune('�')
			i += size
			i += escapeLen(s[i:], r)
			continue
		case unsafeRune(r):
			b.WriteRune('�')
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isClean reports whether s needs no change (the common case: no
// allocation).
func isClean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune: controls other than line feed and tab, C1, bidi controls.
func unsafeRune(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == utf8.RuneError
}

// escapeLen is the length of the rest of an escape sequence that began
// with intro (ESC or an 8-bit introducer), so the whole sequence can be
// dropped. A sequence is cut at a line feed and bounded to 4 KiB, so a
// lone ESC never swallows the rest of a reply.
func escapeLen(s string, intro rune) int {
	const maxSeq = 4096
	kind := intro
	i := 0
	if intro == 0x1b {
		if len(s) == 0 {
			return 0
		}
		switch s[0] {
		case '[':
			kind = 0x9b
		case ']':
			kind = 0x9d
		case 'P', '^', '_', 'X':
			kind = 0x9d // DCS, PM, APC, SOS: string until ST, like OSC
		default:
			if s[0] >= 0x20 && s[0] < 0x7f {
				return 1 // a two-byte escape (ESC c, ESC 7 …)
			}
			return 0
		}
		i = 1
	}
	for ; i < len(s) && i < maxSeq; i++ {
		c := s[i]
		if c == '\n' {
			return i
		}
		if kind == 0x9b {
			if c >= 0x40 && c <= 0x7e {
				return i + 1
			}
			if c < 0x20 || c > 0x7e {
				return i // not a CSI byte: the sequence was cut
			}
			continue
		}
		// String sequences end with BEL, ESC \ or the 8-bit ST.
		if c == 0x07 {
			return i + 1
		}
		if c == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
			return i + 2
		}
		if c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c {
			return i + 2
		}
	}
	return i
}

// Scrub redacts and sanitizes every string reachable from v (a pointer to
// a report or any part of it): struct fields, slices, maps and pointers.
// red may be nil (a report read back from a file: the secrets are unknown,
// but it is sanitized all the same).
func Scrub(v any, red *Redactor) {
	scrubValue(reflect.ValueOf(v), red, 0)
}

func scrubValue(v reflect.Value, red *Redactor, depth int) {
	if depth > 32 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			if v.Kind() == reflect.Interface {
				// A value inside an interface is not addressable: scrub a
				// copy and put it back.
				e := v.Elem()
				if e.Kind() == reflect.String && v.CanSet() {
					v.Set(reflect.ValueOf(scrubString(e.String(), red)).Convert(e.Type()))
				} else if e.Kind() == reflect.Pointer {
					scrubValue(e, red, depth+1)
				}
				return
			}
			scrubValue(v.Elem(), red, depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				scrubValue(v.Field(i), red, depth+1)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, not text
		}
		for i := 0; i < v.Len(); i++ {
			scrubValue(v.Index(i), red, depth+1)
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return
		}
		iter := v.MapRange()
		type kv struct{ k, v reflect.Value }
		var set []kv
		for iter.Next() {
			k, e := iter.Key().String(), iter.Value().String()
			nk, ne := scrubString(k, red), scrubString(e, red)
			if nk != k || ne != e {
				set = append(set, kv{iter.Key(), reflect.ValueOf(ne).Convert(v.Type().Elem())})
				if nk != k {
					v.SetMapIndex(iter.Key(), reflect.Value{})
					set[len(set)-1].k = reflect.ValueOf(nk).Convert(v.Type().Key())
				}
			}
		}
		for _, e := range set {
			v.SetMapIndex(e.k, e.v)
		}
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); s != "" {
				if ns := scrubString(s, red); ns != s {
					v.SetString(ns)
				}
			}
		}
	}
}

func scrubString(s string, red *Redactor) string {
	return SanitizeText(red.Redact(s))
}

// Bound cuts, in place, every slice reachable from v (but the top-level
// lists a caller bounded itself, which may be longer) to maxItems elements
// and every string to maxText bytes (at a rune boundary, marked "…"). It
// serves renderers with a page budget; the JSON report keeps everything.
// Slices are copied before they are cut, so data shared with the caller's
// report is not changed.
func Bound(v any, maxItems, maxText int) {
	boundValue(reflect.ValueOf(v), maxItems, maxText, 0)
}

func boundValue(v reflect.Value, maxItems, maxText, depth int) {
	if depth > 32 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			if depth > 0 && v.CanSet() {
				// A copy: the struct may be shared with the caller's report.
				c := reflect.New(v.Elem().Type())
				c.Elem().Set(v.Elem())
				v.Set(c)
			}
			boundValue(v.Elem(), maxItems, maxText, depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				boundValue(v.Field(i), maxItems, maxText, depth+1)
			}
		}
	case reflect.Slice:
		if v.IsNil() || !v.CanSet() || v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		n := v.Len()
		if depth > 2 && n > maxItems { // depth 2: the fields of the struct v points to
			n = maxItems
		}
		c := reflect.MakeSlice(v.Type(), n, n)
		reflect.Copy(c, v)
		v.Set(c)
		for i := 0; i < n; i++ {
			boundValue(v.Index(i), maxItems, maxText, depth+1)
		}
	case reflect.Map:
		// Params: small by construction, read by key; left as they are.
	case reflect.String:
		if s := v.String(); len(s) > maxText && v.CanSet() {
			v.SetString(SafeCut(s, maxText) + "…")
		}
	}
}

// Within reports whether Bound(v, maxItems, maxText) would change nothing,
// top-level lists allowed up to maxTop.
func Within(v any, maxItems, maxText, maxTop int) bool {
	return within(reflect.ValueOf(v), maxItems, maxText, maxTop, 0)
}

func within(v reflect.Value, maxItems, maxText, maxTop, depth int) bool {
	if depth > 32 {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer:
		return v.IsNil() || within(v.Elem(), maxItems, maxText, maxTop, depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && !within(v.Field(i), maxItems, maxText, maxTop, depth+1) {
				return false
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true
		}
		limit := maxItems
		if depth <= 2 {
			limit = maxTop
		}
		if v.Len() > limit {
			return false
		}
		for i := 0; i < v.Len(); i++ {
			if !within(v.Index(i), maxItems, maxText, maxTop, depth+1) {
				return false
			}
		}
	case reflect.String:
		return v.Len() <= maxText
	}
	return true
}

// SafeCut cuts s to at most n bytes without splitting a UTF-8 rune.
func SafeCut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
