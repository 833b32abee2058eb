// Package token reads, checks, refreshes and stores the OAuth 2.0 tokens a
// device (or mfpcheck on its behalf) uses with Exchange Online.
//
// It owns four things: the token file formats (Load, Parse, Save), the
// reading of an access token's claims (Inspect, which fills a
// report.TokenInfo), the refresh-token exchange against Entra ID (Refresh) and
// the device authorization grant of RFC 8628 (DeviceLogin).
//
// The package records data only. What a state or an AADSTS code means, and
// what to do about it, is the diagnosis catalogue's business. No function
// here prints, and no error carries a token: errors name the file, the line
// or the step.
package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mfpcheck/mfpcheck/diag/safefile"
)

// Token formats, as Set.Format and report.TokenInfo.Format.
const (
	FormatOAuth2JSON    = "oauth2-json"    // golang.org/x/oauth2's Token JSON ("expiry")
	FormatTokenResponse = "token-response" // a raw token-endpoint answer ("expires_in")
	FormatJWT           = "jwt"            // a bare access token in JWT form
	FormatOpaque        = "opaque"         // any other bare token
	FormatNone          = "none"           // no token at all
)

// MaxFileSize bounds a token file. Entra access tokens are 1.5–3 KB and
// refresh tokens about 1–2 KB; 64 KB leaves room for any real file and keeps
// a wrong path (a log, a disk image) from being read whole.
const MaxFileSize = 64 << 10

// Set is what a token file (or variable) holds.
type Set struct {
	Access, Refresh string
	// Expiry of the access token, from "expiry", "expires_on" or
	// "expires_in" (the latter counted from the file's modification time).
	// Zero when unknown.
	Expiry time.Time
	Scope  string
	Format string // oauth2-json | token-response | jwt | opaque
	Source string // file path or "env:NAME"
	// Mode is the file's permission bits when read from a file, else 0.
	Mode os.FileMode
	// LastUsed is the last successful use (issue or refresh) of the refresh
	// token, kept in the file as "mfpcheck_last_used". Zero when unknown.
	LastUsed time.Time

	// modTime is the file's modification time, a stand-in for LastUsed.
	modTime time.Time
	// expiresIn is a relative lifetime waiting for a base time.
	expiresIn time.Duration
	fromFile  bool
}

