package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/profile"
)

// csvColumn is one column of a CSV inventory and the profile field it
// fills.
type csvColumn struct {
	name     string
	field    string // dotted profile field
	required bool
	// lower: enumerations are lower-cased (spreadsheets capitalise cells).
	lower bool
}

// csvColumns are the columns of a CSV inventory. The header row names them,
// in any order and case. "mailbox" is the mailbox the device signs in as
// (the SMTP user). "service" defaults to exchange-online.
var csvColumns = []csvColumn{
	{name: "name", field: "device.name", required: true},
	{name: "vendor", field: "device.vendor", required: true, lower: true},
	{name: "model", field: "device.model", required: true},
	{name: "address", field: "device.address", required: true},
	{name: "mailbox", field: "smtp.user", required: true},
	{name: "auth_method", field: "email.auth_method", required: true, lower: true},
	{name: "server", field: "smtp.server", required: true},
	{name: "port", field: "smtp.port", required: true},
	{name: "token_file", field: "oauth.token_file", required: true},
	{name: "sender", field: "email.sender"},
	{name: "security", field: "smtp.security", lower: true},
	{name: "tenant", field: "oauth.tenant"},
	{name: "client_id", field: "oauth.client_id"},
	{name: "service", field: "email.service", lower: true},
	{name: "verify_cert", field: "smtp.verify_cert", lower: true},
	// ca is mfpcheck's input, not a device setting: Device.CAFile.
	{name: "ca", field: ""},
}

// ParseCSV decodes a CSV inventory: a header row, then one device per
// record. Cells may be empty except name, vendor, auth_method and server
// (port defaults by security, like a profile). Lines starting with # are
// comments. A UTF-8 byte order mark and ";" as separator (spreadsheets in
// German and French locales) are accepted. token_file paths are relative to
// the inventory's folder. Errors name the file, the record's line and the
// column.
func ParseCSV(name string, data []byte) ([]Device, error) {
	if len(data) > MaxFleetSize {
		return nil, &profile.ProfileError{File: name, Msg: fmt.Sprintf("file is larger than %d bytes", MaxFleetSize)}
	}
	src, err := newCSVSource(name, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	f := &Fleet{Path: name, all: src.each}
	ds, err := collect(f)
	if err == nil && len(ds) == 0 {
		return nil, &profile.ProfileError{File: name, Line: src.hline, Msg: "inventory has a header but no devices"}
	}
	return ds, err
}

// knownVendors are the vendor keys a profile takes.
var knownVendors = []string{"epson", "ricoh", "nashuatec", "sharp", "other"}

// csvProfile turns one record into a profile, validated by
// profile.Parse like any other. A vendor a spreadsheet names that
// mfpcheck has no menu names for (Konica Minolta, Canon …) does not stop
// the inventory: the device is checked as "other" and warning says so.
func csvProfile(name string, line int, rec []string, col map[string]int) (p *profile.Profile, warning string, err error) {
	doc := map[string]map[string]any{}
	for _, c := range csvColumns {
		i, ok := col[c.name]
		if !ok {
			continue
		}
		v := strings.TrimSpace(rec[i])
		if c.lower {
			v = strings.ToLower(v)
		}
		if v == "" || c.field == "" {
			continue
		}
		if c.name == "vendor" && !slices.Contains(knownVendors, v) {
			warning = fmt.Sprintf("%s:%d: vendor %q: checked as other (mfpcheck knows the menus of %s)", name, line, strings.TrimSpace(rec[i]), strings.Join(knownVendors[:4], ", "))
			v = "other"
		}
		section, key, _ := strings.Cut(c.field, ".")
		if doc[section] == nil {
			doc[section] = map[string]any{}
		}
		if c.name == "port" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, "", &profile.ProfileError{File: name, Line: line, Field: "port", Msg: fmt.Sprintf("%q is not a port number", v)}
			}
			doc[section][key] = n
			continue
		}
		if c.name == "verify_cert" {
			b, ok := csvBool(v)
			if !ok {
				return nil, "", &profile.ProfileError{File: name, Line: line, Field: "verify_cert", Msg: fmt.Sprintf("%q is not yes or no (true/false, on/off, 1/0)", v)}
			}
			doc[section][key] = b
			continue
		}
		doc[section][key] = v
	}
	if doc["email"] == nil {
		doc["email"] = map[string]any{}
	}
	if _, ok := doc["email"]["service"]; !ok {
		doc["email"]["service"] = "exchange-online"
	}
	// JSON is YAML (flow style, double-quoted scalars) and encoding/json
	// writes it at a third of yaml.Marshal's cost, which counts at
	// hundreds of thousands of rows.
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, "", &profile.ProfileError{File: name, Line: line, Msg: err.Error()}
	}
	p, err = profile.Parse(name, data)
	if err != nil {
		out := &profile.ProfileError{File: name, Line: line, Msg: err.Error()}
		var pe *profile.ProfileError
		if errors.As(err, &pe) {
			out.Field, out.Msg = columnOf(pe.Field), pe.Msg
		}
		return nil, "", out
	}
	return p, warning, nil
}

// csvBool reads a spreadsheet's yes/no cell (lower-cased), in English,
// German and French as well.
func csvBool(v string) (bool, bool) {
	switch v {
	case "true", "yes", "on", "1", "y", "ja", "oui", "wahr", "vrai", "an", "ein":
		return true, true
	case "false", "no", "off", "0", "n", "nein", "non", "falsch", "faux", "aus":
		return false, true
	}
	return false, false
}

// columnOf names the column that fills a profile field.
func columnOf(field string) string {
	for _, c := range csvColumns {
		if c.field == field {
			return c.name
		}
	}
	return field
}

func columnNames() string {
	names := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}
