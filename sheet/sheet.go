// Package sheet prints a report.Report as a PDF "network status sheet" for the
// technician to leave with the customer: the device's email-server status
// laid out like the device's own status page (Epson's Email Server > Basic,
// Ricoh's SMTP settings), plus what the device cannot know — this host's
// network, the token, the TLS chain, every probe phase with the server's
// reply and trailer verbatim, and the findings with numbered fixes.
//
// The sheet only reads the report: the verdict and the findings come from
// it, and the only texts this package carries are labels and headings in
// English, German and French. Output uses the PDF core fonts in
// Windows-1252, so a sheet is a few tens of kilobytes; characters outside
// that code page are replaced by a plain fallback, never by a wrong glyph.
package sheet

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Options choose how a sheet is printed.
type Options struct {
	Lang  string // en | de | fr; "" means en
	Paper string // a4 | letter; "" means a4
	// Fixed, when not zero, is used as the sheet's creation date and
	// "printed" time, so the same report gives the same bytes.
	Fixed time.Time
	// Vendor names the device status fields the vendor's way (epson,
	// ricoh …); "" uses the report's device vendor.
	Vendor string
}

// Render writes the status sheet of one report to w.
func Render(w io.Writer, r *report.Report, opts Options) error {
	if r == nil {
		return errors.New("sheet: no report")
	}
	tenantN := countTenant(r.Tenant)
	r = bounded(r)
	d, err := newDoc(opts, "P")
	if err != nil {
		return err
	}
	vendor := opts.Vendor
	if vendor == "" && r.Device != nil {
		vendor = r.Device.Vendor
	}
	vendor = strings.ToLower(vendor)
	if vendor == "ricoh" {
		d.u.ricohLabels(d.lang)
	}
	d.tool = toolName(r)
	d.pdf.SetTitle(d.u.Title+" "+deviceName(r), true)
	d.pdf.SetCreator(d.tool, true)
	d.pdf.SetSubject(string(r.Verdict), true)
	d.contHeader = func() { d.shortHeader(r) }

	// Page 1 is what the customer's IT reads: the verdict, the device, what
	// blocks it and the numbered steps, and the device's email settings
	// next to what mfpcheck saw. The rest is an appendix for technicians.
	findings := make([]report.Finding, 0, len(r.Findings))
	for _, f := range r.Findings {
		if f.ID == diagnose.SignatureNote {
			continue // a line in the token table
		}
		findings = append(findings, localize(f, r.Lang, d.lang, vendor))
	}
	front := blocking(findings)
	d.pdf.AddPage()
	d.firstHeader(r)
	d.answerSection(findings, front)
	d.emailSection(r, vendor)
	d.appendix()
	d.findingsSection(findings, len(front))
	d.identitySection(r.DeviceIdentity, r.Device, findings)
	d.tenantSection(r.Tenant, tenantN)
	d.networkSection(r)
	d.tokenSection(r)
	d.tlsSection(r)
	d.probeSection(r)
	d.transcriptSection(r)
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("sheet: write: %w", err)
	}
	return nil
}

func toolName(r *report.Report) string {
	name := r.Tool.Name
	if name == "" {
		name = "mfpcheck"
	}
	if r.Tool.Version != "" {
		name += " " + r.Tool.Version
	}
	return name
}

// deviceName is what identifies the device on the sheet and in file names.
func deviceName(r *report.Report) string {
	if r.Device != nil {
		for _, s := range []string{r.Device.Name, r.Device.Model, r.Device.Address} {
			if s != "" {
				return s
			}
		}
	}
	return r.Target.Host
}

// verdictLook is how a verdict is drawn so it reads on a black-and-white
// printout: the word, a line-drawn symbol, the border weight and the fill.
type verdictLook struct {
	word, sub string
	border    float64
	fill      int
	white     bool
	symbol    string // check, warn, cross, query
}

