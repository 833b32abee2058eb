package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// cmdRegisterApp runs "mfpcheck tenant register-app": with an admin's
// Graph sign-in, it shows what it will create, asks, then creates a
// public-client app registration with the delegated Exchange Online
// permission SMTP.Send (and POP.AccessAsUser.All with --pop) and grants
// admin consent; it prints the client id or writes it into a profile.
// It changes nothing else, and a second run finds its own app.
func (a *app) cmdRegisterApp(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("tenant register-app", flag.ContinueOnError)
	var (
		tenantName, profileFile, adminTokens, authority, graphURL string
		pop, yes                                                  bool
	)
	fs.StringVar(&tenantName, "tenant", "", "tenant (contoso.onmicrosoft.com or its GUID)")
	fs.StringVar(&profileFile, "profile", "", "write the client id into this profile's oauth.client_id (the tenant comes from it too)")
	fs.StringVar(&adminTokens, "admin-tokens", "", "folder with a saved Graph admin token ("+graphTokenFile+") with Application.ReadWrite.All, instead of signing in")
	fs.StringVar(&authority, "authority", "", "sign-in authority (default https://login.microsoftonline.com)")
	fs.StringVar(&graphURL, "graph-url", "", "Microsoft Graph endpoint (default "+tenant.DefaultGraph+")")
	fs.BoolVar(&pop, "pop", false, "also ask for POP.AccessAsUser.All (devices that read mail by POP3)")
	fs.BoolVar(&yes, "yes", false, "do not ask before creating")
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	tenantName, ok = a.registerAppTenant(pos, profileFile, tenantName)
	if !ok {
		return ExitError
	}
	rc := tenant.RegisterConfig{Graph: graphURL, POP: pop}
	if rc.GraphToken, ok = a.registerAppToken(ctx, adminTokens, authority, tenantName); !ok {
		return ExitError
	}
	if code, proceed := a.registerAppAsk(ctx, rc, tenantName, yes); !proceed {
		return code
	}
	rctx, rcancel := context.WithTimeout(ctx, tenant.DefaultTimeout)
	defer rcancel()
	reg, err := tenant.Register(rctx, rc)
	if err != nil {
		a.errorf("tenant register-app: %v", err)
		var re interface{ Error() string }
		if errors.As(err, &re) && strings.Contains(err.Error(), "HTTP 403") {
			a.hintf("the administrator needs Application Administrator (or Global Administrator) to create apps and grant consent")
		}
		return ExitError
	}
	return a.registerAppDone(reg, profileFile, tenantName)
}

// registerAppTenant is the tenant register-app works in: --tenant, else
// the profile's oauth.tenant; it says what is wrong when there is none.
func (a *app) registerAppTenant(pos []string, profileFile, tenantName string) (string, bool) {
	if len(pos) > 0 {
		a.errorf("tenant register-app: unexpected arguments: %s", strings.Join(pos, " "))
		return "", false
	}
	if profileFile != "" && tenantName == "" {
		p, err := profile.Load(profileFile)
		if err != nil {
			a.errorf("%v", err)
			return "", false
		}
		tenantName = p.OAuth.Tenant
	}
	if tenantName == "" {
		a.errorf("tenant register-app: no tenant")
		a.hintf("give --tenant contoso.onmicrosoft.com, or --profile FILE with oauth.tenant")
		return "", false
	}
	return tenantName, true
}

// registerAppToken is the Graph admin token: from --admin-tokens, or an
// administrator signs in.
func (a *app) registerAppToken(ctx context.Context, adminTokens, authority, tenantName string) (string, bool) {
	if adminTokens != "" {
		s, err := token.Load(adminTokens + string(os.PathSeparator) + graphTokenFile)
		if err != nil {
			a.errorf("tenant register-app: %v", err)
			return "", false
		}
		return s.Access, true
	}
	ep := token.Endpoint{Authority: authority, Tenant: tenantName, ClientID: tenant.GraphClientID, Scopes: tenant.RegisterScopes, Wait: a.wait}
	fmt.Fprintln(a.stderr, "mfpcheck: an administrator signs in to Microsoft Graph (Application.ReadWrite.All, DelegatedPermissionGrant.ReadWrite.All):")
	set, err := token.DeviceLogin(ctx, ep, func(dc token.DeviceCode) {
		fmt.Fprintf(a.stderr, "  open %s and enter the code %s\n", dc.VerificationURI, dc.UserCode)
	}, a.now)
	if err != nil {
		a.errorf("tenant register-app: admin sign-in: %v", err)
		a.hintf("sign in as a Global Administrator, Application Administrator or Cloud Application Administrator")
		return "", false
	}
	return set.Access, true
}

// registerAppAsk says what register-app will do (or that the app is
// there) and asks before creating; proceed is false when it stops with
// code.
func (a *app) registerAppAsk(ctx context.Context, rc tenant.RegisterConfig, tenantName string, yes bool) (code int, proceed bool) {
	// The Graph calls before and after the question each have their own
	// budget; the question waits for the administrator.
	fctx, fcancel := context.WithTimeout(ctx, tenant.DefaultTimeout)
	defer fcancel()
	plan := tenant.Plan(rc)
	if id, found, err := tenant.FindApp(fctx, rc); err != nil {
		a.errorf("tenant register-app: %v", err)
		return ExitError, false
	} else if found {
		fmt.Fprintf(a.stdout, "The app registration %q is already there: client id %s (checking its consent).\n", plan.Name, id)
	} else {
		fmt.Fprintf(a.stdout, "This creates, in tenant %s:\n", tenantName)
		fmt.Fprintf(a.stdout, "  - an app registration %q: public client (device-code sign-in), this organisation only\n", plan.Name)
		fmt.Fprintf(a.stdout, "  - its delegated Office 365 Exchange Online permissions %s, with admin consent for the organisation\n", strings.Join(plan.Scopes, ", "))
		fmt.Fprintln(a.stdout, "and changes nothing else.")
		if !yes && !a.confirm("Create it? [y/N] ") {
			fmt.Fprintln(a.stdout, "Nothing was created.")
			return ExitOK, false
		}
	}
	return ExitOK, true
}

// registerAppDone says what was done and what comes next, writing the
// client id into the profile when one was given.
func (a *app) registerAppDone(reg tenant.Registration, profileFile, tenantName string) int {
	switch {
	case reg.Created:
		fmt.Fprintf(a.stdout, "Created %q with admin consent. Client id: %s\n", reg.Name, reg.ClientID)
	case reg.Granted:
		fmt.Fprintf(a.stdout, "Granted the missing admin consent to %q. Client id: %s\n", reg.Name, reg.ClientID)
	default:
		fmt.Fprintf(a.stdout, "Nothing to do: %q and its consent are in place. Client id: %s\n", reg.Name, reg.ClientID)
	}
	if profileFile != "" {
		if err := profile.SetClientID(profileFile, reg.ClientID); err != nil {
			a.errorf("%v", err)
			return ExitError
		}
		fmt.Fprintf(a.stdout, "Wrote oauth.client_id into %s. Next: mfpcheck login --profile %s\n", profileFile, profileFile)
	} else {
		fmt.Fprintf(a.stdout, "Next: mfpcheck login --tenant %s --client-id %s --user SCAN-MAILBOX\n", tenantName, reg.ClientID)
	}
	return ExitOK
}

// confirm asks a yes/no question on stdin; anything but y or yes is no.
func (a *app) confirm(q string) bool {
	fmt.Fprint(a.stdout, q)
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "y" || ans == "yes" || ans == "j" || ans == "ja" || ans == "o" || ans == "oui"
}