// FileError is a token file (or variable) that could not be read as a
// token. It names the source, and the line when one is known.
type FileError struct {
	Source string
	Line   int
	Msg    string
	Err    error
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

func (e *FileError) Unwrap() error { return e.Err }

// Load reads a token file in any supported format.
func Load(path string) (*Set, error) {
	data, fi, err := safefile.ReadFile(path, MaxFileSize)
	var te *safefile.FileTypeError
	if errors.As(err, &te) {
		return nil, &FileError{Source: path, Msg: te.Msg, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read token file: %w", err)
	}
	s, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	s.Mode = fi.Mode().Perm()
	s.modTime = fi.ModTime()
	s.fromFile = true
	if s.Expiry.IsZero() && s.expiresIn > 0 {
		// A saved token-endpoint answer: expires_in counts from when it was
		// received, which is at best the file's modification time.
		s.Expiry = s.modTime.Add(s.expiresIn)
	}
	return s, nil
}

// FromEnv reads a token from an environment variable's value.
func FromEnv(name, value string) (*Set, error) {
	src := "env:" + name
	if strings.TrimSpace(value) == "" {
		return nil, &FileError{Source: src, Msg: "variable is empty or not set"}
	}
	return Parse(src, []byte(value))
}

// fileJSON is the union of the JSON token forms we read, and the form Save
// writes (golang.org/x/oauth2's Token JSON plus scope and last-used time).
type fileJSON struct {
	AccessToken  string `json:"access_token,omitempty"`
	TokenType    string `json:"token_type,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Expiry       string `json:"expiry,omitempty"`
	Scope        string `json:"scope,omitempty"`
	LastUsed     string `json:"mfpcheck_last_used,omitempty"`
}

// Parse decodes a token from data: golang.org/x/oauth2 Token JSON, a raw
// token-endpoint response, a bare JWT or an opaque string. source names the
// data in errors and becomes Set.Source.
func Parse(source string, data []byte) (*Set, error) {
	if len(data) > MaxFileSize {
		return nil, &FileError{Source: source, Msg: fmt.Sprintf("larger than %d bytes; not a token", MaxFileSize)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from Notepad
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, &FileError{Source: source, Msg: "empty; no token in it"}
	}
	if trimmed[0] == '{' {
		return parseJSON(source, data)
	}
	tok := string(trimmed)
	if t, ok := strings.CutPrefix(tok, "Bearer "); ok {
		tok = strings.TrimSpace(t)
	}
	if i := strings.IndexFunc(tok, notTokenChar); i >= 0 {
		line := 1 + strings.Count(string(data[:min(len(data), bytes.Index(data, []byte(tok))+i)]), "\n")
		return nil, &FileError{Source: source, Line: line, Msg: "not a token: a bare token is one word of printable ASCII (for JSON the file must start with '{')"}
	}
	s := &Set{Access: tok, Source: source, Format: FormatOpaque}
	if looksLikeJWT(tok) {
		s.Format = FormatJWT
		if c, err := DecodeClaims(tok); err == nil && c.Exp > 0 {
			s.Expiry = unixTime(c.Exp)
		}
	}
	return s, nil
}

// notTokenChar is a character no bearer token holds (RFC 6750's b64token
// is letters, digits and -._~+/=; real tokens add a few more, never spaces,
// quotes or brackets).
func notTokenChar(r rune) bool {
	return r > unicode.MaxASCII || !unicode.IsPrint(r) || strings.ContainsRune(" \"'`<>[]{}(),;\\", r)
}

func parseJSON(source string, data []byte) (*Set, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, jsonError(source, data, err)
	}
	if dec.More() {
		return nil, jsonError(source, data, errors.New("more than one JSON value"))
	}
	s := &Set{Source: source}
	str := func(key string) (string, error) {
		v, ok := raw[key]
		if !ok || string(v) == "null" {
			return "", nil
		}
		var x string
		if err := json.Unmarshal(v, &x); err != nil {
			return "", &FileError{Source: source, Line: keyLine(data, key), Msg: fmt.Sprintf("field %q is not a string", key)}
		}
		return x, nil
	}
	var err error
	if s.Access, err = str("access_token"); err != nil {
		return nil, err
	}
	if s.Refresh, err = str("refresh_token"); err != nil {
		return nil, err
	}
	if s.Scope, err = str("scope"); err != nil {
		return nil, err
	}
	if s.Access == "" && s.Refresh == "" {
		return nil, &FileError{Source: source, Line: 1, Msg: "JSON has neither \"access_token\" nor \"refresh_token\"; not a token file"}
	}
	for _, tk := range []struct{ name, v string }{{"access_token", s.Access}, {"refresh_token", s.Refresh}} {
		if strings.ContainsFunc(tk.v, notTokenChar) {
			return nil, &FileError{Source: source, Line: keyLine(data, tk.name), Msg: fmt.Sprintf("field %q holds spaces or control characters; not a token", tk.name)}
		}
	}
	_, hasExpiry := raw["expiry"]
	_, hasIn := raw["expires_in"]
	_, hasOn := raw["expires_on"]
	switch {
	case hasExpiry:
		s.Format = FormatOAuth2JSON
		v, err := str("expiry")
		if err != nil {
			return nil, err
		}
		if v != "" && !strings.HasPrefix(v, "0001-01-01") {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, &FileError{Source: source, Line: keyLine(data, "expiry"), Msg: fmt.Sprintf("field \"expiry\" is not an RFC 3339 time: %q", shorten(v))}
			}
			s.Expiry = t
		}
	case hasIn || hasOn:
		s.Format = FormatTokenResponse
		if hasOn {
			n, err := number(raw["expires_on"])
			if err != nil {
				return nil, &FileError{Source: source, Line: keyLine(data, "expires_on"), Msg: "field \"expires_on\" is not a Unix time"}
			}
			s.Expiry = unixTime(n)
		}
		if hasIn {
			n, err := number(raw["expires_in"])
			if err != nil || n < 0 || n > 1e9 {
				return nil, &FileError{Source: source, Line: keyLine(data, "expires_in"), Msg: "field \"expires_in\" is not a number of seconds"}
			}
			s.expiresIn = time.Duration(n) * time.Second
		}
	default:
		s.Format = FormatOAuth2JSON
	}
	if v, err := str("mfpcheck_last_used"); err != nil {
		return nil, err
	} else if v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, &FileError{Source: source, Line: keyLine(data, "mfpcheck_last_used"), Msg: fmt.Sprintf("field \"mfpcheck_last_used\" is not an RFC 3339 time: %q", shorten(v))}
		}
		s.LastUsed = t
	}
	if s.Expiry.IsZero() && looksLikeJWT(s.Access) {
		if c, err := DecodeClaims(s.Access); err == nil && c.Exp > 0 {
			s.Expiry = unixTime(c.Exp)
		}
	}
	return s, nil
}

// number reads a JSON number or a string holding one (Entra's v1 endpoint
// sends "expires_in":"3599").
func number(v json.RawMessage) (int64, error) {
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return 0, err
	}
	switch t := x.(type) {
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 || t > 1e12 {
			return 0, errors.New("out of range")
		}
		return int64(t), nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if err != nil || n < 0 || n > 1e12 {
			return 0, errors.New("not a number")
		}
		return n, nil
	}
	return 0, errors.New("not a number")
}