func (d *doc) verdictLook(v report.Verdict) verdictLook {
	switch v {
	case report.VerdictOK:
		return verdictLook{d.u.VerdictOK, d.u.SubOK, 0.5, 255, false, "check"}
	case report.VerdictWarning:
		return verdictLook{d.u.VerdictWarning, d.u.SubWarning, 1.2, 215, false, "warn"}
	case report.VerdictFail:
		return verdictLook{d.u.VerdictFail, d.u.SubFail, 2.0, 0, true, "cross"}
	}
	return verdictLook{d.u.VerdictError, d.u.SubError, 1.2, 90, true, "query"}
}

// firstHeader is page 1's header: title, device identity, when and where the
// check ran, and the verdict box.
func (d *doc) firstHeader(r *report.Report) {
	p := d.pdf
	boxW, boxH := 54.0, 36.0
	textW := d.width - boxW - 4
	y := d.top
	p.SetXY(d.left, y)
	p.SetFont(sans, "B", 15)
	p.CellFormat(textW, 7, d.enc(d.u.Title), "", 2, "L", false, 0, "")
	p.SetFont(sans, "B", 12)
	for _, l := range d.split(deviceName(r), textW) {
		p.CellFormat(textW, 6, l, "", 2, "L", false, 0, "")
	}
	p.SetY(p.GetY() + 1)
	var rows [][2]string
	if r.Device != nil {
		rows = append(rows, [2]string{d.u.Model, join(" ", vendorName(r.Device.Vendor), r.Device.Model)},
			[2]string{d.u.Address, r.Device.Address}, [2]string{d.u.Firmware, r.Device.Firmware})
	}
	checked := fmtTime(r.Generated)
	if r.Host != "" {
		checked += " " + d.u.From + " " + r.Host
	}
	rows = append(rows, [2]string{d.u.Checked, checked}, [2]string{d.u.Tool, toolName(r)})
	cols := []column{{w: 26, size: smallSize}, {w: textW - 26, style: "B"}}
	for _, kv := range rows {
		if kv[1] == "" {
			kv[1] = d.u.None
		}
		d.row(cols, []string{kv[0], kv[1]}, rowStyle{lh: 4.2})
	}
	textBottom := p.GetY()
	d.verdictBox(r.Verdict, d.right-boxW, y, boxW, boxH)
	p.SetY(max(textBottom, y+boxH) + 3)
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.4)
	p.Line(d.left, p.GetY(), d.right, p.GetY())
	p.SetY(p.GetY() + 2)
	if r.Error != "" {
		d.para(d.u.CouldNotRun+": "+r.Error, column{style: "B"}, rowStyle{fill: 235})
	}
	if r.Interrupted {
		d.para(d.u.Interrupted, column{style: "B"}, rowStyle{fill: 235})
	}
	d.contentTop = d.top // page 1's header never repeats
}

// verdictBox draws the overall verdict big enough to read across a room.
func (d *doc) verdictBox(v report.Verdict, x, y, w, h float64) {
	p := d.pdf
	lk := d.verdictLook(v)
	bw := lk.border
	p.SetLineWidth(bw)
	p.SetDrawColor(0, 0, 0)
	p.SetFillColor(lk.fill, lk.fill, lk.fill)
	p.Rect(x+bw/2, y+bw/2, w-bw, h-bw, "FD")
	if v == report.VerdictError || (v != report.VerdictOK && v != report.VerdictWarning && v != report.VerdictFail) {
		// A second, inner border tells "could not run" from "fail".
		p.SetDrawColor(255, 255, 255)
		p.SetLineWidth(0.4)
		p.Rect(x+bw+1, y+bw+1, w-2*bw-2, h-2*bw-2, "D")
	}
	ink := 0
	if lk.white {
		ink = 255
	}
	d.symbol(lk.symbol, x+w/2, y+9, 5.5, ink, lk.fill)
	size := 22.0
	p.SetFont(sans, "B", size)
	word := d.enc(lk.word)
	for size > 9 && p.GetStringWidth(word) > w-2*bw-4 {
		size--
		p.SetFont(sans, "B", size)
	}
	p.SetTextColor(ink, ink, ink)
	p.SetXY(x+bw, y+15.5)
	p.CellFormat(w-2*bw, 9, word, "", 0, "C", false, 0, "")
	p.SetFont(sans, "", smallSize)
	lines := d.split(lk.sub, w-2*bw-2)
	for i, l := range lines[:min(len(lines), 2)] {
		p.SetXY(x+bw, y+25+float64(i)*3.4)
		p.CellFormat(w-2*bw, 3.4, l, "", 0, "C", false, 0, "")
	}
	p.SetTextColor(0, 0, 0)
}

