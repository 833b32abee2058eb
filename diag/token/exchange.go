package token

import "strings"

// Exchange Online's token facts: the one home of what an access token must
// carry to sign in to SMTP AUTH and POP3 with XOAUTH2. The token checks
// (Inspect), the sign-in (DefaultScopes) and the diagnosis all read these.
//
// Sources: Microsoft Learn, "Authenticate an IMAP, POP or SMTP connection
// using OAuth" (scopes and app roles per protocol) and the v1 tokens'
// resource app id of "Office 365 Exchange Online".

// OutlookResource is the resource delegated scopes are requested for.
const OutlookResource = "https://outlook.office.com"

// Audiences are the aud values Exchange Online accepts for SMTP and POP3
// XOAUTH2: the Outlook resource of delegated tokens, the one app-only
// tokens for outlook.office365.com/.default carry, and Exchange Online's
// resource app id as v1 tokens show it.
var Audiences = []string{
	OutlookResource,
	"https://outlook.office365.com",
	"00000002-0000-0ff1-ce00-000000000000", // Office 365 Exchange Online's app id
}

// Permission names as they appear in scp (delegated) and roles (app-only),
// without their resource prefix.
const (
	PermSMTPSend    = "SMTP.Send"            // delegated, SMTP AUTH
	PermPOPUser     = "POP.AccessAsUser.All" // delegated, POP3
	RoleSMTPSendApp = "SMTP.SendAsApp"       // app-only, SMTP AUTH
	RolePOPApp      = "POP.AccessAsApp"      // app-only, POP3
)

// Needed lists the permissions a token needs: the delegated scopes, or the
// app roles of an app-only token; POP3's only when the device reads mail.
func Needed(appOnly, pop bool) []string {
	if appOnly {
		if pop {
			return []string{RoleSMTPSendApp, RolePOPApp}
		}
		return []string{RoleSMTPSendApp}
	}
	if pop {
		return []string{PermSMTPSend, PermPOPUser}
	}
	return []string{PermSMTPSend}
}

// IsOutlookAudience reports whether one of aud (each may hold several
// space-separated values, as the report's Audience does) is an audience
// Exchange Online accepts. Case and a trailing slash do not matter.
func IsOutlookAudience(aud []string) bool {
	for _, s := range aud {
		for _, a := range strings.Fields(s) {
			a = strings.TrimSuffix(strings.ToLower(a), "/")
			for _, o := range Audiences {
				if a == o {
					return true
				}
			}
		}
	}
	return false
}

// HasPermission reports whether perms (scp values, roles or full scope URLs
// such as https://outlook.office.com/SMTP.Send; each may hold several
// space-separated values) include name, ignoring case.
func HasPermission(perms []string, name string) bool {
	for _, s := range perms {
		for _, p := range strings.Fields(s) {
			if i := strings.LastIndex(p, "/"); i >= 0 {
				p = p[i+1:]
			}
			if strings.EqualFold(p, name) {
				return true
			}
		}
	}
	return false
}
