package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// AppName is the display name of the app registration register-app makes
// and finds again on a second run.
const AppName = "mfpcheck scan-to-email"

// RegisterScopes are the Graph permissions register-app's sign-in needs.
var RegisterScopes = []string{
	"https://graph.microsoft.com/Application.ReadWrite.All",
	"https://graph.microsoft.com/DelegatedPermissionGrant.ReadWrite.All",
	"offline_access",
}

// nativeRedirect is the redirect URI of a public client that signs in with
// a device code.
const nativeRedirect = "https://login.microsoftonline.com/common/oauth2/nativeclient"

// Registration is what register-app makes: a public-client app with the
// delegated Exchange Online permissions SMTP.Send (and
// POP.AccessAsUser.All), consented for the whole organisation.
type Registration struct {
	Name   string
	Scopes []string
	// ClientID is the app's Application (client) ID; Created says whether
	// this run made the app (false: it was there).
	ClientID string
	Created  bool
	// Granted says whether this run granted the admin consent.
	Granted bool
}

// RegisterConfig says where and with which Graph token.
type RegisterConfig struct {
	GraphToken string
	Graph      string
	HTTPClient *http.Client
	POP        bool
}

func (c RegisterConfig) reader() *reader {
	cfg := Config{GraphToken: c.GraphToken, Graph: c.Graph, HTTPClient: c.HTTPClient}
	if cfg.Graph == "" {
		cfg.Graph = DefaultGraph
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	return &reader{cfg: cfg}
}

// Plan is what Register would make: the name and the permissions.
func Plan(c RegisterConfig) Registration {
	scopes := []string{"SMTP.Send"}
	if c.POP {
		scopes = append(scopes, "POP.AccessAsUser.All")
	}
	return Registration{Name: AppName, Scopes: scopes}
}

// FindApp looks for an app registration made by an earlier run.
func FindApp(ctx context.Context, c RegisterConfig) (clientID string, found bool, err error) {
	r := c.reader()
	apps, err := r.graphList(ctx, "/applications", "displayName eq '"+AppName+"'")
	if err != nil || len(apps) == 0 {
		return "", false, err
	}
	id, _ := apps[0]["appId"].(string)
	return id, id != "", nil
}

// Register makes the app registration, its service principal and the
// organisation-wide consent, each only if it is not there yet, and
// changes nothing else.
func Register(ctx context.Context, c RegisterConfig) (Registration, error) {
	r := c.reader()
	reg := Plan(c)
	exo, err := r.graphList(ctx, "/servicePrincipals", "appId eq '"+exchangeAppID+"'")
	if err != nil {
		return reg, fmt.Errorf("find Office 365 Exchange Online: %w", err)
	}
	if len(exo) == 0 {
		return reg, fmt.Errorf("the tenant has no service principal for Office 365 Exchange Online")
	}
	exoSP, _ := exo[0]["id"].(string)
	scopeIDs := map[string]string{}
	if list, ok := exo[0]["oauth2PermissionScopes"].([]any); ok {
		for _, x := range list {
			m := obj(x)
			v, _ := m["value"].(string)
			id, _ := m["id"].(string)
			scopeIDs[v] = id
		}
	}
	var access []any
	for _, s := range reg.Scopes {
		id := scopeIDs[s]
		if id == "" {
			return reg, fmt.Errorf("the Office 365 Exchange Online service principal offers no delegated permission %s", s)
		}
		access = append(access, map[string]any{"id": id, "type": "Scope"})
	}

	clientID, found, err := FindApp(ctx, c)
	if err != nil {
		return reg, fmt.Errorf("look for an earlier registration: %w", err)
	}
	if !found {
		body := map[string]any{
			"displayName":            AppName,
			"signInAudience":         "AzureADMyOrg",
			"isFallbackPublicClient": true,
			"publicClient":           map[string]any{"redirectUris": []any{nativeRedirect}},
			"requiredResourceAccess": []any{map[string]any{"resourceAppId": exchangeAppID, "resourceAccess": access}},
		}
		app, err := r.graphPost(ctx, "/applications", body)
		if err != nil {
			return reg, fmt.Errorf("create the app registration: %w", err)
		}
		clientID, _ = app["appId"].(string)
		reg.Created = true
	}
	reg.ClientID = clientID

	sps, err := r.graphList(ctx, "/servicePrincipals", "appId eq '"+clientID+"'")
	if err != nil {
		return reg, fmt.Errorf("find the app's service principal: %w", err)
	}
	var spID string
	if len(sps) > 0 {
		spID, _ = sps[0]["id"].(string)
	} else {
		sp, err := r.graphPost(ctx, "/servicePrincipals", map[string]any{"appId": clientID})
		if err != nil {
			return reg, fmt.Errorf("create the app's service principal: %w", err)
		}
		spID, _ = sp["id"].(string)
	}
	grants, err := r.graphList(ctx, "/oauth2PermissionGrants", "clientId eq '"+spID+"'")
	if err != nil {
		return reg, fmt.Errorf("look for the consent: %w", err)
	}
	if len(grants) == 0 {
		_, err := r.graphPost(ctx, "/oauth2PermissionGrants", map[string]any{
			"clientId": spID, "consentType": "AllPrincipals", "resourceId": exoSP, "scope": strings.Join(reg.Scopes, " ")})
		if err != nil {
			return reg, fmt.Errorf("grant admin consent: %w", err)
		}
		reg.Granted = true
	}
	return reg, nil
}

func (r *reader) graphList(ctx context.Context, path, filter string) ([]map[string]any, error) {
	u := strings.TrimRight(r.cfg.Graph, "/") + "/v1.0" + path + "?" + url.Values{"$filter": {filter}}.Encode()
	return r.pages(ctx, "GET", u, nil, r.cfg.GraphToken, nil)
}

func (r *reader) graphPost(ctx context.Context, path string, body map[string]any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	data, err := r.do(ctx, "POST", strings.TrimRight(r.cfg.Graph, "/")+"/v1.0"+path, b, r.cfg.GraphToken, map[string]string{"Content-Type": "application/json"})
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if json.Unmarshal(data, &out) != nil {
		return nil, fmt.Errorf("unexpected answer")
	}
	return out, nil
}
