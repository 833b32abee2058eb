package sheet

import (
	"strings"
	"unicode"
)

// ui holds the sheet's own labels and headings in one language. Meaning
// (causes, steps) never lives here: that comes from the report's findings.
type ui struct {
	Title, FleetTitle                                    string
	Device, Model, Address, Firmware, Network            string
	Checked, From, Tool, Printed, Page, Of               string
	VerdictOK, VerdictWarning, VerdictFail, VerdictError string
	SubOK, SubWarning, SubFail, SubError                 string
	Interrupted, CouldNotRun                             string

	SecNetwork, SecEmail, SecToken, SecTLS, SecProbe, SecPOP3, SecFindings, SecTranscript string
	NotCollected, None                                                                    string

	Hostname, Gateway, DNSServers, Interfaces, Iface, State, MAC, Addresses string
	Up, Down, HostChecks, Role, Host, Reachable, Connect, Yes, No           string
	RoleSMTP, RolePOP3, RoleSignin                                          string

	Setting, OnDevice, SeenByCheck                                string
	AuthMethod, EmailService, CurrentStatus, Account, Sender      string
	Admin, AutoSender, SMTPServer, SMTPPort, Secure, CertValidate string
	POP3Server, POP3Port, DeviceNetwork, OAuth2Firmware           string
	Enable, Disable, On, Off, Other                               string
	InsecureWarning                                               string

	TokSource, TokFormat, TokState, TokSignedIn, TokExpires, TokRefresh string
	TokAudience, TokScopes, TokRoles, TokUser, TokTenant, TokApp        string
	TokFingerprint, TokRefreshFP, TokRefreshError, TokFileMode          string
	TokSignature, TokNotVerified, MinutesLeft, DaysLeft, Expired        string
	NotObtained, Waiting, Obtained, Invalid                             string
	SignedIn, SignedOut                                                 string
	Access, Refresh, LastUsed                                           string

	TLSVersion, TLSCipher, TLSServerName, TLSVerified, TLSHostMatch, TLSRoots string
	Chain, Subject, Issuer, ValidFrom, ValidUntil, Days, Key                  string

	Phase, Status, Start, Time, ReplyOrError, Mechanism, Offered, Secret string
	StatusOK, StatusWarn, StatusFail, StatusSkipped                      string

	SecAnswer, SecAppendix, NothingToDo, DetailsOf   string
	SevError, SevWarning, SevInfo                    string
	Cause, Steps, Where, Delay, Evidence, Sources    string
	WhereNames                                       map[string]string
	FleetDevice, FleetFinding, FleetToken, FleetCert string
	FleetCount                                       string
}

