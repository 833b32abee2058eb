package diagnose

import (
	"regexp"
	"slices"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// loadLabels is the label table of package i18n, language -> key -> text.
func loadLabels() (map[string]map[string]string, error) { return i18n.Table() }

// Label returns the renderer word for key in lang from the one label table
// (package i18n). Keys: severity.<sev>, where.<place>, heading.<name>,
// note.<name>, side.<side>, placeholder.<name>.
func Label(lang, key string) string { return i18n.T(lang, key) }

// NormLang maps a language tag to en, de or fr ("de_DE.UTF-8" → de);
// anything else is en.
func NormLang(lang string) string { return i18n.Norm(lang) }

// NormVendor maps a vendor name to the catalogue's vendor keys: nashuatec
// (Ricoh-built) is ricoh; unknown vendors get no vendor steps.
func NormVendor(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "epson":
		return "epson"
	case "ricoh", "nashuatec":
		return "ricoh"
	case "sharp":
		return "sharp"
	}
	return ""
}

var placeholderRe = regexp.MustCompile(`\{([a-z_]+)\}`)

// fill replaces {name} with params[name], or with the language's neutral
// word when the evidence did not give one.
func fill(s string, params map[string]string, lang string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		if v, ok := params[name]; ok && v != "" {
			return v
		}
		return Label(lang, "placeholder."+name)
	})
}

// FindingFor renders a hit as a finding in opts.Lang, with opts.Vendor's
// device steps first. A hit whose id is not in the catalogue becomes a bare
// info finding carrying its evidence (tests make sure rules never do this).
func FindingFor(h Hit, opts Options) report.Finding {
	lang := NormLang(opts.Lang)
	e := cat().byID[h.ID]
	if e == nil {
		return report.Finding{ID: h.ID, Severity: report.SeverityInfo, Title: h.ID, Evidence: h.Evidence, Phase: h.Phase, Alternatives: h.Alternatives}
	}
	t := e.text(lang)
	f := report.Finding{
		ID:           e.ID,
		Severity:     e.Severity,
		Side:         e.Side,
		Title:        fill(t.Title, h.Params, lang),
		Cause:        fill(t.Cause, h.Params, lang),
		Delay:        fill(t.Delay, h.Params, lang),
		Where:        append([]string(nil), e.Where...),
		Sources:      userSources(e.Sources),
		Evidence:     append([]string(nil), h.Evidence...),
		Phase:        h.Phase,
		Generic:      e.Generic,
		Alternatives: append([]string(nil), h.Alternatives...),
		Sides:        sidesOf(e, h.Alternatives),
		Params:       usedParams(e, h.Params),
		Steps:        []report.Step{},
	}
	vendor := e.vendorSteps(NormVendor(opts.Vendor), lang)
	for _, s := range vendor {
		f.Steps = append(f.Steps, report.Step{Text: fill(s.Text, h.Params, lang), Where: s.Where, Command: fill(s.Command, h.Params, lang)})
	}
	for _, s := range t.Steps {
		// The maker's own steps replace the generic steps on the device,
		// which would only say the same in general words.
		if len(vendor) > 0 && s.Where == "device" {
			continue
		}
		f.Steps = append(f.Steps, report.Step{Text: fill(s.Text, h.Params, lang), Where: s.Where, Command: fill(s.Command, h.Params, lang)})
	}
	return f
}

// Localize returns f with its texts in opts' language and vendor, looked
// up by f.ID; severity, evidence, phase, alternatives and the service it
// was read for are kept (a finding about a server that is not Exchange
// Online gets no Exchange Online steps back).
//
// A finding carries no parameter map, so Localize recovers the values that
// filled the {placeholders} by matching f's texts against the entry's
// templates in every language (all languages of an entry use the same
// placeholders, which the catalogue test enforces). A value that was the
// neutral stand-in word stays a stand-in in the new language.
func Localize(f report.Finding, opts Options) report.Finding {
	e := cat().byID[f.ID]
	if e == nil {
		return f
	}
	params := f.Params
	if len(params) == 0 {
		// A report from before findings carried their params.
		params = recoverParams(e, f)
	}
	out := FindingFor(Hit{ID: f.ID, Phase: f.Phase, Evidence: f.Evidence, Params: params, Alternatives: f.Alternatives}, opts)
	if f.Severity != "" {
		out.Severity = f.Severity
	}
	if f.Service != "" {
		out.Service = f.Service
		dropExchangeSteps(&out)
	}
	return out
}

// usedParams keeps the params the entry's texts use, in any language, so
// a finding carries what Localize needs and nothing else.
func usedParams(e *entry, params map[string]string) map[string]string {
	if len(params) == 0 {
		return nil
	}
	var texts strings.Builder
	for _, lang := range Languages {
		if t := e.Text[lang]; t != nil {
			texts.WriteString(t.Title + t.Cause + t.Delay)
			for _, s := range t.Steps {
				texts.WriteString(s.Text + s.Command)
			}
		}
	}
	for _, byLang := range e.VendorSteps {
		for _, steps := range byLang {
			for _, s := range steps {
				texts.WriteString(s.Text + s.Command)
			}
		}
	}
	all := texts.String()
	out := map[string]string{}
	for k, v := range params {
		if strings.Contains(all, "{"+k+"}") {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// recoverParams reads placeholder values back out of a rendered finding.
func recoverParams(e *entry, f report.Finding) map[string]string {
	params := map[string]string{}
	try := func(tmpl, got string) {
		if !strings.Contains(tmpl, "{") || got == "" {
			return
		}
		re := templateRe(tmpl)
		m := re.FindStringSubmatch(got)
		if m == nil {
			return
		}
		for i, name := range re.SubexpNames() {
			if name == "" || m[i] == "" || isStandIn(name, m[i]) {
				continue
			}
			if _, ok := params[name]; !ok {
				params[name] = m[i]
			}
		}
	}
	for _, lang := range Languages {
		t := e.Text[lang]
		if t == nil {
			continue
		}
		try(t.Title, f.Title)
		try(t.Cause, f.Cause)
		try(t.Delay, f.Delay)
		var tmpls []stepSpec
		for _, v := range Vendors {
			tmpls = append(tmpls, e.vendorSteps(v, lang)...)
		}
		tmpls = append(tmpls, t.Steps...)
		for _, got := range f.Steps {
			for _, s := range tmpls {
				try(s.Text, got.Text)
				try(s.Command, got.Command)
			}
		}
	}
	return params
}

// isStandIn reports whether v is the neutral stand-in for placeholder name
// in any language.
func isStandIn(name, v string) bool {
	for _, l := range Languages {
		if v == Label(l, "placeholder."+name) {
			return true
		}
	}
	return false
}

// templateRe turns "Sign in as {user} on {host}" into a regexp capturing
// user and host.
func templateRe(tmpl string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^`)
	last := 0
	for _, loc := range placeholderRe.FindAllStringSubmatchIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:loc[0]]))
		b.WriteString(`(?P<` + tmpl[loc[2]:loc[3]] + `>.*?)`)
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	b.WriteString(`$`)
	return regexp.MustCompile(`(?s)` + b.String())
}

// sidesOf is whose move each cause would be, e's and then its
// alternatives', without repeats; nil when all are the same side.
func sidesOf(e *entry, alternatives []string) []string {
	sides := []string{e.Side}
	for _, id := range alternatives {
		if a := cat().byID[id]; a != nil && a.Side != "" && !slices.Contains(sides, a.Side) {
			sides = append(sides, a.Side)
		}
	}
	if len(sides) < 2 {
		return nil
	}
	return sides
}
