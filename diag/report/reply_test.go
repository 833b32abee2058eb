package report

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseReplyLines(t *testing.T) {
	cases := []struct {
		raw                 string
		code                int
		enhanced, text      string
		host, time, session string
	}{
		{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. [AM0PR02CA0001.eurprd02.prod.outlook.com 2026-11-20T08:12:33.456Z 08DD1234ABCD5678]\r\n",
			535, "5.7.139", "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.",
			"AM0PR02CA0001.eurprd02.prod.outlook.com", "2026-11-20T08:12:33.456Z", "08DD1234ABCD5678"},
		{"535 5.7.3 Authentication unsuccessful [BL1P222CA0027.NAMP222.PROD.OUTLOOK.COM]", 535, "5.7.3", "Authentication unsuccessful", "BL1P222CA0027.NAMP222.PROD.OUTLOOK.COM", "", ""},
		{"220 BE1P281CA0440.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 4 Aug 2025 11:15:30 +0000 [08DDD30471EE4ED5]", 220, "", "BE1P281CA0440.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 4 Aug 2025 11:15:30 +0000", "", "", "08DDD30471EE4ED5"},
		{"250-host.outlook.office365.com Hello [192.0.2.1]\r\n250-SIZE 157286400\r\n250 SMTPUTF8\r\n", 250, "", "host.outlook.office365.com Hello [192.0.2.1]\nSIZE 157286400\nSMTPUTF8", "", "", ""},
		{"530 5.7.57 Client not authenticated to send mail.", 530, "5.7.57", "Client not authenticated to send mail.", "", "", ""},
		{"421 4.7.66 TLS 1.0 and 1.1 are not supported.\r\n", 421, "4.7.66", "TLS 1.0 and 1.1 are not supported.", "", "", ""},
	}
	for _, c := range cases {
		r, ok := ParseReplyLines(c.raw)
		if !ok {
			t.Fatalf("%q: not parsed", c.raw)
		}
		if r.Code != c.code || r.Enhanced != c.enhanced || r.Text != c.text {
			t.Errorf("%q:\n got %d %q %q\nwant %d %q %q", c.raw, r.Code, r.Enhanced, r.Text, c.code, c.enhanced, c.text)
		}
		var host, tm, sess string
		if r.Trailer != nil {
			host, tm, sess = r.Trailer.Host, r.Trailer.Time, r.Trailer.Session
		}
		if host != c.host || tm != c.time || sess != c.session {
			t.Errorf("%q: trailer %q %q %q", c.raw, host, tm, sess)
		}
		if r.Trailer != nil && !strings.Contains(r.Line(), r.Trailer.Raw) {
			t.Errorf("Line() drops the trailer: %q", r.Line())
		}
	}
}

func TestSplitTrailerPOP3Host(t *testing.T) {
	// base64 of UTF-16LE "SY5P282CA0097.apcprd03.prod.outlook.com"
	host := "SY5P282CA0097.apcprd03.prod.outlook.com"
	var b []byte
	for _, r := range host {
		b = append(b, byte(r), 0)
	}
	enc := base64.StdEncoding.EncodeToString(b)
	text, tr := SplitTrailer("The Microsoft Exchange POP3 service is ready. [" + enc + "]")
	if tr == nil || tr.Host != host || text != "The Microsoft Exchange POP3 service is ready." {
		t.Fatalf("got %q %+v", text, tr)
	}
}

func TestParseReplyLinesRejectsGarbage(t *testing.T) {
	for _, raw := range []string{"", "hello", "99 short", "600 too high", "\x16\x03\x01\x00"} {
		if r, ok := ParseReplyLines(raw); ok {
			t.Errorf("%q parsed as %+v", raw, r)
		}
	}
}

func FuzzParseReplyLines(f *testing.F) {
	f.Add("535 5.7.3 Authentication unsuccessful [BL1P222CA0027.NAMP222.PROD.OUTLOOK.COM 2025-04-12T09:05:49.952Z 08DD78DC148941BA]")
	f.Add("250-a\r\n250-b\r\n250 c")
	f.Add("220 x [UwBZADUAUAAyADgAMgA=]")
	f.Add("554 5.2.252 SendAsDenied; a not allowed to send as b; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; [BeginDiagnosticData]Cannot submit message.")
	f.Fuzz(func(t *testing.T, raw string) {
		r, ok := ParseReplyLines(raw)
		if !ok {
			return
		}
		if r.Code < 100 || r.Code > 599 {
			t.Fatalf("code %d accepted", r.Code)
		}
		_ = r.Line()
	})
}

func FuzzSplitTrailer(f *testing.F) {
	f.Add("Authentication unsuccessful [AM0PR.. 2026-01-01T00:00:00Z 08DD0000000000AA]")
	f.Add("[[[]]]")
	f.Fuzz(func(t *testing.T, s string) {
		text, tr := SplitTrailer(s)
		if tr == nil && text != s {
			t.Fatalf("text changed without a trailer")
		}
		if tr != nil && len(text) > len(s) {
			t.Fatalf("text grew")
		}
	})
}
