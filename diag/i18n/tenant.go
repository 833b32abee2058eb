package i18n

// TenantBool is a tenant setting read as true, false or not at all, in
// lang: the tenant.<on> or tenant.<off> word, or "unknown" when b is nil
// (the read failed; never assumed either way).
func TenantBool(lang string, b *bool, on, off string) string {
	switch {
	case b == nil:
		return T(lang, "tenant.unknown")
	case *b:
		return T(lang, "tenant."+on)
	}
	return T(lang, "tenant."+off)
}

// TenantEffective is the mailbox's effective SMTP AUTH (enabled, disabled,
// unknown) with where it comes from (mailbox, organization,
// security_defaults), in lang: "off (set on the mailbox)".
func TenantEffective(lang, effective, source string) string {
	if effective == "" {
		effective = "unknown"
	}
	s := T(lang, "tenant."+effective)
	if source != "" {
		s += " (" + T(lang, "tenant.source."+source) + ")"
	}
	return s
}

// TOr is T, or raw when the table has no such key: a value that a newer
// reader records and the table does not name yet shows as it is.
func TOr(lang, key, raw string) string {
	l, _ := load()
	if _, ok := l["en"][key]; ok {
		return T(lang, key)
	}
	return raw
}
