package render

// labels are the few headings the text renderer prints around the report's
// data. Explanations never live here; they come from the findings.
type labels struct {
	server, auth, user, insecure, asDevice       string
	verified, notVerified, issuer, expires, days string
	// route: "dialled … instead", "through the proxy …"
	dialled, viaProxy                      string
	daysLeft, token, interrupted, findings string
	transcript, colon                      string
}

var labelSets = map[string]labels{
	"en": {
		server: "server", auth: "auth", user: "user",
		insecure: "WARNING: certificate checks are OFF for this probe (--insecure): the server's identity was not verified.",
		asDevice: "behaving like the device",
		verified: "chain verified", notVerified: "chain NOT verified",
		issuer: "issuer", expires: "expires", days: "days", daysLeft: "days left",
		token: "Token", interrupted: "interrupted",
		findings: "Findings", transcript: "Transcript (secrets redacted)",
		dialled: "dialled", viaProxy: "through the proxy",
		colon: ":",
	},
	"de": {
		server: "Server", auth: "Authentifizierung", user: "Benutzer",
		insecure: "WARNUNG: Zertifikatsprüfung ist für diese Prüfung AUS (--insecure): die Identität des Servers wurde nicht geprüft.",
		asDevice: "verhält sich wie das Gerät",
		verified: "Kette geprüft", notVerified: "Kette NICHT geprüft",
		issuer: "Aussteller", expires: "läuft ab", days: "Tage", daysLeft: "Tage übrig",
		token: "Token", interrupted: "abgebrochen",
		findings: "Befunde", transcript: "Protokoll (Geheimnisse entfernt)",
		dialled: "verbunden mit", viaProxy: "über den Proxy",
		colon: ":",
	},
	"fr": {
		server: "serveur", auth: "authentification", user: "utilisateur",
		insecure: "ATTENTION : la vérification des certificats est DÉSACTIVÉE pour ce test (--insecure) : l'identité du serveur n'a pas été vérifiée.",
		asDevice: "se comporte comme l'appareil",
		verified: "chaîne vérifiée", notVerified: "chaîne NON vérifiée",
		issuer: "émetteur", expires: "expire le", days: "jours", daysLeft: "jours restants",
		token: "Jeton", interrupted: "interrompu",
		findings: "Constats", transcript: "Transcription (secrets masqués)",
		dialled: "connecté à", viaProxy: "via le proxy",
		colon: " :",
	},
}

func labelsFor(lang string) labels {
	if l, ok := labelSets[lang]; ok {
		return l
	}
	return labelSets["en"]
}
