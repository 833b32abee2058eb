// Package device asks a printer about itself over IPP (RFC 8011) and sends
// it a document: Get-Printer-Attributes for its identity (make and model,
// firmware, UUID, state, the document formats it takes) and Print-Job for
// the status sheet. Messages are encoded and decoded by
// github.com/OpenPrinting/goipp (the IPP library ipp-usb is built on); the
// transport is net/http, with the caller's TLS configuration and a timeout
// from the caller's context.
//
// Every string the printer returns is outside text: it is sanitized here,
// where it enters mfpcheck, and nowhere else.
package device

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/OpenPrinting/goipp"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// DefaultPort is IPP's registered port (RFC 8011, section 4.4.1 of RFC 8010).
const DefaultPort = 631

// DefaultTimeout bounds one IPP exchange when the caller gives none: a
// printer that has not answered Get-Printer-Attributes in 10 s is asleep or
// not a printer.
const DefaultTimeout = 10 * time.Second

// MaxResponse caps the bytes read from a printer's answer. Real
// Get-Printer-Attributes responses are a few KiB to some 100 KiB.
const MaxResponse = 4 << 20

// Identity is what a printer says about itself. Its one home is the
// report (report.DeviceIdentity), where a check records it beside the
// probes.
type Identity = report.DeviceIdentity

// Job is a printer's answer to Print-Job.
type Job struct {
	ID           int      `json:"id"`
	State        string   `json:"state,omitempty"`
	StateReasons []string `json:"state_reasons,omitempty"`
}

// Client talks IPP to one printer.
type Client struct {
	// URI is the printer's ipp:// or ipps:// URI.
	URI string
	// TLS is used for ipps://; nil means the system roots and full checks.
	TLS *tls.Config
	// Timeout bounds each exchange; 0 means DefaultTimeout.
	Timeout time.Duration
	// User is sent as requesting-user-name; empty means "mfpcheck".
	User string

	reqID atomic.Uint32
}

// PrinterURI turns what a user types into a printer URI: "HOST",
// "HOST:PORT", "[v6]:PORT", or an ipp:// / ipps:// URI (kept, with
// /ipp/print as the path when it has none).
func PrinterURI(target string) (string, error) {
	t := strings.TrimSpace(target)
	if t == "" {
		return "", errors.New("no printer address")
	}
	if !strings.Contains(t, "://") {
		t = "ipp://" + t
	}
	// Errors quote what was typed without any user:password@ in it.
	target = withoutUserinfo(t)
	u, err := url.Parse(t)
	if err != nil {
		return "", fmt.Errorf("printer address %q: %w", target, errors.Unwrap(err))
	}
	if u.Scheme != "ipp" && u.Scheme != "ipps" {
		return "", fmt.Errorf("printer address %q: scheme %q is not ipp or ipps", target, u.Scheme)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("printer address %q has no host", target)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("printer address %q: port %q is not 1-65535", target, p)
		}
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/ipp/print"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String(), nil
}

// withoutUserinfo is an address with any "user:password@" before its host
// removed, also when the address does not parse.
func withoutUserinfo(t string) string {
	i := strings.Index(t, "://")
	if i < 0 {
		return t
	}
	host := t[i+3:]
	if j := strings.IndexAny(host, "/?#"); j >= 0 {
		host = host[:j]
	}
	if k := strings.LastIndex(host, "@"); k >= 0 {
		return t[:i+3] + t[i+3+k+1:]
	}
	return t
}

// httpURL is the HTTP URL an IPP URI is posted to (RFC 8010, section 4.4).
func httpURL(ippURI string) (string, error) {
	u, err := url.Parse(ippURI)
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "ipp":
		u.Scheme = "http"
	case "ipps":
		u.Scheme = "https"
	default:
		return "", fmt.Errorf("scheme %q is not ipp or ipps", u.Scheme)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(DefaultPort))
	}
	return u.String(), nil
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) user() string {
	if c.User != "" {
		return c.User
	}
	return "mfpcheck"
}

