package diagnose

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"go.yaml.in/yaml/v3"
)

// The catalogue is every embedded catalogue/*.yaml file. Each file is a YAML
// list of entries (see entry); ids are unique across files. The format is
// shared with the other data files' authors and documented in
// catalogue/README.md. sources.yaml (what a citation shows) travels with
// it.
//
//go:embed catalogue/*.yaml sources.yaml
var catalogueFS embed.FS

// Languages are the languages every entry carries, English first.
var Languages = []string{"en", "de", "fr"}

// Vendors are the device makers with their own vendor_steps. Nashuatec
// devices are Ricoh-built and use Ricoh's menus.
var Vendors = []string{"epson", "ricoh", "sharp"}

// Placeholders are the {name} fields an entry's texts may use; Hit.Params
// fills them. The second line is what the token rules fill, the third what
// the device identity check fills (devicecheck.yaml).
var Placeholders = []string{"user", "sender", "admin", "host", "port", "minutes", "days", "version", "mechanisms", "offered", "code",
	"audience", "scopes", "token_user", "tenant", "expected_tenant", "aadsts", "mode",
	"policy", "what", "reason", "app",
	"uri", "profile_model", "device_model", "profile_firmware", "device_firmware"}

// Places a step or an entry can name in "where".
var Places = []string{"device", "m365_admin", "exchange_admin", "entra_admin", "powershell", "defender", "other"}

// Sides are whose move a finding is: the device (its settings, sign-in,
// firmware), the tenant (Microsoft 365 / Entra and, for other servers, the
// mail service's administrators), the network between them, this computer
// (the one mfpcheck runs on: offline, no DNS, its own files), or
// mfpcheck's own input (a flag, a file, a profile row).
var Sides = []string{"device", "tenant", "network", "local", "input"}

// fileSides is the side of every entry of a catalogue file that does not
// name its own. A file not listed here must give every entry a side (the
// completeness test enforces it).
var fileSides = map[string]string{
	"catalogue/device.yaml":  "device",
	"catalogue/entra.yaml":   "device",
	"catalogue/generic.yaml": "tenant",
	"catalogue/oauth.yaml":   "device",
	"catalogue/pop3.yaml":    "device",
	"catalogue/rules.yaml":   "device",
	"catalogue/smtp.yaml":    "tenant",
	"catalogue/token.yaml":   "device",
}

// Protocols an entry's match block can name.
// client: errors a mail library or TLS stack raises itself, with no
// server reply; graph: Microsoft Graph error codes.
var Protocols = []string{"smtp", "pop3", "entra", "oauth", "device", "client", "graph"}

// entry is one catalogue entry: what a reply, code or state means and what
// to do about it, in every language.
type entry struct {
	ID           string          `yaml:"id"`
	Severity     report.Severity `yaml:"severity"`
	Match        *matchSpec      `yaml:"match"`
	Priority     int             `yaml:"priority"`
	Generic      bool            `yaml:"generic"`
	Side         string          `yaml:"side"`
	Where        []string        `yaml:"where"`
	Sources      []string        `yaml:"sources"`
	Alternatives []string        `yaml:"alternatives"`
	// Absorbs lists entries this one says everything of, with more
	// precision: when both are found, those are dropped and their evidence
	// kept here (smtp.tls.legacy_rejected absorbs tls.legacy_version).
	Absorbs []string `yaml:"absorbs"`
	// Symptom marks an entry that describes what a device shows rather
	// than why (a token state on its web page); it is listed after the
	// causes of the same severity.
	Symptom     bool                             `yaml:"symptom"`
	Text        map[string]*langText             `yaml:"text"`
	VendorSteps map[string]map[string][]stepSpec `yaml:"vendor_steps"`

	file   string          // the file it came from, for errors
	norm   []string        // normalised phrases
	any    []string        // normalised Any wordings
	hints  []string        // normalised Hints
	states map[string]bool // normalised states
}

// matchSpec says which evidence an entry explains. Every field that is set
// must match. Codes, Enhanced, AADSTS, Errors and States list alternatives
// (any one matches); Phrases must all appear in the reply text.
type matchSpec struct {
	Protocol string   `yaml:"protocol"`
	Codes    []int    `yaml:"codes"`
	Enhanced []string `yaml:"enhanced"`
	Phrases  []string `yaml:"phrases"`
	Phases   []string `yaml:"phases"`
	AADSTS   []int    `yaml:"aadsts"`
	Errors   []string `yaml:"errors"`
	States   []string `yaml:"states"`
	// Classes match the first digit of the reply code (RFC 5321: 2 success,
	// 4 transient, 5 permanent); Subjects the middle number of the enhanced
	// code (RFC 3463: 1 address, 2 mailbox, 3 system, 4 network, 5 protocol,
	// 6 content, 7 security). They exist for the generic fallback entries.
	Classes  []int `yaml:"classes"`
	Subjects []int `yaml:"subjects"`
	// Any lists wordings of which at least one must appear in the text
	// (a library error worded differently by Python, Go and .NET).
	Any []string `yaml:"any"`
	// Hints tell entries apart that share an enhanced code under
	// different reply codes: when the reply code is unknown ("5.7.3
	// Authentication unsuccessful") and there is text, one of them must
	// appear in it.
	Hints []string `yaml:"hints"`
	// Bare entries read a code given alone, without any text ("421",
	// "5.7.3"): they list the causes the code is shared by.
	Bare bool `yaml:"bare"`
	// Methods are the sign-in methods (oauth, password) the entry is
	// about; it matches only when the input shows one of them.
	Methods []string `yaml:"methods"`
	// Providers are the mail services the entry is about (gmail, ses);
	// without them an SMTP entry is about Exchange Online and does not
	// match a reply that shows it came from another service.
	Providers []string `yaml:"providers"`
}

