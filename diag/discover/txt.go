package discover

import (
	"strings"
)

// unescape undoes the presentation-format escapes github.com/miekg/dns puts
// into names and TXT strings it unpacks: "\X" stands for the byte X and
// "\DDD" for the byte with decimal value DDD. A lone trailing backslash
// and a "\DDD" above 255 stay as they are.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			if v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0'); v <= 255 {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// labels splits an escaped domain name ("Office\ Jet\.1._ipp._tcp.local.")
// into its escaped labels, keeping "\." inside a label.
func labels(name string) []string {
	name = strings.TrimSuffix(name, ".")
	var out []string
	start := 0
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '\\':
			i++ // the escaped byte, or the first digit of \DDD, is no separator
		case '.':
			out = append(out, name[start:i])
			start = i + 1
		}
	}
	return append(out, name[start:])
}

// instanceName returns the service instance name (RFC 6763, section 4.1)
// of name when name is "<Instance>.<service>.local." for the browsed
// service ("_ipp._tcp"): one label, unescaped. ok is false for any other
// name, so records of other services and domains are not mistaken for
// this one's.
func instanceName(name, service string) (instance string, ok bool) {
	ls := labels(name)
	want := append(labels(service), "local")
	if len(ls) != len(want)+1 {
		return "", false
	}
	for i, w := range want {
		if !strings.EqualFold(unescape(ls[i+1]), w) {
			return "", false
		}
	}
	instance = unescape(ls[0])
	return instance, instance != ""
}

// parseTXT reads DNS-SD TXT strings ("key=value", RFC 6763, section 6) as
// miekg/dns presents them (escaped). Keys are case-insensitive and stored
// lower-case; only the first occurrence of a key counts (section 6.4); a
// string without "=" is a boolean attribute with an empty value; a string
// that starts with "=" has no key and is ignored.
func parseTXT(fields []string) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		f = unescape(f)
		key, value, _ := strings.Cut(f, "=")
		if key == "" {
			continue
		}
		key = strings.ToLower(key)
		if _, seen := m[key]; !seen {
			m[key] = value
		}
	}
	return m
}

// makeAndModel picks the device's make and model from its TXT keys: ty
// (the human-readable make and model, RFC 6763 and Apple's Bonjour Printing
// Specification), else usb_MFG and usb_MDL (the IEEE 1284 device ID's
// parts), else product (a PostScript product name in parentheses).
func makeAndModel(txt map[string]string) string {
	if ty := strings.TrimSpace(txt["ty"]); ty != "" {
		return ty
	}
	mfg, mdl := strings.TrimSpace(txt["usb_mfg"]), strings.TrimSpace(txt["usb_mdl"])
	switch {
	case mfg != "" && mdl != "" && !strings.HasPrefix(strings.ToLower(mdl), strings.ToLower(mfg)):
		return mfg + " " + mdl
	case mdl != "":
		return mdl
	case mfg != "":
		return mfg
	}
	p := strings.TrimSpace(txt["product"])
	if strings.HasPrefix(p, "(") && strings.HasSuffix(p, ")") {
		p = strings.TrimSpace(p[1 : len(p)-1])
	}
	return p
}

// adminURL is the TXT key adminurl when it is an http or https URL: the
// device's own web page, where a profile's values are read.
func adminURL(txt map[string]string) string {
	u := strings.TrimSpace(txt["adminurl"])
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return u
	}
	return ""
}
