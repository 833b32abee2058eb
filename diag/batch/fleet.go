// Package batch checks a fleet of devices concurrently and writes the
// results in the formats monitoring already reads.
//
// A fleet comes from a YAML fleet file (shared defaults plus a list of
// inline profiles or paths to profile files), a CSV inventory, or a folder of
// profile files: OpenFleet reads it one device at a time for a run,
// LoadFleet whole for the exporter and the TUI. Every device is validated
// exactly like a single profile, by profile.Parse, so the rules are the
// same everywhere; errors name the file and the line the problem is on.
//
// The Runner checks the devices concurrently, never more than PerMailbox at
// once for one mailbox (Exchange Online answers a fourth concurrent session
// of one user with 432 4.3.2), and hands each result to a callback as it
// finishes. RunFleet ties the runner to the renderers (text, json, jsonl,
// csv, openmetrics, nagios) and the PDF sheets, writing each device as soon
// as its format allows, so a run's memory does not grow with the fleet.
package batch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
	"go.yaml.in/yaml/v3"
)

// Device is one entry of a fleet.
type Device struct {
	Name    string
	Profile *profile.Profile
	// Source is "file:line" of the entry, for errors and reports.
	Source string
	// CAFile verifies this device's servers against the CA certificates in
	// this PEM file instead of the system roots (a CSV inventory's ca
	// column; it overrides batch --ca).
	CAFile string
	// Warning is what was wrong but not fatal in the entry (an unknown
	// vendor in a CSV inventory, checked as "other"), for the caller to
	// show; "" when nothing was.
	Warning string
	// Err, when set, is why this device cannot be checked (its profile or
	// CA file cannot be read: a pipe, a device, too large, no permission). The
	// run reports it as this device's error; the others still run.
	Err error
	// invalid marks an entry the fleet file got wrong (Err says how): a
	// run reports it as the device's error, LoadFleet refuses the fleet.
	invalid bool
}

// unreadable reports whether err is a profile file that is there but
// cannot be read as one (a pipe, a device, far too large, no permission): a
// device's own problem, not the fleet's. A path that names nothing is a
// mistake in the fleet file, reported as such.
func unreadable(err error) bool {
	var te *safefile.FileTypeError
	return errors.As(err, &te) || errors.Is(err, fs.ErrPermission)
}

// MailboxKey is the key of the per-mailbox connection limit: the lower-cased
// SMTP user and server. Devices that do not sign in have no key ("") and
// no limit.
func (d Device) MailboxKey() string {
	if d.Profile == nil {
		return ""
	}
	user := strings.ToLower(strings.TrimSpace(d.Profile.SMTP.User))
	if user == "" {
		return ""
	}
	return user + " " + strings.ToLower(strings.TrimSpace(d.Profile.SMTP.Server))
}

// MaxFleetSize bounds what LoadFleet reads from a fleet file or inventory.
// A fleet of thousands of devices is well under a megabyte.
const MaxFleetSize = 16 << 20

// maxErrors is how many entry errors LoadFleet reports at once, so a
// technician fixing an inventory sees more than the first mistake.
const maxErrors = 20