// request builds an IPP request with the operation attributes every
// printer operation carries (RFC 8011, section 4.1.4 and 4.1.5).
func (c *Client) request(op goipp.Op) *goipp.Message {
	m := goipp.NewRequest(goipp.MakeVersion(2, 0), op, c.reqID.Add(1))
	m.Operation.Add(goipp.MakeAttribute("attributes-charset", goipp.TagCharset, goipp.String("utf-8")))
	m.Operation.Add(goipp.MakeAttribute("attributes-natural-language", goipp.TagLanguage, goipp.String("en")))
	m.Operation.Add(goipp.MakeAttribute("printer-uri", goipp.TagURI, goipp.String(c.URI)))
	m.Operation.Add(goipp.MakeAttribute("requesting-user-name", goipp.TagName, goipp.String(c.user())))
	return m
}

// identityAttrs are the attributes Get-Printer-Attributes asks for.
var identityAttrs = []string{
	"printer-make-and-model", "printer-firmware-string-version", "printer-uuid",
	"printer-state", "printer-state-reasons", "printer-more-info",
	"document-format-supported",
}

// Identify asks the printer for its identity with Get-Printer-Attributes.
func (c *Client) Identify(ctx context.Context) (*Identity, error) {
	m := c.request(goipp.OpGetPrinterAttributes)
	vals := make([]goipp.Value, 0, len(identityAttrs)-1)
	for _, a := range identityAttrs[1:] {
		vals = append(vals, goipp.String(a))
	}
	m.Operation.Add(goipp.MakeAttr("requested-attributes", goipp.TagKeyword, goipp.String(identityAttrs[0]), vals...))
	body, err := c.exchange(ctx, "Get-Printer-Attributes", m, nil)
	if err != nil {
		return nil, err
	}
	id, err := ParseIdentity(body)
	if err != nil {
		return nil, fmt.Errorf("Get-Printer-Attributes %s: %w", c.URI, err)
	}
	id.URI = c.URI
	return id, nil
}

// PrintJob sends doc with Print-Job as document-format (e.g.
// "application/pdf") and returns the job the printer made.
func (c *Client) PrintJob(ctx context.Context, jobName, format string, doc []byte) (*Job, error) {
	m := c.request(goipp.OpPrintJob)
	m.Operation.Add(goipp.MakeAttribute("job-name", goipp.TagName, goipp.String(jobName)))
	m.Operation.Add(goipp.MakeAttribute("document-format", goipp.TagMimeType, goipp.String(format)))
	body, err := c.exchange(ctx, "Print-Job", m, doc)
	if err != nil {
		return nil, err
	}
	j, err := ParseJob(body)
	if err != nil {
		return nil, fmt.Errorf("Print-Job %s: %w", c.URI, err)
	}
	return j, nil
}

// exchange posts one IPP request (and the document after it) and returns
// the response body, bounded by the client's timeout.
func (c *Client) exchange(ctx context.Context, opName string, m *goipp.Message, doc []byte) ([]byte, error) {
	target, err := httpURL(c.URI)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", opName, c.URI, err)
	}
	head, err := m.EncodeBytes()
	if err != nil {
		return nil, fmt.Errorf("%s: encode: %w", opName, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, io.MultiReader(bytes.NewReader(head), bytes.NewReader(doc)))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", opName, c.URI, err)
	}
	req.ContentLength = int64(len(head) + len(doc))
	req.Header.Set("Content-Type", goipp.ContentType)
	tr := &http.Transport{
		TLSClientConfig:   c.TLS,
		Proxy:             nil, // a printer is on the local network, never behind the user's web proxy
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	// A redirect is not followed: IPP has none (RFC 8010, 4.4), and a
	// printer must not send mfpcheck on to another address.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := (&http.Client{Transport: tr, CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", opName, c.URI, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: HTTP %s", opName, c.URI, redact.SanitizeText(resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", opName, c.URI, err)
	}
	if len(body) > MaxResponse {
		return nil, fmt.Errorf("%s %s: answer longer than %d bytes", opName, c.URI, MaxResponse)
	}
	return body, nil
}

// decode reads an IPP response and checks its status code.
func decode(body []byte) (*goipp.Message, error) {
	var m goipp.Message
	if err := m.DecodeBytes(body); err != nil {
		return nil, fmt.Errorf("not an IPP answer: %w", err)
	}
	// 0x0000-0x00FF are the successful-ok statuses (RFC 8011, 5.4.15).
	if st := goipp.Status(m.Code); st > 0x00ff {
		return nil, &StatusError{Status: st, Message: first(m.Operation, "status-message")}
	}
	return &m, nil
}