// uiFor returns the labels for lang (en when unknown). Each call builds a
// fresh value, so there is no shared mutable state.
func uiFor(lang string) *ui {
	switch lang {
	case "de":
		return &ui{
			Title: "Netzwerkstatusblatt — E-Mail", FleetTitle: "Geräteübersicht — E-Mail",
			Device: "Gerät", Model: "Modell", Address: "Adresse", Firmware: "Firmware", Network: "Netzwerk",
			Checked: "Geprüft", From: "von", Tool: "Werkzeug", Printed: "Erstellt", Page: "Seite", Of: "von",
			VerdictOK: "OK", VerdictWarning: "WARNUNG", VerdictFail: "FEHLER", VerdictError: "ABBRUCH",
			SubOK: "Scan-to-E-Mail funktioniert", SubWarning: "funktioniert, mit Warnungen",
			SubFail: "Senden nicht möglich", SubError: "Prüfung konnte nicht laufen",
			Interrupted: "Die Prüfung wurde vorzeitig abgebrochen.", CouldNotRun: "Prüfung nicht möglich",
			SecNetwork: "Netzwerk (dieser Rechner)", SecEmail: "E-Mail-Server-Status", SecToken: "OAuth-Token",
			SecTLS: "TLS-Verbindung", SecProbe: "SMTP-Prüfung", SecPOP3: "POP3-Prüfung", SecFindings: "Befunde und Abhilfe",
			SecTranscript: "Protokoll der Sitzung", NotCollected: "nicht erfasst", None: "—",
			Hostname: "Rechnername", Gateway: "Standard-Gateway", DNSServers: "DNS-Server", Interfaces: "Schnittstellen",
			Iface: "Schnittstelle", State: "Zustand", MAC: "MAC-Adresse", Addresses: "Adressen",
			Up: "aktiv", Down: "inaktiv", HostChecks: "Erreichbarkeit der Dienste", Role: "Dienst", Host: "Host",
			Reachable: "Erreichbar", Connect: "Verbindung", Yes: "ja", No: "nein",
			RoleSMTP: "SMTP", RolePOP3: "POP3", RoleSignin: "Anmeldung",
			Setting: "Einstellung", OnDevice: "Am Gerät", SeenByCheck: "Von mfpcheck gesehen",
			AuthMethod: "Authentisierungsmethode", EmailService: "E-Mail-Dienst", CurrentStatus: "Aktueller Status",
			Account: "Authentifiziertes Konto", Sender: "Absender-eMail-Adresse", Admin: "Administrator-E-Mail-Adresse",
			AutoSender: "Absender automatisch festlegen", SMTPServer: "SMTP-Serveradresse", SMTPPort: "SMTP-Server-Portnummer",
			Secure: "Sichere Verbindung", CertValidate: "Zertifikatsprüfung", POP3Server: "POP3-Serveradresse",
			POP3Port: "POP3-Server-Portnummer", DeviceNetwork: "Netzwerk des Geräts", OAuth2Firmware: "Firmware kann OAuth 2.0",
			Enable: "Aktivieren", Disable: "Deaktivieren", On: "Ein", Off: "Aus", Other: "Andere",
			InsecureWarning: "Achtung: Diese Prüfung lief mit ausgeschalteter Zertifikatsprüfung. Das Zertifikat des Servers wurde nicht geprüft.",
			TokSource:       "Quelle", TokFormat: "Format", TokState: "Token-Status", TokSignedIn: "Anmeldestatus",
			TokExpires: "Zugriffstoken läuft ab", TokRefresh: "Aktualisierungstoken", TokAudience: "Zielgruppe (aud)",
			TokScopes: "Berechtigungen (scp)", TokRoles: "Rollen", TokUser: "Benutzer", TokTenant: "Mandant",
			TokApp: "Anwendung", TokFingerprint: "Fingerabdruck", TokRefreshFP: "Fingerabdruck Aktualisierungstoken",
			TokRefreshError: "Fehler bei Aktualisierung", TokFileMode: "Dateirechte", TokSignature: "Signatur",
			TokNotVerified: "nicht geprüft", MinutesLeft: "Min. übrig", DaysLeft: "Tage übrig", Expired: "abgelaufen",
			NotObtained: "Nicht abgerufen", Waiting: "Warten auf Autorisierung", Obtained: "Abgerufen", Invalid: "Ungültig",
			SignedIn: "Angemeldet", SignedOut: "Abgemeldet", Access: "Zugriff", Refresh: "Aktualisierung", LastUsed: "zuletzt benutzt",
			TLSVersion: "Version", TLSCipher: "Verschlüsselung", TLSServerName: "Servername", TLSVerified: "Zertifikat geprüft",
			TLSHostMatch: "Name passt", TLSRoots: "Stammzertifikate", Chain: "Zertifikatskette", Subject: "Inhaber",
			Issuer: "Aussteller", ValidFrom: "Gültig ab", ValidUntil: "Gültig bis", Days: "Tage", Key: "Schlüssel",
			Phase: "Schritt", Status: "Status", Start: "Start ms", Time: "Dauer ms", ReplyOrError: "Antwort des Servers / Fehler",
			Mechanism: "Verfahren", Offered: "Angeboten", Secret: "Geheimnis",
			StatusOK: "OK", StatusWarn: "Warnung", StatusFail: "FEHLER", StatusSkipped: "übersprungen",
			SecAnswer: "Was nicht geht und was zu tun ist", SecAppendix: "Anhang: Einzelheiten für die Technik",
			NothingToDo: "Nichts zu tun: Scan-to-E-Mail funktioniert.", DetailsOf: "Belege zu Befund",
			SevError: "FEHLER", SevWarning: "WARNUNG", SevInfo: "HINWEIS",
			Cause: "Ursache", Steps: "Abhilfe", Where: "Wo", Delay: "Wirksam nach", Evidence: "Beleg", Sources: "Quellen",
			WhereNames: map[string]string{
				"device": "Web-Oberfläche des Geräts", "m365_admin": "Microsoft 365 Admin Center",
				"exchange_admin": "Exchange Admin Center", "entra_admin": "Microsoft Entra Admin Center",
				"powershell": "Exchange Online PowerShell", "defender": "Microsoft Defender-Portal", "other": "Sonstiges",
			},
			FleetDevice: "Gerät", FleetFinding: "Erster Befund", FleetToken: "Token Tage", FleetCert: "Zert. Tage",
			FleetCount: "Geräte",
		}
	case "fr":
		return &ui{
			Title: "Feuille d'état réseau — e-mail", FleetTitle: "Synthèse du parc — e-mail",
			Device: "Appareil", Model: "Modèle", Address: "Adresse", Firmware: "Micrologiciel", Network: "Réseau",
			Checked: "Vérifié le", From: "depuis", Tool: "Outil", Printed: "Imprimé le", Page: "Page", Of: "sur",
			VerdictOK: "OK", VerdictWarning: "AVERTISSEMENT", VerdictFail: "ÉCHEC", VerdictError: "NON VÉRIFIÉ",
			SubOK: "la numérisation vers e-mail fonctionne", SubWarning: "fonctionne, avec des avertissements",
			SubFail: "envoi impossible", SubError: "la vérification n'a pas pu être faite",
			Interrupted: "La vérification a été interrompue avant la fin.", CouldNotRun: "Vérification impossible",
			SecNetwork: "Réseau (cet ordinateur)", SecEmail: "État du serveur de messagerie", SecToken: "Jeton OAuth",
			SecTLS: "Connexion TLS", SecProbe: "Test SMTP", SecPOP3: "Test POP3", SecFindings: "Constats et solutions",
			SecTranscript: "Transcription de la session", NotCollected: "non relevé", None: "—",
			Hostname: "Nom de l'ordinateur", Gateway: "Passerelle par défaut", DNSServers: "Serveurs DNS", Interfaces: "Interfaces",
			Iface: "Interface", State: "État", MAC: "Adresse MAC", Addresses: "Adresses",
			Up: "active", Down: "inactive", HostChecks: "Accès aux services", Role: "Service", Host: "Hôte",
			Reachable: "Joignable", Connect: "Connexion", Yes: "oui", No: "non",
			RoleSMTP: "SMTP", RolePOP3: "POP3", RoleSignin: "Connexion",
			Setting: "Paramètre", OnDevice: "Sur l'appareil", SeenByCheck: "Constaté par mfpcheck",
			AuthMethod: "Méthode d'authentification", EmailService: "Service de messagerie", CurrentStatus: "État actuel",
			Account: "Compte authentifié", Sender: "Adresse e-mail de l'expéditeur", Admin: "Adresse e-mail de l'administrateur",
			AutoSender: "Expéditeur automatique", SMTPServer: "Adresse du serveur SMTP", SMTPPort: "Numéro de port du serveur SMTP",
			Secure: "Connexion sécurisée", CertValidate: "Validation du certificat", POP3Server: "Adresse du serveur POP3",
			POP3Port: "Numéro de port du serveur POP3", DeviceNetwork: "Réseau de l'appareil", OAuth2Firmware: "Micrologiciel compatible OAuth 2.0",
			Enable: "Activer", Disable: "Désactiver", On: "Activé", Off: "Désactivé", Other: "Autre",
			InsecureWarning: "Attention : ce test a été fait avec la validation du certificat désactivée. Le certificat du serveur n'a pas été vérifié.",
			TokSource:       "Source", TokFormat: "Format", TokState: "État du jeton", TokSignedIn: "État de connexion",
			TokExpires: "Expiration du jeton d'accès", TokRefresh: "Jeton d'actualisation", TokAudience: "Audience (aud)",
			TokScopes: "Autorisations (scp)", TokRoles: "Rôles", TokUser: "Utilisateur", TokTenant: "Locataire",
			TokApp: "Application", TokFingerprint: "Empreinte", TokRefreshFP: "Empreinte du jeton d'actualisation",
			TokRefreshError: "Erreur d'actualisation", TokFileMode: "Droits du fichier", TokSignature: "Signature",
			TokNotVerified: "non vérifiée", MinutesLeft: "min restantes", DaysLeft: "jours restants", Expired: "expiré",
			NotObtained: "Non obtenu", Waiting: "En attente d'autorisation", Obtained: "Obtenu", Invalid: "Non valide",
			SignedIn: "Connecté", SignedOut: "Déconnecté", Access: "accès", Refresh: "actualisation", LastUsed: "dernière utilisation",
			TLSVersion: "Version", TLSCipher: "Chiffrement", TLSServerName: "Nom du serveur", TLSVerified: "Certificat vérifié",
			TLSHostMatch: "Nom conforme", TLSRoots: "Racines", Chain: "Chaîne de certificats", Subject: "Sujet",
			Issuer: "Émetteur", ValidFrom: "Valide du", ValidUntil: "Valide jusqu'au", Days: "Jours", Key: "Clé",
			Phase: "Étape", Status: "État", Start: "Début ms", Time: "Durée ms", ReplyOrError: "Réponse du serveur / erreur",
			Mechanism: "Mécanisme", Offered: "Proposés", Secret: "Secret",
			StatusOK: "OK", StatusWarn: "Avert.", StatusFail: "ÉCHEC", StatusSkipped: "ignoré",
			SecAnswer: "Ce qui ne va pas et que faire", SecAppendix: "Annexe : détails techniques",
			NothingToDo: "Rien à faire : la numérisation vers e-mail fonctionne.", DetailsOf: "Éléments du constat",
			SevError: "ERREUR", SevWarning: "AVERTISSEMENT", SevInfo: "INFO",
			Cause: "Cause", Steps: "Solution", Where: "Où", Delay: "Délai", Evidence: "Preuve", Sources: "Sources",
			WhereNames: map[string]string{
				"device": "Page web de l'appareil", "m365_admin": "Centre d'administration Microsoft 365",
				"exchange_admin": "Centre d'administration Exchange", "entra_admin": "Centre d'administration Microsoft Entra",
				"powershell": "PowerShell Exchange Online", "defender": "Portail Microsoft Defender", "other": "Autre",
			},
			FleetDevice: "Appareil", FleetFinding: "Premier constat", FleetToken: "Jeton jours", FleetCert: "Cert. jours",
			FleetCount: "appareils",
		}
	}
	return &ui{
		Title: "Network Status Sheet — Email", FleetTitle: "Fleet Summary — Email",
		Device: "Device", Model: "Model", Address: "Address", Firmware: "Firmware", Network: "Network",
		Checked: "Checked", From: "from", Tool: "Tool", Printed: "Printed", Page: "Page", Of: "of",
		VerdictOK: "OK", VerdictWarning: "WARNING", VerdictFail: "FAIL", VerdictError: "ERROR",
		SubOK: "scan to email works", SubWarning: "works, with warnings",
		SubFail: "cannot send", SubError: "the check could not run",
		Interrupted: "The check was stopped before it finished.", CouldNotRun: "Could not run",
		SecNetwork: "Network (this host)", SecEmail: "Email server status", SecToken: "OAuth token",
		SecTLS: "TLS connection", SecProbe: "SMTP probe", SecPOP3: "POP3 probe", SecFindings: "Findings and fixes",
		SecTranscript: "Session transcript", NotCollected: "not collected", None: "—",
		Hostname: "Host name", Gateway: "Default gateway", DNSServers: "DNS servers", Interfaces: "Interfaces",
		Iface: "Interface", State: "State", MAC: "MAC address", Addresses: "Addresses",
		Up: "up", Down: "down", HostChecks: "Service reachability", Role: "Service", Host: "Host",
		Reachable: "Reachable", Connect: "Connect", Yes: "yes", No: "no",
		RoleSMTP: "SMTP", RolePOP3: "POP3", RoleSignin: "Sign-in",
		Setting: "Setting", OnDevice: "On the device", SeenByCheck: "Seen by mfpcheck",
		AuthMethod: "Authentication Method", EmailService: "Email service", CurrentStatus: "Current Status",
		Account: "Authenticated Account", Sender: "Sender's Email Address", Admin: "Administrator Email Address",
		AutoSender: "Auto Specify Sender Name", SMTPServer: "SMTP Server Address", SMTPPort: "SMTP Server Port Number",
		Secure: "Secure Connection", CertValidate: "Certificate Validation", POP3Server: "POP3 Server Address",
		POP3Port: "POP3 Server Port Number", DeviceNetwork: "Device network", OAuth2Firmware: "Firmware supports OAuth 2.0",
		Enable: "Enable", Disable: "Disable", On: "On", Off: "Off", Other: "Other",
		InsecureWarning: "Warning: this check ran with certificate validation OFF. The server's certificate was not verified.",
		TokSource:       "Source", TokFormat: "Format", TokState: "Token state", TokSignedIn: "Sign-in status",
		TokExpires: "Access token expires", TokRefresh: "Refresh token", TokAudience: "Audience (aud)",
		TokScopes: "Scopes (scp)", TokRoles: "Roles", TokUser: "User", TokTenant: "Tenant",
		TokApp: "Application", TokFingerprint: "Fingerprint", TokRefreshFP: "Refresh token fingerprint",
		TokRefreshError: "Refresh error", TokFileMode: "File mode", TokSignature: "Signature",
		TokNotVerified: "not verified", MinutesLeft: "min left", DaysLeft: "days left", Expired: "expired",
		NotObtained: "Not obtained", Waiting: "Waiting for authorization", Obtained: "Obtained", Invalid: "Invalid",
		SignedIn: "Signed in", SignedOut: "Signed out", Access: "access", Refresh: "refresh", LastUsed: "last used",
		TLSVersion: "Version", TLSCipher: "Cipher", TLSServerName: "Server name", TLSVerified: "Certificate verified",
		TLSHostMatch: "Name matches", TLSRoots: "Roots", Chain: "Certificate chain", Subject: "Subject",
		Issuer: "Issuer", ValidFrom: "Valid from", ValidUntil: "Valid until", Days: "Days", Key: "Key",
		Phase: "Phase", Status: "Status", Start: "Start ms", Time: "Time ms", ReplyOrError: "Server reply / error",
		Mechanism: "Mechanism", Offered: "Offered", Secret: "Secret",
		StatusOK: "OK", StatusWarn: "Warning", StatusFail: "FAIL", StatusSkipped: "skipped",
		SecAnswer: "What is wrong and what to do", SecAppendix: "Appendix: technical details",
		NothingToDo: "Nothing to do: scan to email works.", DetailsOf: "Evidence for finding",
		SevError: "ERROR", SevWarning: "WARNING", SevInfo: "INFO",
		Cause: "Cause", Steps: "Fix", Where: "Where", Delay: "Takes effect", Evidence: "Evidence", Sources: "Sources",
		WhereNames: map[string]string{
			"device": "Device web page", "m365_admin": "Microsoft 365 admin center",
			"exchange_admin": "Exchange admin center", "entra_admin": "Microsoft Entra admin center",
			"powershell": "Exchange Online PowerShell", "defender": "Microsoft Defender portal", "other": "Other",
		},
		FleetDevice: "Device", FleetFinding: "First finding", FleetToken: "Token days", FleetCert: "Cert days",
		FleetCount: "devices",
	}
}

