package tui

// Languages the UI cycles through with "l", in order.
var languages = []string{"en", "de", "fr"}

// nextLang returns the language after lang.
func nextLang(lang string) string {
	for i, l := range languages {
		if l == lang {
			return languages[(i+1)%len(languages)]
		}
	}
	return languages[0]
}

// validLang returns lang if the UI has texts for it, else "en".
func validLang(lang string) string {
	for _, l := range languages {
		if l == lang {
			return l
		}
	}
	return "en"
}

// uiText holds the UI's own labels and help texts: en, de, fr. It is only
// read. What a reply means and what to do about it is never here; that comes
// from the engine's findings.
var uiText = map[string][3]string{
	"devices":          {"Devices", "Geräte", "Appareils"},
	"not_checked":      {"not checked", "nicht geprüft", "non vérifié"},
	"checking":         {"checking", "prüfe", "vérification"},
	"phases":           {"Phases", "Phasen", "Phases"},
	"pop3":             {"POP3", "POP3", "POP3"},
	"verdict":          {"Verdict", "Ergebnis", "Verdict"},
	"findings":         {"Findings", "Befunde", "Constats"},
	"no_findings":      {"No findings.", "Keine Befunde.", "Aucun constat."},
	"waiting":          {"Waiting for the first phase…", "Warte auf die erste Phase…", "En attente de la première phase…"},
	"cause":            {"Cause", "Ursache", "Cause"},
	"steps":            {"Steps", "Schritte", "Étapes"},
	"evidence":         {"Evidence", "Beleg", "Preuve"},
	"where":            {"Where", "Wo", "Où"},
	"delay":            {"Takes effect", "Wirksam nach", "Délai"},
	"alternatives":     {"Also possible", "Auch möglich", "Aussi possible"},
	"generic":          {"(general reading of the reply class)", "(allgemeine Deutung der Antwortklasse)", "(lecture générale de la classe de réponse)"},
	"error":            {"Could not run", "Konnte nicht laufen", "Impossible d'exécuter"},
	"interrupted":      {"interrupted", "abgebrochen", "interrompu"},
	"transcript":       {"Transcript", "Protokoll", "Transcription"},
	"no_transcript":    {"No transcript yet: run the check first.", "Noch kein Protokoll: erst prüfen.", "Pas encore de transcription : lancez d'abord la vérification."},
	"explain":          {"Explain", "Erklären", "Expliquer"},
	"explain_prompt":   {"Type a code or paste a reply line, then Enter.", "Code eingeben oder Antwortzeile einfügen, dann Enter.", "Saisissez un code ou collez une ligne de réponse, puis Entrée."},
	"explain_input":    {"535 5.7.139 … or AADSTS50076 or 360", "535 5.7.139 … oder AADSTS50076 oder 360", "535 5.7.139 … ou AADSTS50076 ou 360"},
	"explain_none":     {"Nothing known matches this input.", "Nichts Bekanntes passt zu dieser Eingabe.", "Rien de connu ne correspond à cette saisie."},
	"token":            {"Token", "Token", "Jeton"},
	"token_none":       {"No token information: run the check first, or the device does not use OAuth 2.0.", "Keine Token-Angaben: erst prüfen, oder das Gerät nutzt kein OAuth 2.0.", "Aucune information de jeton : lancez la vérification, ou l'appareil n'utilise pas OAuth 2.0."},
	"state":            {"State", "Status", "État"},
	"expires":          {"Expires", "Läuft ab", "Expire"},
	"refresh":          {"Refresh token", "Refresh-Token", "Jeton d'actualisation"},
	"refresh_left":     {"%d days left", "noch %d Tage", "encore %d jours"},
	"refresh_unknown":  {"lifetime unknown", "Laufzeit unbekannt", "durée inconnue"},
	"refresh_none":     {"none", "keines", "aucun"},
	"minutes_left":     {"%d min left", "noch %d Min.", "encore %d min"},
	"expired":          {"expired", "abgelaufen", "expiré"},
	"user":             {"User", "Benutzer", "Utilisateur"},
	"source":           {"Source", "Quelle", "Source"},
	"fingerprint":      {"Fingerprint", "Fingerabdruck", "Empreinte"},
	"signin_start":     {"Press Enter to sign in with a device code.", "Enter drücken, um sich mit einem Gerätecode anzumelden.", "Appuyez sur Entrée pour vous connecter avec un code d'appareil."},
	"signin_wait":      {"Requesting a code…", "Code wird angefordert…", "Demande d'un code…"},
	"signin_open":      {"On a phone or PC open", "Auf Handy oder PC öffnen", "Sur un téléphone ou un PC, ouvrez"},
	"signin_code":      {"and enter the code", "und den Code eingeben", "et saisissez le code"},
	"signin_done":      {"Signed in. Checking again…", "Angemeldet. Prüfe erneut…", "Connecté. Nouvelle vérification…"},
	"signin_failed":    {"Sign-in failed: %s", "Anmeldung fehlgeschlagen: %s", "Échec de la connexion : %s"},
	"signin_na":        {"Sign-in is not available here.", "Anmeldung ist hier nicht verfügbar.", "La connexion n'est pas disponible ici."},
	"sheet_written":    {"Sheet written: %s", "Blatt geschrieben: %s", "Fiche écrite : %s"},
	"sheet_failed":     {"Sheet failed: %s", "Blatt fehlgeschlagen: %s", "Échec de la fiche : %s"},
	"sheet_na":         {"No sheet yet: the check has not finished.", "Noch kein Blatt: die Prüfung läuft noch.", "Pas encore de fiche : la vérification n'est pas terminée."},
	"lang_now":         {"Language: English", "Sprache: Deutsch", "Langue : français"},
	"no_report":        {"Not checked yet: press r.", "Noch nicht geprüft: r drücken.", "Pas encore vérifié : appuyez sur r."},
	"st_ok":            {"OK", "OK", "OK"},
	"st_warning":       {"WARNING", "WARNUNG", "AVERTISSEMENT"},
	"st_fail":          {"FAIL", "FEHLER", "ÉCHEC"},
	"st_error":         {"ERROR", "FEHLER", "ERREUR"},
	"tok_not_obtained": {"Not obtained", "Nicht abgerufen", "Non obtenu"},
	"tok_waiting":      {"Waiting for authorization", "Warten auf Autorisierung", "En attente d'autorisation"},
	"tok_obtained":     {"Obtained", "Abgerufen", "Obtenu"},
	"tok_invalid":      {"Invalid", "Ungültig", "Non valide"},
	"signed_in":        {"Signed in", "Angemeldet", "Connecté"},
	"signed_out":       {"Signed out", "Abgemeldet", "Déconnecté"},

	// Help texts of the keys.
	"k_up":        {"up", "hoch", "haut"},
	"k_down":      {"down", "runter", "bas"},
	"k_open":      {"open", "öffnen", "ouvrir"},
	"k_rerun":     {"re-run", "neu prüfen", "relancer"},
	"k_check_all": {"check all", "alle prüfen", "tout vérifier"},
	"k_sheet":     {"PDF sheet", "PDF-Blatt", "fiche PDF"},
	"k_lang":      {"language", "Sprache", "langue"},
	"k_trans":     {"transcript", "Protokoll", "transcription"},
	"k_explain":   {"explain", "erklären", "expliquer"},
	"k_token":     {"token", "Token", "jeton"},
	"k_signin":    {"sign in", "anmelden", "se connecter"},
	"k_submit":    {"decode", "deuten", "décoder"},
	"k_help":      {"help", "Hilfe", "aide"},
	"k_back":      {"back", "zurück", "retour"},
	"k_quit":      {"quit", "beenden", "quitter"},
	"k_scroll":    {"scroll", "blättern", "défiler"},
}

// tr returns the UI text key in lang (English when missing).
func tr(lang, key string) string {
	t, ok := uiText[key]
	if !ok {
		return key
	}
	for i, l := range languages {
		if l == lang && t[i] != "" {
			return t[i]
		}
	}
	return t[0]
}