// LoadFleet reads a YAML fleet file (a list of profiles or of paths to
// profile files, with shared defaults), a CSV inventory (by its .csv
// extension), or a folder of profile files (*.yaml, *.yml). Errors name the
// file and line; every bad entry is reported (up to 20), not just the
// first.
func LoadFleet(path string) ([]Device, error) {
	f, err := OpenFleet(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return collect(f)
}

// ParseFleet decodes a YAML fleet file. name is used in errors and to
// resolve "profile:" paths and token files, relative to its folder.
//
//	defaults:            # optional, a partial profile merged under each device
//	  email: {service: exchange-online, auth_method: oauth2}
//	  smtp: {server: smtp.office365.com, port: 587, security: starttls}
//	devices:
//	  - device: {name: epson-2f, vendor: epson}
//	    smtp: {user: scan@contoso.com}
//	  - profile: ricoh-3f.yaml   # a profile file; defaults apply under it too
func ParseFleet(name string, data []byte) ([]Device, error) {
	return parseFleet(name, data, func(p string) ([]byte, error) {
		return readRegularFile(p, profile.MaxProfileSize)
	})
}

func parseFleet(name string, data []byte, read readFunc) ([]Device, error) {
	f, err := yamlFleet(name, data, read)
	if err != nil {
		return nil, err
	}
	return collect(f)
}

// readFunc reads a referenced profile file (a seam for the fuzz test).
type readFunc func(path string) ([]byte, error)

// yamlFleet parses a YAML fleet file's tree (bounded by MaxFleetSize) and
// checks its frame (defaults:, devices:); each entry is merged, validated
// and released only when the run reads it.
func yamlFleet(name string, data []byte, read readFunc) (*Fleet, error) {
	return yamlFleetAs(name, data, read, true)
}

// yamlFleetAs is yamlFleet; blocks false parses the whole tree even when
// the devices could be read item by item (for the test that both agree).
func yamlFleetAs(name string, data []byte, read readFunc, blocks bool) (*Fleet, error) {
	if len(data) > MaxFleetSize {
		return nil, &profile.ProfileError{File: name, Msg: fmt.Sprintf("file is larger than %d bytes", MaxFleetSize)}
	}
	// The usual shape is read item by item from the text; the frame
	// (defaults:, the keys) is parsed with the items' lines emptied.
	// The text's split is only trusted when the frame and every item
	// parse on their own (a flow mapping or a quoted value over several
	// lines can defeat it); otherwise the whole tree is parsed, as it
	// would have been.
	seq, split := findBlockSeq(data)
	split = split && blocks && seq.itemsParse(name, data)
	const empty, notMapping = "fleet file is empty", "a fleet file is a mapping with defaults: and devices:"
	var root *yaml.Node
	var err error
	if split {
		if root, err = rootMapping(name, seq.skeleton(data), empty, notMapping); err != nil {
			split = false
		}
	}
	if !split {
		if root, err = rootMapping(name, data, empty, notMapping); err != nil {
			return nil, err
		}
	}
	var defaults, devices *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return nil, &profile.ProfileError{File: name, Line: k.Line, Field: k.Value, Msg: "key is given twice"}
		}
		seen[k.Value] = true
		switch k.Value {
		case "defaults":
			defaults = v
		case "devices":
			devices = v
		case "device", "email", "smtp":
			return nil, &profile.ProfileError{File: name, Line: k.Line, Field: k.Value,
				Msg: "this looks like a single device profile; a fleet file has defaults: and devices: (check one device with mfpcheck probe --profile)"}
		default:
			return nil, &profile.ProfileError{File: name, Line: k.Line, Field: k.Value, Msg: "unknown key (a fleet file has defaults: and devices:)"}
		}
	}
	if defaults != nil && defaults.Tag == "!!null" {
		defaults = nil
	}
	if defaults != nil && defaults.Kind != yaml.MappingNode {
		return nil, &profile.ProfileError{File: name, Line: defaults.Line, Field: "defaults", Msg: "must be a mapping (a partial profile)"}
	}
	if devices == nil {
		return nil, &profile.ProfileError{File: name, Line: root.Line, Field: "devices", Msg: "required key is missing"}
	}
	dir := filepath.Dir(name)
	if split {
		all := func(yield func(Device) bool) error {
			i := 0
			seq.each(data, func(text []byte, line int) bool {
				entry, err := parseItem(name, text, line)
				var d Device
				if err != nil {
					src := fmt.Sprintf("%s:%d", name, line)
					d = Device{Name: src, Source: src, Err: err, invalid: true}
				} else {
					d = yamlEntry(name, dir, i, entry, defaults, read)
				}
				i++
				return yield(d)
			})
			return nil
		}
		return &Fleet{Path: name, count: seq.items, all: all}, nil
	}
	if devices.Kind != yaml.SequenceNode {
		return nil, &profile.ProfileError{File: name, Line: devices.Line, Field: "devices", Msg: "must be a list of devices"}
	}
	if len(devices.Content) == 0 {
		return nil, &profile.ProfileError{File: name, Line: devices.Line, Field: "devices", Msg: "the list is empty"}
	}

	entries := devices.Content
	all := func(yield func(Device) bool) error {
		for i, entry := range entries {
			entries[i] = nil // read once; the tree of a checked entry is not kept
			if !yield(yamlEntry(name, dir, i, entry, defaults, read)) {
				break
			}
		}
		return nil
	}
	return &Fleet{Path: name, count: len(entries), all: all}, nil
}