// ricohLabels renames the email-server fields the way Ricoh's Web Image
// Monitor names them ([Device Settings] > [Email]). Only the English names
// are documented; other languages keep the generic names.
func (u *ui) ricohLabels(lang string) {
	if lang != "en" && lang != "" {
		return
	}
	u.AuthMethod = "Authentication Method for Sending Email"
	u.SMTPServer = "SMTP Server Name"
	u.SMTPPort = "SMTP Port No."
	u.Secure = "Use Secure Connection (SSL)"
	u.Account = "Authentication Email Address"
	u.CurrentStatus = "OAuth 2.0 Authentication"
	u.SignedIn = "(Authenticated)"
	u.SignedOut = "(Not authenticated)"
}

// fallback replaces common characters outside Windows-1252 with text that
// means the same, so the core fonts never show a wrong glyph.
func fallback(r rune) string {
	switch r {
	case '✓', '✔', '☑', '☒':
		return "[x]"
	case '☐':
		return "[ ]"
	case '✗', '✘', '×':
		return "x"
	case '→', '⇒', '➔', '➜', '⟶':
		return "->"
	case '←', '⇐':
		return "<-"
	case '↔':
		return "<->"
	case '≤':
		return "<="
	case '≥':
		return ">="
	case '≠':
		return "!="
	case '≈':
		return "~"
	case '‐', '‑', '‒', '−', '⁃':
		return "-"
	case '′':
		return "'"
	case '″':
		return "\""
	case '❑', '■', '□', '▪', '◆', '●', '○', '★':
		return "*"
	case '\u00a0', '\u2002', '\u2003', '\u2009', '\u200a', '\u202f', '\u205f', '\u3000':
		return " "
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return ""
	case 'Ĳ':
		return "IJ"
	case 'ĳ':
		return "ij"
	}
	return "?"
}

