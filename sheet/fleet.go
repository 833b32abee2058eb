package sheet

import (
	"fmt"
	"io"
	"strconv"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// RenderFleet writes a one-table summary of many devices to w: one row per
// report with the device, its verdict, the first finding, and the days left
// on the refresh token and on the server certificate. Batch mode prints it
// next to the per-device sheets.
func RenderFleet(w io.Writer, reports []*report.Report, opts Options) error {
	d, err := newDoc(opts, "L")
	if err != nil {
		return err
	}
	d.tool = "mfpcheck"
	for _, r := range reports {
		if r != nil {
			d.tool = toolName(r)
			break
		}
	}
	d.pdf.SetTitle(d.u.FleetTitle, true)
	d.pdf.SetCreator(d.tool, true)
	d.contHeader = func() {
		p := d.pdf
		p.SetXY(d.left, d.top-5)
		p.SetFont(sans, "B", 9)
		p.CellFormat(d.width, 5, d.enc(d.u.FleetTitle), "", 0, "L", false, 0, "")
		p.SetLineWidth(0.3)
		p.Line(d.left, d.top+1, d.right, d.top+1)
		p.SetXY(d.left, d.top+4)
	}
	d.pdf.AddPage()
	p := d.pdf
	p.SetFont(sans, "B", 15)
	p.SetXY(d.left, d.top)
	p.CellFormat(d.width, 8, d.enc(d.u.FleetTitle), "", 1, "L", false, 0, "")

	counts := map[report.Verdict]int{}
	n := 0
	for _, r := range reports {
		if r != nil {
			counts[r.Verdict]++
			n++
		}
	}
	summary := fmt.Sprintf("%d %s  ·  %s %d  ·  %s %d  ·  %s %d  ·  %s %d  ·  %s %s",
		n, d.u.FleetCount, d.u.VerdictOK, counts[report.VerdictOK], d.u.VerdictWarning, counts[report.VerdictWarning],
		d.u.VerdictFail, counts[report.VerdictFail], d.u.VerdictError, counts[report.VerdictError],
		d.u.Printed, fmtTime(d.printed))
	d.para(summary, column{}, rowStyle{})
	d.gap(2)

	cols := []column{{w: 42, style: "B"}, {w: 36}, {w: 32, mono: true}, {w: 26, style: "B"}, {w: 0},
		{w: 18, align: "R"}, {w: 18, align: "R"}}
	used := 0.0
	for _, c := range cols {
		used += c.w
	}
	cols[4].w = d.width - used
	var rows [][]string
	var looks []verdictLook
	for _, r := range reports {
		if r == nil {
			continue
		}
		var model, addr string
		if r.Device != nil {
			model, addr = join(" ", vendorName(r.Device.Vendor), r.Device.Model), r.Device.Address
		}
		if addr == "" {
			addr = r.Target.Host
		}
		first := d.u.None
		if len(r.Findings) > 0 {
			f := localize(r.Findings[0], r.Lang, d.lang, "")
			first = f.Title
		} else if r.Error != "" {
			first = r.Error
		}
		tok, cert := d.u.None, d.u.None
		if r.Token != nil && r.Token.HasRefreshDaysLeft {
			tok = strconv.Itoa(r.Token.RefreshDaysLeft)
		}
		if r.TLS != nil && len(r.TLS.Chain) > 0 {
			least := r.TLS.Chain[0].DaysLeft
			for _, c := range r.TLS.Chain[1:] {
				least = min(least, c.DaysLeft)
			}
			cert = strconv.Itoa(least)
		}
		lk := d.verdictLook(r.Verdict)
		looks = append(looks, lk)
		rows = append(rows, []string{d.or(deviceName(r)), d.or(model), d.or(addr), lk.word, first, tok, cert})
	}
	if len(rows) == 0 {
		d.para(d.u.None, column{}, rowStyle{})
	} else {
		d.table(cols, []string{d.u.FleetDevice, d.u.Model, d.u.Address, d.u.Status, d.u.FleetFinding, d.u.FleetToken, d.u.FleetCert},
			rows, func(i int) rowStyle {
				// Shade rows by verdict so a greyscale printout still sorts
				// them at a glance: fail darkest, ok none.
				switch looks[i].symbol {
				case "cross":
					return rowStyle{rule: true, fill: 205}
				case "warn":
					return rowStyle{rule: true, fill: 235}
				case "query":
					return rowStyle{rule: true, fill: 220}
				}
				return rowStyle{rule: true}
			})
	}
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("sheet: write: %w", err)
	}
	return nil
}
