package sheet

import (
	"fmt"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// Layout constants, in millimetres and points.
const (
	margin     = 15.0
	footerH    = 14.0 // space kept free at the bottom for the footer
	cellMargin = 1.0
	bodySize   = 8.5
	bodyLH     = 4.0
	smallSize  = 7.5
	monoSize   = 7.5
	monoLH     = 3.5
	rowPad     = 0.7
	sans       = "Helvetica"
	mono       = "Courier"
)

// doc is one PDF being written. Every string reaches gofpdf through enc, so
// it is in Windows-1252 with a fallback for anything else.
type doc struct {
	pdf     *gofpdf.Fpdf
	tr      func(string) string
	u       *ui
	lang    string
	printed time.Time
	tool    string

	left, right, width, top, bottom float64
	// contentTop is where content starts on a continuation page; a row
	// that starts there is never pushed to the next page.
	contentTop float64
	// repeat redraws the current table's header after a page break.
	repeat func()
	// contHeader draws the short header of pages after the first.
	contHeader func()
}

func newDoc(opts Options, orientation string) (*doc, error) {
	lang := opts.Lang
	if lang == "" {
		lang = "en"
	}
	if lang != "en" && lang != "de" && lang != "fr" {
		return nil, fmt.Errorf("sheet: unknown language %q (en, de or fr)", opts.Lang)
	}
	var size string
	switch strings.ToLower(opts.Paper) {
	case "", "a4":
		size = "A4"
	case "letter":
		size = "Letter"
	default:
		return nil, fmt.Errorf("sheet: unknown paper %q (a4 or letter)", opts.Paper)
	}
	pdf := gofpdf.New(orientation, "mm", size, "")
	printed := opts.Fixed
	if printed.IsZero() {
		printed = time.Now()
	}
	// Fixed dates and sorted catalogues make the bytes reproducible.
	pdf.SetCreationDate(printed)
	pdf.SetModificationDate(printed)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetCellMargin(cellMargin)
	pdf.AliasNbPages("{nb}")
	w, h := pdf.GetPageSize()
	d := &doc{
		pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor(""), u: uiFor(lang), lang: lang,
		printed: printed,
		left:    margin, right: w - margin, width: w - 2*margin, top: margin, bottom: h - footerH,
	}
	d.contentTop = d.top
	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() > 1 && d.contHeader != nil {
			d.contHeader()
		}
		d.contentTop = pdf.GetY()
	})
	pdf.SetFooterFunc(d.footer)
	return d, nil
}

// enc converts UTF-8 to the core fonts' encoding, one line.
func (d *doc) enc(s string) string { return d.tr(clean(s, false)) }