// ParseIdentity decodes a Get-Printer-Attributes response body.
func ParseIdentity(body []byte) (*Identity, error) {
	m, err := decode(body)
	if err != nil {
		return nil, err
	}
	p := m.Printer
	id := &Identity{
		Source:          SourceIPP,
		MakeAndModel:    first(p, "printer-make-and-model"),
		Firmware:        joined(all(p, "printer-firmware-string-version")),
		UUID:            first(p, "printer-uuid"),
		State:           printerState(first(p, "printer-state")),
		StateReasons:    all(p, "printer-state-reasons"),
		MoreInfo:        first(p, "printer-more-info"),
		DocumentFormats: all(p, "document-format-supported"),
	}
	// Only maxValues formats are kept; PDF, the one PrintPDF needs, is
	// kept wherever the printer lists it.
	if !id.Supports(PDF) && slices.ContainsFunc(rawValues(p, "document-format-supported"), func(f string) bool { return strings.EqualFold(f, PDF) }) {
		id.DocumentFormats = append(id.DocumentFormats, PDF)
	}
	if id.MakeAndModel != "" {
		id.ModelFrom = "printer-make-and-model"
	}
	if id.Firmware != "" {
		id.FirmwareFrom = "printer-firmware-string-version"
	}
	return id, nil
}

// ParseJob decodes a Print-Job response body.
func ParseJob(body []byte) (*Job, error) {
	m, err := decode(body)
	if err != nil {
		return nil, err
	}
	s := first(m.Job, "job-id")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("no job-id in the answer")
	}
	return &Job{
		ID:           n,
		State:        jobState(first(m.Job, "job-state")),
		StateReasons: all(m.Job, "job-state-reasons"),
	}, nil
}

// maxValues caps how many values of one attribute are kept.
const maxValues = 64

// all returns an attribute's values as sanitized strings.
func all(attrs goipp.Attributes, name string) []string {
	for _, a := range attrs {
		if a.Name != name {
			continue
		}
		var out []string
		for _, v := range a.Values {
			if len(out) == maxValues {
				break
			}
			if v.V == nil || v.V.Type() == goipp.TypeCollection {
				continue
			}
			s := clean(v.V.String())
			if s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// rawValues returns an attribute's string values as sent, unsanitized and
// unbounded in number: for comparing with a constant only.
func rawValues(attrs goipp.Attributes, name string) []string {
	for _, a := range attrs {
		if a.Name != name {
			continue
		}
		out := make([]string, 0, len(a.Values))
		for _, v := range a.Values {
			if v.V != nil && v.V.Type() != goipp.TypeCollection {
				out = append(out, v.V.String())
			}
		}
		return out
	}
	return nil
}

// joined is values as one line of at most maxText bytes.
func joined(v []string) string {
	return redact.SafePrefix(strings.Join(v, ", "), maxText)
}

// first returns an attribute's first value, or "".
func first(attrs goipp.Attributes, name string) string {
	if v := all(attrs, name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// maxText caps one value's length: no identity string is longer.
const maxText = 1024

// clean sanitizes one value from the printer: one line, bounded.
func clean(s string) string {
	if len(s) > maxText {
		s = s[:maxText]
	}
	s = redact.SanitizeText(s)
	s = strings.Join(strings.Fields(s), " ")
	return s
}

// printerState names printer-state (RFC 8011, 5.4.11).
func printerState(v string) string {
	switch v {
	case "3":
		return "idle"
	case "4":
		return "processing"
	case "5":
		return "stopped"
	case "":
		return ""
	}
	return "unknown (" + v + ")"
}

// jobState names job-state (RFC 8011, 5.3.7).
func jobState(v string) string {
	names := map[string]string{"3": "pending", "4": "pending-held", "5": "processing",
		"6": "processing-stopped", "7": "canceled", "8": "aborted", "9": "completed"}
	if n, ok := names[v]; ok {
		return n
	}
	if v == "" {
		return ""
	}
	return "unknown (" + v + ")"
}