// yamlEntry turns entry i of a fleet file into a device, or into the
// device's error (invalid) naming the file and line.
func yamlEntry(name, dir string, i int, entry, defaults *yaml.Node, read readFunc) Device {
	field := fmt.Sprintf("devices[%d]", i)
	src := fmt.Sprintf("%s:%d", name, entry.Line)
	bad := func(err error) Device {
		dname := src
		if n := nodeAt(entry, "device.name"); n != nil && n.Kind == yaml.ScalarNode && strings.TrimSpace(n.Value) != "" {
			dname = strings.TrimSpace(n.Value)
		}
		return Device{Name: dname, Source: src, Err: err, invalid: true}
	}
	if entry.Kind != yaml.MappingNode {
		return bad(&profile.ProfileError{File: name, Line: entry.Line, Field: field, Msg: "must be a profile (a mapping) or {profile: FILE}"})
	}
	over, overFile := entry, name
	if ref := mapValue(entry, "profile"); ref != nil {
		if len(entry.Content) != 2 {
			return bad(&profile.ProfileError{File: name, Line: entry.Line, Field: field, Msg: "a profile: entry takes no other keys"})
		}
		if ref.Kind != yaml.ScalarNode || strings.TrimSpace(ref.Value) == "" {
			return bad(&profile.ProfileError{File: name, Line: ref.Line, Field: field + ".profile", Msg: "must be the path of a profile file"})
		}
		overFile = ref.Value
		if !filepath.IsAbs(overFile) {
			overFile = filepath.Join(dir, overFile)
		}
		src = overFile
		n, err := readProfileNode(overFile, read)
		if err != nil && unreadable(err) {
			return Device{Name: overFile, Source: src, Err: fmt.Errorf("%s: profile: %w", src, err)}
		}
		if err != nil {
			if _, ok := err.(*profile.ProfileError); !ok {
				err = &profile.ProfileError{File: name, Line: ref.Line, Field: field + ".profile", Msg: err.Error()}
			}
			d := bad(err)
			d.Name = overFile
			return d
		}
		over = n
	}
	p, err := mergeProfile(defaults, name, over, overFile)
	if err != nil {
		return bad(err)
	}
	return Device{Name: p.Device.Name, Profile: p, Source: src}
}

// readProfileNode reads a referenced profile file into its root node.
func readProfileNode(path string, read readFunc) (*yaml.Node, error) {
	data, err := read(path)
	if err != nil {
		return nil, err
	}
	return rootMapping(path, data, "profile is empty", "a profile is a mapping (device:, email:, smtp: …)")
}

// rootMapping parses a YAML document whose top is a mapping without
// aliases, and returns that mapping. empty and notMapping are the errors'
// texts.
func rootMapping(name string, data []byte, empty, notMapping string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlSyntaxError(name, err)
	}
	if len(doc.Content) == 0 {
		return nil, &profile.ProfileError{File: name, Msg: empty}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &profile.ProfileError{File: name, Line: root.Line, Msg: notMapping}
	}
	if err := noAliases(name, root); err != nil {
		return nil, err
	}
	return root, nil
}

// mergeProfile merges over (from overFile) on top of defaults (from
// fleetFile), then validates the result with profile.Parse. Errors are
// mapped back to the file and line the offending value came from.
func mergeProfile(defaults *yaml.Node, fleetFile string, over *yaml.Node, overFile string) (*profile.Profile, error) {
	from := map[*yaml.Node]string{}
	mark(from, defaults, fleetFile)
	mark(from, over, overFile)
	merged := mergeUnder(defaults, over, from)

	data, err := yaml.Marshal(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{merged}})
	if err != nil {
		return nil, &profile.ProfileError{File: overFile, Line: over.Line, Msg: err.Error()}
	}
	p, perr := profile.Parse(overFile, data)
	if perr != nil {
		return nil, relocate(perr, data, merged, from, overFile, over.Line)
	}
	// Token files are relative to the file they were written in.
	p.File = overFile
	rel := func(field, s string) string {
		if s == "" || filepath.IsAbs(s) {
			return s
		}
		file := overFile
		if n := nodeAt(merged, field); n != nil && from[n] != "" {
			file = from[n]
		}
		return filepath.Join(filepath.Dir(file), s)
	}
	p.OAuth.TokenFile = rel("oauth.token_file", p.OAuth.TokenFile)
	if p.POP3 != nil {
		p.POP3.TokenFile = rel("pop3.token_file", p.POP3.TokenFile)
	}
	return p, nil
}

// relocate rewrites a ProfileError about the re-marshalled, merged profile
// so it names the original file and line. It parses the re-marshalled text
// again and walks it beside the merged tree: both have the same shape, so
// each line of the text belongs to a node whose origin is known.
func relocate(err error, data []byte, merged *yaml.Node, from map[*yaml.Node]string, file string, line int) error {
	var pe *profile.ProfileError
	if !errors.As(err, &pe) {
		return &profile.ProfileError{File: file, Line: line, Msg: err.Error()}
	}
	out := *pe
	out.File, out.Line = file, line
	if pe.Line > 0 {
		var back yaml.Node
		if yaml.Unmarshal(data, &back) == nil && len(back.Content) == 1 {
			lines := map[int]*yaml.Node{}
			pairLines(back.Content[0], merged, lines)
			if n, ok := lines[pe.Line]; ok && from[n] != "" {
				out.File, out.Line = from[n], n.Line
			}
		}
	}
	return &out
}