// langText is an entry's texts in one language.
type langText struct {
	Title string     `yaml:"title"`
	Cause string     `yaml:"cause"`
	Delay string     `yaml:"delay"`
	Steps []stepSpec `yaml:"steps"`
}

// stepSpec is one remediation step as written in the catalogue.
type stepSpec struct {
	Text    string `yaml:"text"`
	Where   string `yaml:"where"`
	Command string `yaml:"command"`
}

// catalogue is the parsed, indexed set of entries. It is built once and
// never changed.
type catalogue struct {
	entries []*entry
	byID    map[string]*entry
}

type loaded struct {
	cat *catalogue
	err error
}

// load reads the embedded catalogue once: its compiled form when that was
// made from the embedded YAML, else the YAML itself.
var load = sync.OnceValue(func() loaded {
	if compiledIsFresh() {
		if cat, ok := buildCompiled(compiledEntries); ok {
			return loaded{cat, nil}
		}
	}
	cat, err := parseCatalogue(catalogueFS)
	return loaded{cat, err}
})

// cat returns the catalogue, or an empty one when it failed to load (the
// completeness test makes sure it never does in a release).
func cat() *catalogue {
	l := load()
	if l.cat == nil {
		return &catalogue{byID: map[string]*entry{}}
	}
	return l.cat
}

// CatalogueError reports whether the embedded catalogue failed to load. It
// is nil in every tested build.
func CatalogueError() error { return load().err }

// IDs lists every catalogue entry id, sorted.
func IDs() []string {
	var ids []string
	for _, e := range cat().entries {
		ids = append(ids, e.ID)
	}
	sort.Strings(ids)
	return ids
}

// parseCatalogue reads every catalogue/*.yaml file of fsys. A file that
// does not parse, an entry whose id repeats and an alternative naming no
// entry are reported in the error, and left out, so one broken file never
// takes the rest of the catalogue down; tests require the error to be nil.
func parseCatalogue(fsys embed.FS) (*catalogue, error) {
	dir, err := fsys.ReadDir("catalogue")
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	c := &catalogue{byID: map[string]*entry{}}
	var errs []error
	for _, d := range dir {
		if d.IsDir() || path.Ext(d.Name()) != ".yaml" {
			continue
		}
		name := "catalogue/" + d.Name()
		data, err := fsys.ReadFile(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("catalogue: %w", err))
			continue
		}
		entries, err := parseFile(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range entries {
			if prev, ok := c.byID[e.ID]; ok {
				errs = append(errs, fmt.Errorf("%s: id %q repeats (first in %s)", name, e.ID, prev.file))
				continue
			}
			c.byID[e.ID] = e
			c.entries = append(c.entries, e)
		}
	}
	for _, e := range c.entries {
		for _, id := range e.Absorbs {
			if _, ok := c.byID[id]; !ok {
				errs = append(errs, fmt.Errorf("%s: %s: absorbs %q, which is not a catalogue id", e.file, e.ID, id))
			}
		}
		var keep []string
		for _, alt := range e.Alternatives {
			if _, ok := c.byID[alt]; !ok {
				errs = append(errs, fmt.Errorf("%s: %s: alternative %q is not a catalogue id", e.file, e.ID, alt))
				continue
			}
			keep = append(keep, alt)
		}
		e.Alternatives = keep
	}
	return c, errors.Join(errs...)
}

// parseFile decodes one catalogue file strictly.
func parseFile(name string, data []byte) ([]*entry, error) {
	var entries []*entry
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&entries); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, e := range entries {
		if e == nil || strings.TrimSpace(e.ID) == "" {
			return nil, fmt.Errorf("%s: entry %d has no id", name, i+1)
		}
		e.prepare(name)
	}
	return entries, nil
}

// prepare fills in what an entry from file name derives: its file, its
// side when it names none, the normalised phrases and states it matches.
func (e *entry) prepare(name string) {
	e.file = name
	if e.Side == "" {
		e.Side = fileSides[name]
	}
	if e.Match != nil {
		// The compiled catalogue brings these lists along (normalising
		// every phrase is a quarter of its load time).
		if len(e.norm) == 0 {
			for _, p := range e.Match.Phrases {
				e.norm = append(e.norm, normalize(p))
			}
		}
		if len(e.any) == 0 {
			for _, p := range e.Match.Any {
				e.any = append(e.any, normalize(p))
			}
		}
		if len(e.hints) == 0 {
			for _, p := range e.Match.Hints {
				e.hints = append(e.hints, normalize(p))
			}
		}
		if len(e.Match.States) > 0 {
			e.states = map[string]bool{}
			for _, s := range e.Match.States {
				e.states[normalize(s)] = true
			}
		}
	}
}

// text returns the entry's texts in lang, falling back to English.
func (e *entry) text(lang string) *langText {
	if t := e.Text[lang]; t != nil {
		return t
	}
	if t := e.Text["en"]; t != nil {
		return t
	}
	return &langText{Title: e.ID}
}

// vendorSteps returns the device-side steps for vendor in lang.
func (e *entry) vendorSteps(vendor, lang string) []stepSpec {
	v := e.VendorSteps[vendor]
	if v == nil {
		return nil
	}
	if s, ok := v[lang]; ok {
		return s
	}
	return v["en"]
}
