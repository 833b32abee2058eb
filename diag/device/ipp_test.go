package device

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/OpenPrinting/goipp"

	"github.com/mfpcheck/mfpcheck/fixtures/testkit/ippeve"
)

func TestPrinterURI(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":                       "ipp://192.0.2.7/ipp/print",
		"printer.example:8631":            "ipp://printer.example:8631/ipp/print",
		"[2001:db8::1]:631":               "ipp://[2001:db8::1]:631/ipp/print",
		"ipps://printer.example/ipp/scan": "ipps://printer.example/ipp/scan",
		"ipp://user@p.example/?x#y":       "ipp://p.example/ipp/print",
	} {
		got, err := PrinterURI(in)
		if err != nil || got != want {
			t.Errorf("PrinterURI(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "http://p.example/", "p.example:99999", "ipp:///ipp/print"} {
		if got, err := PrinterURI(bad); err == nil {
			t.Errorf("PrinterURI(%q) = %q, want an error", bad, got)
		}
	}
	// A password typed into the address is never quoted in an error.
	for _, bad := range []string{"ipp://u:S3cretPw@p.example:99999/", "http://u:S3cretPw@p.example/", "ipp://u:S3cretPw@p.example:x/", "ipp://u:S3cretPw@/ipp/print", "ipp://u:S3cret%zzPw@p.example/"} {
		_, err := PrinterURI(bad)
		if err == nil || strings.Contains(err.Error(), "S3cret") {
			t.Errorf("PrinterURI(%q): error %v, want one without the password", bad, err)
		}
	}
	if u, _ := httpURL("ipps://p.example/ipp/print"); u != "https://p.example:631/ipp/print" {
		t.Errorf("httpURL = %q", u)
	}
}

// response encodes a Get-Printer-Attributes answer as a printer would.
func response(status goipp.Status, printer goipp.Attributes) []byte {
	m := goipp.NewResponse(goipp.MakeVersion(2, 0), status, 1)
	m.Operation.Add(goipp.MakeAttribute("attributes-charset", goipp.TagCharset, goipp.String("utf-8")))
	m.Operation.Add(goipp.MakeAttribute("attributes-natural-language", goipp.TagLanguage, goipp.String("en")))
	if status > 0xff {
		m.Operation.Add(goipp.MakeAttribute("status-message", goipp.TagText, goipp.String("no\x1b[31m such printer")))
	}
	m.Printer = printer
	b, err := m.EncodeBytes()
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseIdentity(t *testing.T) {
	var p goipp.Attributes
	p.Add(goipp.MakeAttribute("printer-make-and-model", goipp.TagText, goipp.String("EPSON WF-C5790\x1b]0;pwned\x07 Series\u202e")))
	p.Add(goipp.MakeAttribute("printer-firmware-string-version", goipp.TagText, goipp.String("LF25I7,16.66")))
	p.Add(goipp.MakeAttribute("printer-uuid", goipp.TagURI, goipp.String("urn:uuid:cfe92100-67c4-11d4-a45f-f8d0273e8f1a")))
	p.Add(goipp.MakeAttribute("printer-state", goipp.TagEnum, goipp.Integer(5)))
	p.Add(goipp.MakeAttr("printer-state-reasons", goipp.TagKeyword, goipp.String("media-empty-error"), goipp.String("toner-low-report")))
	p.Add(goipp.MakeAttr("document-format-supported", goipp.TagMimeType, goipp.String("application/octet-stream"), goipp.String("application/PDF")))
	id, err := ParseIdentity(response(goipp.StatusOk, p))
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(id.MakeAndModel, "\x1b\x07\u202e") || !strings.HasPrefix(id.MakeAndModel, "EPSON WF-C5790") {
		t.Errorf("make and model not sanitized: %q", id.MakeAndModel)
	}
	if id.Firmware != "LF25I7,16.66" || id.State != "stopped" || id.UUID != "urn:uuid:cfe92100-67c4-11d4-a45f-f8d0273e8f1a" {
		t.Errorf("identity = %+v", id)
	}
	if len(id.StateReasons) != 2 || id.StateReasons[1] != "toner-low-report" {
		t.Errorf("state reasons = %q", id.StateReasons)
	}
	if !id.Supports("application/pdf") || id.Supports("image/urf") {
		t.Errorf("Supports: formats %q", id.DocumentFormats)
	}

	_, err = ParseIdentity(response(goipp.StatusErrorNotFound, nil))
	if err == nil || !strings.Contains(err.Error(), "not-found") || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("error status: %v", err)
	}
	if _, err := ParseIdentity([]byte("HTTP/1.1 200 OK\r\n\r\n<html>")); err == nil {
		t.Error("HTML read as an IPP answer")
	}
}

func FuzzParseIdentity(f *testing.F) {
	var p goipp.Attributes
	p.Add(goipp.MakeAttribute("printer-make-and-model", goipp.TagText, goipp.String("Model")))
	p.Add(goipp.MakeAttribute("printer-state", goipp.TagEnum, goipp.Integer(3)))
	f.Add(response(goipp.StatusOk, p))
	f.Add(response(goipp.StatusErrorInternal, nil))
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 1, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := ParseIdentity(b)
		if err != nil {
			return
		}
		for _, s := range append([]string{id.MakeAndModel, id.Firmware, id.UUID, id.State, id.MoreInfo}, append(id.StateReasons, id.DocumentFormats...)...) {
			if strings.ContainsAny(s, "\x1b\x00\r\n\u202e") || len(s) > 4*maxText {
				t.Fatalf("unsanitized value %q", s)
			}
		}
		_, _ = ParseJob(b)
	})
}

