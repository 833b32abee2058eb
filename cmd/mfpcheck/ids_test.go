package main

import (
	"regexp"
	"strings"
	"testing"
)

// internalRef matches what no user may see: the reference notes' source
// ids, seed numbers, note files and place keys.
var internalRef = regexp.MustCompile(`\bS\d{1,3}\b|seed \d|peers\.md|m365_admin|exchange_admin|entra_admin|\(other\)`)

// englishLabels are words of the text report that must not stay English
// in German or French output.
var englishLabels = []string{"skipped", "Verdict", "Findings", "What to do", "refresh token", "days left",
	"chain verified", "Evidence", "Most likely cause", "First step", "Takes effect", "behaving like", "Whose move"}

// TestOutputsSpeakTheLanguageAndNoInternalIDs runs the demo as a user
// would, as text in German and French and as JSON, and checks that no
// internal reference appears and no English label is left in de/fr.
func TestOutputsSpeakTheLanguageAndNoInternalIDs(t *testing.T) {
	for _, sc := range []string{"mailbox-auth-disabled", "legacy-tls", "expired-token", "sender-not-permitted"} {
		for _, lang := range []string{"de", "fr"} {
			a := newTestApp(nil)
			a.runCLI(t, "demo", "--scenario", sc, "--lang", lang)
			out := a.out.String()
			if m := internalRef.FindString(out); m != "" {
				t.Errorf("%s %s: internal reference %q in the text", sc, lang, m)
			}
			for _, w := range englishLabels {
				if strings.Contains(out, w) {
					t.Errorf("%s %s: English %q in the text", sc, lang, w)
				}
			}
		}
		a := newTestApp(nil)
		a.runCLI(t, "demo", "--scenario", sc, "--json")
		r := a.report(t)
		for _, f := range r.Findings {
			for _, s := range f.Sources {
				if internalRef.MatchString(s) {
					t.Errorf("%s: finding %s cites %q", sc, f.ID, s)
				}
			}
		}
	}
}
