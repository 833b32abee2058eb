package render

import "github.com/mfpcheck/mfpcheck/diag/i18n"

// labels are the few headings the text renderer prints around the report's
// data, read from the one label table (package i18n). Explanations never
// live here; they come from the findings.
type labels struct {
	server, auth, user, insecure, asDevice       string
	verified, notVerified, issuer, expires, days string
	// route: "dialled … instead", "through the proxy …"
	dialled, viaProxy                      string
	daysLeft, token, interrupted, findings string
	transcript, colon                      string
}

func labelsFor(lang string) labels {
	t := func(key string) string { return i18n.T(lang, key) }
	return labels{
		server: t("text.server"), auth: t("text.auth"), user: t("text.user"),
		insecure: t("text.insecure"), asDevice: t("text.as_device"),
		verified: t("text.verified"), notVerified: t("text.not_verified"),
		issuer: t("text.issuer"), expires: t("text.expires"), days: t("text.days"),
		dialled: t("text.dialled"), viaProxy: t("text.via_proxy"),
		daysLeft: t("text.days_left"), token: t("text.token"),
		interrupted: t("text.interrupted"), findings: t("text.findings"),
		transcript: t("text.transcript"), colon: t("colon"),
	}
}