// unixTime converts seconds since 1970, bounded to years a token can have.
func unixTime(n int64) time.Time {
	if n <= 0 || n > 1e11 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func jsonError(source string, data []byte, err error) error {
	var se *json.SyntaxError
	line := 0
	if errors.As(err, &se) {
		off := int(min(se.Offset, int64(len(data))))
		line = 1 + bytes.Count(data[:off], []byte("\n"))
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return &FileError{Source: source, Line: 1, Msg: "JSON is not an object", Err: err}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		line = 1 + bytes.Count(data, []byte("\n"))
		return &FileError{Source: source, Line: line, Msg: "JSON ends early (file cut off?)", Err: err}
	}
	return &FileError{Source: source, Line: line, Msg: "not valid JSON: " + strings.TrimPrefix(err.Error(), "json: "), Err: err}
}

// keyLine is the line of the first `"key"` in data, or 0.
func keyLine(data []byte, key string) int {
	i := bytes.Index(data, []byte(`"`+key+`"`))
	if i < 0 {
		return 0
	}
	return 1 + bytes.Count(data[:i], []byte("\n"))
}

// shorten keeps a value from a file short in an error message; the values
// quoted are times, never tokens.
func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Save writes s to path as golang.org/x/oauth2 Token JSON (plus "scope" and
// "mfpcheck_last_used"), mode 0600. The write is atomic: a temporary file in
// the same folder is written, synced and renamed over path, so a file the
// user had is replaced only by a complete new one.
func Save(path string, s *Set) error {
	if s == nil || (s.Access == "" && s.Refresh == "") {
		return fmt.Errorf("save token file %s: no token to save", path)
	}
	if err := Validate(s); err != nil {
		return fmt.Errorf("save token file %s: %w; the file was left as it was", path, err)
	}
	if err := safefile.RegularOrMissing(path); err != nil {
		return fmt.Errorf("save token file: %w", err)
	}
	fj := fileJSON{AccessToken: s.Access, RefreshToken: s.Refresh, Scope: s.Scope, TokenType: "Bearer"}
	if !s.Expiry.IsZero() {
		fj.Expiry = s.Expiry.UTC().Format(time.RFC3339)
	} else {
		fj.Expiry = "0001-01-01T00:00:00Z"
	}
	if !s.LastUsed.IsZero() {
		fj.LastUsed = s.LastUsed.UTC().Format(time.RFC3339)
	}
	data, err := json.MarshalIndent(fj, "", "  ")
	if err != nil {
		return fmt.Errorf("save token file %s: %w", path, err)
	}
	data = append(data, '\n')
	// The previous file is kept as .bak, then replaced atomically, then
	// read back: what cannot be read back is undone from the backup.
	bak, err := Backup(path)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, data, 0o600); err != nil {
		return err
	}
	back, err := Load(path)
	if err == nil && (back.Access != s.Access || back.Refresh != s.Refresh) {
		err = errors.New("the tokens read back differ from those written")
	}
	if err != nil {
		if bak != "" {
			if old, rerr := os.ReadFile(bak); rerr == nil {
				writeAtomic(path, old, 0o600)
			}
		}
		return fmt.Errorf("save token file %s: cannot read back what was written (%v); the previous file was restored", path, err)
	}
	return nil
}

// MaxTokenLen bounds one token. Entra access tokens are 1.5-3 KB and
// refresh tokens 1-2 KB; 16 KiB is far beyond any real one and keeps the
// file within MaxFileSize.
const MaxTokenLen = 16 << 10

// Validate checks a token set before it replaces a file: each token is one
// word of printable ASCII (RFC 6750's b64token and Entra's refresh tokens
// are), no longer than MaxTokenLen. A token endpoint answering with spaces,
// control characters, a megabyte or nothing gets an error, and the old
// file stays.
func Validate(s *Set) error {
	if s == nil || s.Access == "" {
		return errors.New("the token endpoint's answer has no access token")
	}
	for _, t := range []struct{ name, v string }{{"access token", s.Access}, {"refresh token", s.Refresh}} {
		if len(t.v) > MaxTokenLen {
			return fmt.Errorf("the %s is %d bytes long, more than %d: not a token", t.name, len(t.v), MaxTokenLen)
		}
		if i := strings.IndexFunc(t.v, notTokenChar); i >= 0 {
			return fmt.Errorf("the %s holds a space or control character at byte %d: not a token", t.name, i+1)
		}
	}
	return nil
}

// writeAtomic writes a token file through safefile.WriteFileAtomic.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	if err := safefile.WriteFileAtomic(path, data, mode); err != nil {
		return fmt.Errorf("save token file: %w", err)
	}
	return nil
}

// Backup copies the token file at path to path+".bak" (atomically, 0600)
// before it is replaced. It returns the backup's path, or "" when there is
// no file to keep.
func Backup(path string) (string, error) {
	data, _, err := safefile.ReadFile(path, MaxFileSize)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("back up token file: %w", err)
	}
	bak := path + ".bak"
	if err := writeAtomic(bak, data, 0o600); err != nil {
		return "", fmt.Errorf("back up token file %s: %w", path, err)
	}
	return bak, nil
}
