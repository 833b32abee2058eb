package diagnose

import (
	"slices"
	"testing"
)

// TestNodemailerResponseCode reads nodemailer's error object: the reply
// is in its response field, and where that text lost its code the code
// comes from responseCode; the command field names the sign-in method,
// so an XOAUTH2 sign-in is never told its password is wrong.
func TestNodemailerResponseCode(t *testing.T) {
	cases := []struct {
		name, in string
		want     string // first finding
		code     string // its {code}
		absent   []string
	}{
		{
			name: "code in the text, XOAUTH2",
			in: `{ Error: Invalid login: 535 5.7.3 Authentication unsuccessful
    at SMTPConnection._formatError (/app/node_modules/nodemailer/lib/smtp-connection/index.js:809:19)
  code: 'EAUTH',
  response: '535 5.7.3 Authentication unsuccessful',
  responseCode: 535,
  command: 'AUTH XOAUTH2' }`,
			want: "smtp.auth.rejected_oauth", code: "535 5.7.3",
			absent: []string{"smtp.auth.rejected_password", "auth.bad_password"},
		},
		{
			name: "text without its code, XOAUTH2",
			in: `{ Error: Invalid login: Authentication unsuccessful
  code: 'EAUTH',
  response: 'Authentication unsuccessful',
  responseCode: 535,
  command: 'AUTH XOAUTH2' }`,
			want: "smtp.auth.rejected_oauth", code: "535",
			absent: []string{"smtp.auth.rejected_password", "auth.bad_password", "generic.permanent"},
		},
		{
			name: "text without its code, JSON on one line",
			in:   `{"code":"EAUTH","response":"Authentication unsuccessful","responseCode":535,"command":"AUTH LOGIN"}`,
			want: "smtp.auth.rejected_password", code: "535",
			absent: []string{"smtp.auth.rejected_oauth", "token.audience"},
		},
		{
			name: "responseCode before response",
			in:   `{ code: 'EAUTH', responseCode: 535, response: 'Authentication unsuccessful', command: 'AUTH XOAUTH2' }`,
			want: "smtp.auth.rejected_oauth", code: "535",
			absent: []string{"auth.bad_password"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hits := explainHits(c.in)
			if len(hits) == 0 {
				t.Fatalf("nothing read from %q", c.in)
			}
			var ids []string
			for _, h := range hits {
				ids = append(ids, h.ID)
				ids = append(ids, h.Alternatives...)
			}
			if hits[0].ID != c.want {
				t.Errorf("first %s (all %v), want %s", hits[0].ID, ids, c.want)
			}
			if hits[0].Params["code"] != c.code {
				t.Errorf("code %q, want %q", hits[0].Params["code"], c.code)
			}
			for _, a := range c.absent {
				if slices.Contains(ids, a) {
					t.Errorf("%s offered for %q: %v", a, c.in, ids)
				}
			}
		})
	}
}

// TestMidLineReplies: a reply without an enhanced code inside a line is
// read (Ruby's and Go's wrappers), an HTTP status is not.
func TestMidLineReplies(t *testing.T) {
	if u, ok := readReply("Net::SMTPServerBusy: 454 Throttling failure: Maximum sending rate exceeded."); !ok || u.Code != 454 {
		t.Errorf("Ruby's wrapper: %+v %v", u, ok)
	}
	if u, ok := readReply(`err="client auth error: 535 Authentication Credentials Invalid"`); !ok || u.Code != 535 {
		t.Errorf("Go's wrapper: %+v %v", u, ok)
	}
	for _, in := range []string{
		"Get Token request returned http error: 400 and server response: {}",
		"took 250 ms: 404 Not Found",
		"HTTP/1.1: 401 Unauthorized",
		"upstream status: 503 Service Unavailable",
		"smtp connect took: 450 ms",
		"queue: 550 messages waiting",
	} {
		if u, ok := readReply(in); ok && u.Code != 0 {
			t.Errorf("%q read as reply %d", in, u.Code)
		}
	}
}

// TestPowerShellWrappedServerResponse: PowerShell's console wraps
// Send-MailMessage's error at its width, often between .NET's "The
// server" and "response was:". The wrapper's own words ("requires a
// secure connection") must not be read as the cause when the server's
// reply follows.
func TestPowerShellWrappedServerResponse(t *testing.T) {
	in := `Send-MailMessage : The SMTP server requires a secure connection or the client was not authenticated. The server
response was: 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful,
SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.
[BN0PR10CA0026.namprd10.prod.outlook.com]
At line:1 char:1
+ Send-MailMessage -From scan@contoso.com -To it@contoso.com -Subject "Test" -SmtpServer smtp.office365.com -UseSsl -Port 587
+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : InvalidOperation: (System.Net.Mail.SmtpClient:SmtpClient) [Send-MailMessage], SmtpExcept
   ion
    + FullyQualifiedErrorId : SmtpException,Microsoft.PowerShell.Commands.SendMailMessage`
	var ids []string
	for _, h := range explainHits(in) {
		ids = append(ids, h.ID)
	}
	if !slices.Equal(ids, []string{"smtp.auth.tenant_disabled"}) {
		t.Errorf("findings %v, want only smtp.auth.tenant_disabled", ids)
	}
}