// TestIPPEvePrinter reads a real printer's identity and prints a PDF on
// it: CUPS's ippeveprinter in a private network namespace.
func TestIPPEvePrinter(t *testing.T) {
	t.Parallel()
	if !ippeve.InNamespace(t) {
		return
	}
	printers := ippeve.Start(t)
	ctx := context.Background()
	raster, err := (&Client{URI: printers.Raster.URI}).Identify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if raster.MakeAndModel != ippeve.RasterModel || raster.Firmware != ippeve.Firmware ||
		!strings.HasPrefix(raster.UUID, "urn:uuid:") || raster.State != "idle" ||
		raster.Supports("application/pdf") || !raster.Supports("image/pwg-raster") {
		t.Fatalf("raster printer's identity = %+v", raster)
	}
	p := printers.PDF
	c := &Client{URI: p.URI}
	id, err := c.Identify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.MakeAndModel != ippeve.Make+" "+ippeve.Model || id.Firmware != "" || id.UUID == raster.UUID ||
		!strings.HasPrefix(id.UUID, "urn:uuid:") || id.State != "idle" || !id.Supports("application/pdf") {
		t.Fatalf("PDF printer's identity = %+v", id)
	}
	doc := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	job, err := c.PrintJob(ctx, "mfpcheck-sheet", "application/pdf", doc)
	if err != nil {
		t.Fatal(err)
	}
	if job.ID < 1 || job.State == "" {
		t.Fatalf("job = %+v", job)
	}
	got, err := filepath.Glob(filepath.Join(p.Spool, "1-*.pdf")) // the print command's output is 1-*.prn
	if err != nil || len(got) != 1 {
		t.Fatalf("spool: %v %v", got, err)
	}
	b, err := os.ReadFile(got[0])
	if err != nil || !bytes.Equal(b, doc) {
		t.Fatalf("spooled document differs: %q, %v", b, err)
	}
}

func TestCompare(t *testing.T) {
	id := &Identity{URI: "ipp://p/ipp/print", MakeAndModel: "EPSON WF-C5790 Series", Firmware: "LF25I7,16.66"}
	if hits := Compare(id, "wf-c5790", "16.66"); len(hits) != 0 {
		t.Errorf("same device: %+v", hits)
	}
	if hits := Compare(id, "", ""); len(hits) != 0 {
		t.Errorf("empty profile: %+v", hits)
	}
	hits := Compare(id, "WF-C5890", "16.70")
	if len(hits) != 2 || hits[0].ID != "device.identity.model_differs" || hits[1].ID != "device.identity.firmware_differs" ||
		hits[0].Params["device_model"] != id.MakeAndModel || hits[1].Params["profile_firmware"] != "16.70" {
		t.Errorf("differing device: %+v", hits)
	}
	if hits := Compare(&Identity{}, "WF-C5890", "1.0"); len(hits) != 0 {
		t.Errorf("printer reports nothing: %+v", hits)
	}
}