// symbol draws a verdict symbol centred on (cx, cy) with radius s, in lines,
// so it needs no glyph outside Windows-1252.
func (d *doc) symbol(kind string, cx, cy, s float64, ink, fill int) {
	p := d.pdf
	p.SetDrawColor(ink, ink, ink)
	p.SetLineWidth(1.3)
	p.SetLineCapStyle("round")
	p.SetLineJoinStyle("round")
	switch kind {
	case "check":
		p.Line(cx-s*0.8, cy, cx-s*0.2, cy+s*0.6)
		p.Line(cx-s*0.2, cy+s*0.6, cx+s*0.9, cy-s*0.7)
	case "cross":
		p.Line(cx-s*0.7, cy-s*0.7, cx+s*0.7, cy+s*0.7)
		p.Line(cx-s*0.7, cy+s*0.7, cx+s*0.7, cy-s*0.7)
	case "warn":
		p.SetFillColor(fill, fill, fill)
		p.Polygon([]gofpdf.PointType{{X: cx, Y: cy - s*0.9}, {X: cx + s, Y: cy + s*0.8}, {X: cx - s, Y: cy + s*0.8}}, "D")
		p.Line(cx, cy-s*0.35, cx, cy+s*0.25)
		p.Line(cx, cy+s*0.55, cx, cy+s*0.56)
	default:
		p.Circle(cx, cy, s*0.85, "D")
		p.SetFont(sans, "B", 11)
		p.SetTextColor(ink, ink, ink)
		p.SetXY(cx-3, cy-2.5)
		p.CellFormat(6, 5, "?", "", 0, "C", false, 0, "")
	}
	p.SetLineCapStyle("butt")
	p.SetLineJoinStyle("miter")
	p.SetLineWidth(0.2)
}

// shortHeader is the header of every page after the first: title, device
// and verdict, so a loose page still says what it belongs to.
func (d *doc) shortHeader(r *report.Report) {
	p := d.pdf
	y := d.top - 5
	p.SetXY(d.left, y)
	p.SetFont(sans, "B", 9)
	p.CellFormat(d.width*0.6, 5, d.enc(d.u.Title), "", 0, "L", false, 0, "")
	lk := d.verdictLook(r.Verdict)
	right := deviceName(r) + "  ·  " + lk.word
	p.SetFont(sans, "", 8.5)
	p.SetXY(d.left+d.width*0.4, y)
	p.CellFormat(d.width*0.6, 5, d.enc(clip(right, 90)), "", 0, "R", false, 0, "")
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(lk.border / 2)
	p.Line(d.left, y+6, d.right, y+6)
	p.SetLineWidth(0.2)
	p.SetXY(d.left, y+9)
}

// Formatting helpers.

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04 MST")
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02")
}

// ms prints a duration in milliseconds with one decimal, with the decimal
// comma in German and French.
func (d *doc) ms(v report.Duration) string {
	s := strconv.FormatFloat(float64(v)/float64(time.Millisecond), 'f', 1, 64)
	if d.lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (d *doc) yesNo(b bool) string {
	if b {
		return d.u.Yes
	}
	return d.u.No
}

func (d *doc) or(s string) string {
	if s == "" {
		return d.u.None
	}
	return s
}

// join joins the non-empty parts.
func join(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

// clip shortens s to n runes with an ellipsis (for one-line places only;
// everything else wraps).
func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

// vendorName spells a profile's vendor key the way the maker does.
func vendorName(v string) string { return i18n.VendorName(v) }

// localize shows a finding in the sheet's language when the report's
// findings are in another one. Where the catalogue does not know the id,
// the report's own texts are used.
func localize(f report.Finding, reportLang, lang, vendor string) report.Finding {
	if reportLang == lang || f.ID == "" {
		return f
	}
	l := diagnose.Localize(f, diagnose.Options{Lang: lang, Vendor: vendor})
	if l.Title == "" {
		return f
	}
	return l
}
