package batch

import (
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestOpenMetricsExpfmt reads the openmetrics output with the parser
// node_exporter's textfile collector uses.
func TestOpenMetricsExpfmt(t *testing.T) {
	ds, check := mixedFleet()
	out, _, err := runFormat(t, ds, Options{Check: check, Format: FormatOpenMetrics})
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	v := fams["mfpcheck_verdict"]
	if v == nil || len(v.GetMetric()) != 4 {
		t.Fatalf("mfpcheck_verdict = %v", v)
	}
	for _, m := range v.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		want := map[string]float64{"a-ok": 0, "d-warning": 1, "b-fail": 2, "c-error": 3}[labels["device"]]
		if m.GetGauge().GetValue() != want || labels["vendor"] != "epson" || labels["address"] == "" {
			t.Errorf("sample %v = %v, want %v", labels, m.GetGauge().GetValue(), want)
		}
	}
}
