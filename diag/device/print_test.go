package device

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/OpenPrinting/goipp"
)

// fakePrinter is an IPP printer in this process: it answers
// Get-Printer-Attributes with formats, answers Print-Job with
// server-error-busy busy times, then takes the job. It records every
// operation and the last document.
type fakePrinter struct {
	formats []string
	busy    int

	mu      sync.Mutex
	ops     []goipp.Op
	doc     []byte
	jobName string
}

func (p *fakePrinter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req goipp.Message
	if err := req.Decode(r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	doc, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	op := goipp.Op(req.Code)
	p.ops = append(p.ops, op)
	status := goipp.StatusOk
	resp := goipp.NewResponse(goipp.MakeVersion(2, 0), status, req.RequestID)
	switch op {
	case goipp.OpGetPrinterAttributes:
		var vals []goipp.Value
		for _, f := range p.formats[1:] {
			vals = append(vals, goipp.String(f))
		}
		resp.Printer.Add(goipp.MakeAttr("document-format-supported", goipp.TagMimeType, goipp.String(p.formats[0]), vals...))
		resp.Printer.Add(goipp.MakeAttribute("printer-make-and-model", goipp.TagText, goipp.String("Fake MFP 1")))
	case goipp.OpPrintJob:
		if p.busy > 0 {
			p.busy--
			resp.Code = goipp.Code(goipp.StatusErrorBusy)
			resp.Operation.Add(goipp.MakeAttribute("status-message", goipp.TagText, goipp.String("Currently printing another job.")))
			break
		}
		p.doc = doc
		for _, a := range req.Operation {
			if a.Name == "job-name" && len(a.Values) > 0 {
				p.jobName = a.Values[0].V.String()
			}
		}
		resp.Job.Add(goipp.MakeAttribute("job-id", goipp.TagInteger, goipp.Integer(42)))
		resp.Job.Add(goipp.MakeAttribute("job-state", goipp.TagEnum, goipp.Integer(3)))
		resp.Job.Add(goipp.MakeAttribute("job-state-reasons", goipp.TagKeyword, goipp.String("job-incoming")))
	}
	w.Header().Set("Content-Type", goipp.ContentType)
	_ = resp.Encode(w)
}

func (p *fakePrinter) operations() []goipp.Op {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]goipp.Op(nil), p.ops...)
}

var sheetPDF = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

func ippURI(srv *httptest.Server, scheme string) string {
	return scheme + "://" + strings.TrimPrefix(strings.TrimPrefix(srv.URL, "http://"), "https://") + "/ipp/print"
}

func TestPrintPDF(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// Takes PDF, busy twice: sent again until taken, byte for byte.
	p := &fakePrinter{formats: []string{"application/octet-stream", "application/pdf"}, busy: 2}
	srv := httptest.NewServer(p)
	defer srv.Close()
	c := &Client{URI: ippURI(srv, "ipp")}
	res, err := c.PrintPDF(ctx, "mfpcheck status sheet \x1b[31mx", sheetPDF)
	if err != nil {
		t.Fatal(err)
	}
	if res.Job == nil || res.Job.ID != 42 || res.Job.State != "pending" || res.Printer.MakeAndModel != "Fake MFP 1" {
		t.Errorf("printed = %+v", res)
	}
	if got := res.String(); got != "job 42 (pending: job-incoming) on "+c.URI+" (Fake MFP 1)" {
		t.Errorf("String() = %q", got)
	}
	if !bytes.Equal(p.doc, sheetPDF) {
		t.Errorf("the printer got %q", p.doc)
	}
	want := []goipp.Op{goipp.OpGetPrinterAttributes, goipp.OpPrintJob, goipp.OpPrintJob, goipp.OpPrintJob}
	if ops := p.operations(); fmt.Sprint(ops) != fmt.Sprint(want) {
		t.Errorf("operations = %v, want %v", ops, want)
	}
	if strings.Contains(p.jobName, "\x1b") || !strings.HasPrefix(p.jobName, "mfpcheck status sheet") {
		t.Errorf("job-name = %q", p.jobName)
	}

	// No PDF: asked, nothing sent.
	p = &fakePrinter{formats: []string{"image/urf", "image/pwg-raster"}}
	srv2 := httptest.NewServer(p)
	defer srv2.Close()
	c = &Client{URI: ippURI(srv2, "ipp")}
	_, err = c.PrintPDF(ctx, "sheet", sheetPDF)
	var noPDF *NoPDFError
	if !errors.As(err, &noPDF) || !strings.Contains(err.Error(), "image/urf, image/pwg-raster") {
		t.Fatalf("no PDF: %v", err)
	}
	if h := noPDF.Hit(); h.ID != "device.print.no_pdf" || h.Params["uri"] != c.URI {
		t.Errorf("hit = %+v", h)
	}
	if ops := p.operations(); len(ops) != 1 || ops[0] != goipp.OpGetPrinterAttributes {
		t.Errorf("a printer without PDF saw %v", ops)
	}

	// Busy for ever: ends with the caller's context, saying why.
	p = &fakePrinter{formats: []string{"application/pdf"}, busy: 1 << 30}
	srv3 := httptest.NewServer(p)
	defer srv3.Close()
	c = &Client{URI: ippURI(srv3, "ipp")}
	bctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err = c.PrintPDF(bctx, "sheet", sheetPDF)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "server-error-busy") {
		t.Errorf("busy printer: %v", err)
	}
	if _, err := c.PrintPDF(ctx, "sheet", nil); err == nil {
		t.Error("an empty document was sent")
	}
}

// TestPrintPDFChecksCertificate: ipps checks the printer's certificate;
// nothing is sent to an untrusted one. Its CA in the client's RootCAs, or
// InsecureSkipVerify (--print-insecure), lets the job through.
func TestPrintPDFChecksCertificate(t *testing.T) {
	p := &fakePrinter{formats: []string{"application/pdf"}}
	srv := httptest.NewUnstartedServer(p)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()
	uri := ippURI(srv, "ipps")

	c := &Client{URI: uri, TLS: &tls.Config{MinVersion: tls.VersionTLS12}}
	_, err := c.PrintPDF(context.Background(), "sheet", sheetPDF)
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) {
		t.Fatalf("untrusted printer: %v", err)
	}
	if ops := p.operations(); len(ops) != 0 {
		t.Fatalf("an untrusted printer saw %v", ops)
	}

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	for _, cfg := range []*tls.Config{
		{MinVersion: tls.VersionTLS12, RootCAs: pool},
		{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}, //nolint:gosec // what --print-insecure does
	} {
		c = &Client{URI: uri, TLS: cfg}
		if res, err := c.PrintPDF(context.Background(), "sheet", sheetPDF); err != nil || res.Job.ID != 42 {
			t.Errorf("trusted printer: %+v, %v", res, err)
		}
	}
}