// pairLines maps each line of the re-parsed tree a to the first node of the
// merged tree b that stands on it.
func pairLines(a, b *yaml.Node, lines map[int]*yaml.Node) {
	if a == nil || b == nil {
		return
	}
	if _, ok := lines[a.Line]; !ok {
		lines[a.Line] = b
	}
	if len(a.Content) != len(b.Content) {
		return
	}
	for i := range a.Content {
		pairLines(a.Content[i], b.Content[i], lines)
	}
}

// mark records the file every node of n came from.
func mark(from map[*yaml.Node]string, n *yaml.Node, file string) {
	if n == nil {
		return
	}
	from[n] = file
	for _, c := range n.Content {
		mark(from, c, file)
	}
}

// mergeUnder returns over with base's keys filled in where over has none;
// mappings present in both are merged key by key, anything else in over
// wins (so "pop3: null" in a device removes a default POP3 server).
func mergeUnder(base, over *yaml.Node, from map[*yaml.Node]string) *yaml.Node {
	if base == nil || base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: over.Tag, Style: over.Style, Line: over.Line, Column: over.Column}
	from[out] = from[over]
	have := map[string]bool{}
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		have[k.Value] = true
		if bv := mapValue(base, k.Value); bv != nil {
			v = mergeUnder(bv, v, from)
		}
		out.Content = append(out.Content, k, v)
	}
	for i := 0; i+1 < len(base.Content); i += 2 {
		if k := base.Content[i]; !have[k.Value] {
			out.Content = append(out.Content, k, base.Content[i+1])
		}
	}
	return out
}

// mapValue is the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// nodeAt is the value at a dotted key path ("oauth.token_file"), or nil.
func nodeAt(n *yaml.Node, path string) *yaml.Node {
	for _, key := range strings.Split(path, ".") {
		if n = mapValue(n, key); n == nil {
			return nil
		}
	}
	return n
}

// noAliases refuses YAML aliases: a merged device is re-marshalled on its
// own, where an alias to an anchor elsewhere in the file would dangle (and
// alias expansion is a way to blow up a small file). defaults: is the
// fleet's way to share settings.
func noAliases(file string, n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		return &profile.ProfileError{File: file, Line: n.Line, Msg: "YAML aliases (*name) are not supported here; put shared settings under defaults:"}
	}
	for _, c := range n.Content {
		if err := noAliases(file, c); err != nil {
			return err
		}
	}
	return nil
}

// yamlSyntaxError turns a YAML parse error into a ProfileError with its
// line.
func yamlSyntaxError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(num); err == nil {
				return &profile.ProfileError{File: name, Line: line, Msg: text}
			}
		}
	}
	return &profile.ProfileError{File: name, Msg: msg}
}

// loadFolder reads every *.yaml / *.yml file of dir (not its subfolders) as
// one device profile, in name order.
func loadFolder(dir string) ([]Device, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read fleet: %w", err)
	}
	var out []Device
	var errs errorList
	for _, e := range entries {
		n := e.Name()
		ext := strings.ToLower(filepath.Ext(n))
		if e.IsDir() || strings.HasPrefix(n, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		path := filepath.Join(dir, n)
		if _, err := readRegularFile(path, profile.MaxProfileSize); err != nil {
			errs.add(fmt.Errorf("read profile: %w", err))
			continue
		}
		p, err := profile.Load(path)
		if err != nil {
			errs.add(err)
			continue
		}
		out = append(out, Device{Name: p.Device.Name, Profile: p, Source: path})
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read fleet: %s: no profile files (*.yaml, *.yml)", dir)
	}
	return out, uniqueNames(out)
}

// uniqueNames refuses two devices of one name: names key the sheets'
// file names and the metrics' label sets.
func uniqueNames(ds []Device) error {
	first := map[string]string{}
	var errs errorList
	for _, d := range ds {
		key := strings.ToLower(d.Name)
		if prev, ok := first[key]; ok {
			errs.add(fmt.Errorf("%s: device.name: %q is already used by %s; device names must be unique in a fleet", d.Source, d.Name, prev))
			continue
		}
		first[key] = d.Source
	}
	return errs.err()
}

// errorList collects entry errors, keeping the first maxErrors.
type errorList struct {
	errs  []error
	extra int
}

func (l *errorList) add(err error) {
	if len(l.errs) < maxErrors {
		l.errs = append(l.errs, err)
		return
	}
	l.extra++
}

func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	errs := l.errs
	if l.extra > 0 {
		errs = append(errs[:len(errs):len(errs)], fmt.Errorf("… and %d more", l.extra))
	}
	return errors.Join(errs...)
}

// readRegularFile reads a regular file of at most limit bytes (safefile.ReadFile).
func readRegularFile(path string, limit int64) ([]byte, error) {
	data, _, err := safefile.ReadFile(path, limit)
	return data, err
}
