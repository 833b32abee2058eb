package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

func TestExplainCLILanguagesAndMenus(t *testing.T) {
	reply := "535 5.7.3 Authentication unsuccessful [AM0PR02CA0001.eurprd02.prod.outlook.com 2026-11-22T08:00:00.000Z 08DD78DC148941BA]"
	cases := []struct {
		env  map[string]string
		args []string
		want []string
	}{
		{nil, []string{"explain", reply, "--vendor", "epson"}, []string{"ERROR", "Email Server > Basic", "What to do", "1. ", "08DD78DC148941BA"}},
		{map[string]string{"LANG": "de_DE.UTF-8"}, []string{"explain", reply, "--vendor", "epson"}, []string{"FEHLER", "eMail-Server", "Grundlegend", "Angemeldet", "Abhilfe"}},
		{map[string]string{"LC_ALL": "de_AT", "LANG": "fr_FR"}, []string{"explain", "--vendor", "ricoh", reply}, []string{"Authentifizierung starten", "(Authentifiziert)"}},
		{map[string]string{"LC_MESSAGES": "fr_CA.UTF-8"}, []string{"explain", reply, "--vendor", "nashuatec"}, []string{"Démarrer l'authentification", "Que faire"}},
		{nil, []string{"explain", "--lang", "de", "--vendor", "sharp", reply}, []string{"Token abrufen", "Einstellungen (Administrator)"}},
		{nil, []string{"explain", "535"}, []string{"ambiguous", "Other possible causes", "smtp.auth.mailbox_disabled"}},
		{nil, []string{"explain", "550 5.9.9 whatever"}, []string{"Generic reading"}},
		{nil, []string{"explain", "Set-Test", "--lang", "fr", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."}, []string{"Set-TransportConfig -SmtpClientAuthenticationDisabled $false", "SMTP AUTH est désactivé"}},
	}
	for _, c := range cases {
		a := newTestApp(c.env)
		if code := a.runCLI(t, c.args...); code != ExitOK {
			t.Fatalf("%v: exit %d, stderr %s", c.args, code, a.err.String())
		}
		for _, w := range c.want {
			if !strings.Contains(a.out.String(), w) {
				t.Errorf("%v %v: %q not in output:\n%s", c.env, c.args, w, a.out.String())
			}
		}
		if strings.Contains(a.out.String(), "\x1b[") {
			t.Errorf("colour without a terminal")
		}
	}
}

func TestExplainCLIStdinAndJSON(t *testing.T) {
	a := newTestApp(nil)
	a.stdin = strings.NewReader("S: 220 ready\nS: 535 5.7.3 Authentication unsuccessful\nS: 530 5.7.57 Client not authenticated to send mail.\n")
	if code := a.runCLI(t, "explain", "--json", "-"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, a.err.String())
	}
	var fs []report.Finding
	if err := json.Unmarshal(a.out.Bytes(), &fs); err != nil {
		t.Fatalf("not a JSON array of findings: %v\n%s", err, a.out.String())
	}
	if len(fs) != 2 || fs[0].ID != "smtp.auth.rejected" || fs[1].ID != "smtp.mail.not_authenticated" {
		t.Errorf("findings %+v", fs)
	}
}