// footer prints "Page x of y" and when the sheet was made on every page.
func (d *doc) footer() {
	p := d.pdf
	_, h := p.GetPageSize()
	y := h - footerH + 4
	p.SetDrawColor(160, 160, 160)
	p.SetLineWidth(0.2)
	p.Line(d.left, y, d.right, y)
	p.SetTextColor(80, 80, 80)
	p.SetFont(sans, "", smallSize)
	p.SetXY(d.left, y+1)
	left := d.tool + "  ·  " + d.u.Printed + " " + fmtTime(d.printed)
	p.CellFormat(d.width/2, 4, d.enc(left), "", 0, "L", false, 0, "")
	p.SetXY(d.left+d.width/2, y+1)
	page := fmt.Sprintf("%s %d %s {nb}", d.u.Page, p.PageNo(), d.u.Of)
	p.CellFormat(d.width/2, 4, d.enc(page), "", 0, "R", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// newPage starts a page; the header function draws the short header and
// the current table's header is repeated.
func (d *doc) newPage() {
	d.pdf.AddPage()
	if d.repeat != nil {
		r := d.repeat
		d.repeat = nil
		r()
		d.repeat = r
	}
}

// fresh reports whether nothing has been drawn yet on this page.
func (d *doc) fresh() bool { return d.pdf.GetY() <= d.contentTop+0.01 }

// ensure starts a new page unless h millimetres are left on this one.
func (d *doc) ensure(h float64) {
	if d.pdf.GetY()+h > d.bottom && !d.fresh() {
		d.newPage()
	}
}

// column is one column of a table row.
type column struct {
	w     float64
	style string // "", "B", "I"
	mono  bool
	size  float64 // font size; 0 means the body size
	align string
}

// rowStyle is how a row is drawn.
type rowStyle struct {
	fill   int // grey level of the background, 0 for none
	rule   bool
	lh     float64
	white  bool // white text (on a dark fill)
	indent float64
	tight  bool // almost no padding (transcript lines)
}

func (d *doc) setFont(c column) {
	size := c.size
	if size == 0 {
		size = bodySize
		if c.mono {
			size = monoSize
		}
	}
	if c.mono {
		d.pdf.SetFont(mono, c.style, size)
	} else {
		d.pdf.SetFont(sans, c.style, size)
	}
}

// split wraps UTF-8 text to width w in the current font, breaking long
// unbroken strings (tokens, trailers, URLs) where they reach the edge.
// The lines returned are already encoded.
func (d *doc) split(text string, w float64) []string {
	if text == "" {
		return []string{""}
	}
	enc := d.tr(clean(text, true))
	var out []string
	for _, l := range d.pdf.SplitLines([]byte(enc), w) {
		out = append(out, string(l))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// row draws one table row whose cells wrap; a row taller than the space left
// continues on the next page, never cut and never over the footer.
func (d *doc) row(cols []column, cells []string, st rowStyle) {
	p := d.pdf
	lh := st.lh
	if lh == 0 {
		lh = bodyLH
	}
	lines := make([][]string, len(cols))
	n := 1
	for i, c := range cols {
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		d.setFont(c)
		lines[i] = d.split(cell, c.w)
		n = max(n, len(lines[i]))
	}
	pad := rowPad
	if st.tight {
		pad = 0.15
	}
	total := 0.0
	for _, c := range cols {
		total += c.w
	}
	for i := 0; i < n; {
		y0 := p.GetY()
		k := int((d.bottom - y0 - 2*pad) / lh)
		rest := n - i
		// Split a row only when at least three lines fit here; short rows
		// move whole.
		if !d.fresh() && (k < 1 || (k < rest && (rest <= 6 || k < 3))) {
			d.newPage()
			continue
		}
		m := min(max(k, 1), rest)
		h := float64(m)*lh + 2*pad
		x := d.left + st.indent
		if st.fill > 0 {
			p.SetFillColor(st.fill, st.fill, st.fill)
			p.Rect(x, y0, total, h, "F")
		}
		if st.white {
			p.SetTextColor(255, 255, 255)
		}
		for ci, c := range cols {
			d.setFont(c)
			align := c.align
			if align == "" {
				align = "L"
			}
			for j := i; j < i+m && j < len(lines[ci]); j++ {
				p.SetXY(x, y0+pad+float64(j-i)*lh)
				p.CellFormat(c.w, lh, lines[ci][j], "", 0, align, false, 0, "")
			}
			x += c.w
		}
		p.SetTextColor(0, 0, 0)
		if st.rule {
			p.SetDrawColor(200, 200, 200)
			p.SetLineWidth(0.15)
			p.Line(d.left+st.indent, y0+h, d.left+st.indent+total, y0+h)
		}
		p.SetXY(d.left, y0+h)
		i += m
		if i < n {
			d.newPage()
		}
	}
}

// table draws a header row and the rows, repeating the header on every page
// the table flows onto.
func (d *doc) table(cols []column, head []string, rows [][]string, styles func(i int) rowStyle) {
	hcols := make([]column, len(cols))
	for i, c := range cols {
		hcols[i] = column{w: c.w, style: "B", size: smallSize, align: c.align}
	}
	header := func() { d.row(hcols, head, rowStyle{fill: 225, lh: 3.6}) }
	d.ensure(3.6 + 2*rowPad + 2*bodyLH)
	header()
	d.repeat = header
	for i, r := range rows {
		st := rowStyle{rule: true}
		if styles != nil {
			st = styles(i)
		}
		d.row(cols, r, st)
	}
	d.repeat = nil
	d.gap(2)
}

// kv draws label/value pairs as a two-column table without a header.
func (d *doc) kv(rows [][2]string, labelW float64, monoValues bool) {
	cols := []column{{w: labelW, size: bodySize}, {w: d.width - labelW, mono: monoValues, style: ""}}
	for _, r := range rows {
		d.pdf.SetTextColor(0, 0, 0)
		d.row(cols, []string{r[0], r[1]}, rowStyle{rule: true})
	}
	d.gap(2)
}

// section starts a numbered part of the sheet with a heading bar, never
// alone at the bottom of a page.
func (d *doc) section(title string) {
	d.repeat = nil
	d.ensure(7 + 4*bodyLH)
	if !d.fresh() {
		d.gap(2)
	}
	p := d.pdf
	y := p.GetY()
	p.SetFillColor(0, 0, 0)
	p.Rect(d.left, y, 1.6, 6.5, "F")
	p.SetFillColor(232, 232, 232)
	p.Rect(d.left+1.6, y, d.width-1.6, 6.5, "F")
	p.SetFont(sans, "B", 11)
	p.SetXY(d.left+3, y)
	p.CellFormat(d.width-4, 6.5, d.enc(title), "", 0, "L", false, 0, "")
	p.SetXY(d.left, y+8)
}

// subhead is a small bold heading inside a section.
func (d *doc) subhead(title string) {
	d.ensure(5 + 3*bodyLH)
	d.pdf.SetFont(sans, "B", 9)
	d.pdf.SetX(d.left)
	d.pdf.CellFormat(d.width, 5, d.enc(title), "", 1, "L", false, 0, "")
}

// para draws wrapped text, line by line, so it can flow across pages.
func (d *doc) para(text string, c column, st rowStyle) {
	if c.w == 0 {
		c.w = d.width - st.indent
	}
	d.row([]column{c}, []string{text}, st)
}

func (d *doc) gap(h float64) {
	if d.pdf.GetY()+h <= d.bottom {
		d.pdf.SetY(d.pdf.GetY() + h)
	}
}