// cp1252Extra are the Windows-1252 characters in 0x80–0x9F; 0xA0–0xFF is
// Latin-1.
const cp1252Extra = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

// inCP1252 reports whether r has a glyph in the core fonts' encoding.
func inCP1252(r rune) bool {
	return (r >= 0x20 && r < 0x7f) || (r >= 0xa0 && r <= 0xff) || strings.ContainsRune(cp1252Extra, r)
}

// clean makes s printable in the core fonts: control characters become
// spaces (keeping "\n" when multiline), characters outside Windows-1252 get
// a fallback, and letters with a decomposable accent that cp1252 lacks
// (č, ś, ğ …) lose the accent rather than showing mojibake.
func clean(s string, multiline bool) string {
	ok := true
	for _, r := range s {
		if !inCP1252(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && multiline:
			b.WriteByte('\n')
		case r == '\r':
		case r == '\t' || r == '\n' || unicode.IsControl(r):
			b.WriteByte(' ')
		case inCP1252(r):
			b.WriteRune(r)
		default:
			if base, ok := stripAccent(r); ok {
				b.WriteRune(base)
			} else {
				b.WriteString(fallback(r))
			}
		}
	}
	return b.String()
}

// stripAccent maps Latin Extended-A letters (U+0100–U+017F) to their base
// letter: enough for names in Central European addresses.
func stripAccent(r rune) (rune, bool) {
	const bases = "AaAaAaCcCcCcCcDd" + "DdEeEeEeEeEeGgGg" + "GgGgHhHhIiIiIiIi" + "Ii??JjKkkLlLlLlL" +
		"lLlNnNnNnnNnOoOo" + "Oo??RrRrRrSsSsSs" + "SsTtTtTtUuUuUuUu" + "UuUuWwYyYZzZzZzs"
	if r < 0x100 || int(r-0x100) >= len(bases) || bases[r-0x100] == '?' {
		return 0, false
	}
	return rune(bases[r-0x100]), true
}
