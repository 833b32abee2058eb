package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/tenant"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// fleetTenantFlags are batch's and serve's --tenant-check flags.
type fleetTenantFlags struct {
	on          bool
	adminTokens string
	tenantName  string
	authority   string
	exchangeURL string
	graphURL    string
}

func (f *fleetTenantFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "tenant-check", false, "also read what the tenant decides for each device's mailbox, once per mailbox (needs --admin-tokens from mfpcheck tenant --save)")
	fs.StringVar(&f.adminTokens, "admin-tokens", "", "with --tenant-check: folder of saved admin tokens (mfpcheck tenant --save DIR); refreshed there when they expire")
	fs.StringVar(&f.tenantName, "tenant", "", "with --tenant-check: the tenant of devices whose profile has no oauth.tenant")
	fs.StringVar(&f.authority, "authority", "", "with --tenant-check: sign-in authority that refreshes the admin tokens (default https://login.microsoftonline.com)")
	fs.StringVar(&f.exchangeURL, "exchange-url", "", "with --tenant-check: Exchange Online endpoint (default "+tenant.DefaultExchange+")")
	fs.StringVar(&f.graphURL, "graph-url", "", "with --tenant-check: Microsoft Graph endpoint (default "+tenant.DefaultGraph+")")
}

// fleetTenant reads the tenant for the devices of a fleet with one
// administrator's saved tokens: each (tenant, mailbox) once, shared by its
// devices (tenant.Shared), inside each device's budget.
type fleetTenant struct {
	f      fleetTenantFlags
	shared *tenant.Shared
	now    func() time.Time
	// load reads an admin token file and registers its tokens as the
	// run's secrets (app.loadAdminToken); secret registers a refreshed set.
	load   func(path string) (*token.Set, error)
	secret func(*token.Set)

	mu   sync.Mutex
	sets map[string]*token.Set // file name → its set
}

// adminClient is who refreshes each admin token file: its public client
// and scopes (as mfpcheck tenant signed in).
var adminClient = map[string]struct {
	client string
	scopes []string
}{
	exchangeTokenFile: {tenant.ExchangeClientID, []string{tenant.ExchangeScope, "offline_access"}},
	graphTokenFile:    {tenant.GraphClientID, tenant.GraphScopes},
}

// fleetTenant checks the flags and the saved admin tokens (refreshing
// them if they have expired) before any device is checked. ttl is how
// long a read is shared (0: the whole run). It returns nil without
// --tenant-check.
func (a *app) fleetTenant(ctx context.Context, f fleetTenantFlags, ttl time.Duration) (*fleetTenant, error) {
	if !f.on {
		if f.adminTokens != "" {
			return nil, errors.New("--admin-tokens is for --tenant-check; add --tenant-check")
		}
		return nil, nil
	}
	if f.adminTokens == "" {
		return nil, errors.New("--tenant-check needs the admin tokens: give --admin-tokens DIR")
	}
	ft := &fleetTenant{f: f, shared: &tenant.Shared{TTL: ttl, Now: a.now}, now: a.now, sets: map[string]*token.Set{},
		load: a.loadAdminToken, secret: a.registerSet}
	if _, _, err := ft.tokens(ctx); err != nil {
		return nil, err
	}
	return ft, nil
}

// tokens returns the admin access tokens, read from --admin-tokens and
// refreshed (token.Refresh saves the new set over the file, 0600) when
// one expires within a minute.
func (ft *fleetTenant) tokens(ctx context.Context) (exchange, graph string, err error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	soon := ft.now().Add(time.Minute)
	expiring := func(s *token.Set) bool { return !s.Expiry.IsZero() && s.Expiry.Before(soon) }
	for _, file := range []string{exchangeTokenFile, graphTokenFile} {
		s := ft.sets[file]
		if s == nil || expiring(s) {
			// Read again: another mfpcheck may have refreshed it.
			path := filepath.Join(ft.f.adminTokens, file)
			if s, err = ft.load(path); err != nil {
				return "", "", err
			}
			if expiring(s) {
				if s.Refresh == "" {
					return "", "", fmt.Errorf("the admin token in %s expired at %s and has no refresh token", path, s.Expiry.Format(time.RFC3339))
				}
				tenantName := ft.f.tenantName
				if tenantName == "" {
					tenantName = "organizations"
				}
				c := adminClient[file]
				ep := token.Endpoint{Authority: ft.f.authority, Tenant: tenantName, ClientID: c.client, Scopes: c.scopes}
				s, err = token.Refresh(ctx, ep, s, ft.now())
				ft.secret(s)
				if err != nil {
					return "", "", fmt.Errorf("refresh the admin token in %s: %w", path, err)
				}
			}
			ft.sets[file] = s
		}
	}
	return ft.sets[exchangeTokenFile].Access, ft.sets[graphTokenFile].Access, nil
}

// config is the tenant read for a device signing in as user. A device
// whose tenant is not known (no oauth.tenant, no --tenant), and every
// device once the admin tokens can no longer be refreshed, gets a read that
// asks nothing and says why in each read's detail (the report, the sheet,
// the csv's tenant_reads_failed and serve's mfpcheck_tenant_read_ok show
// it).
func (ft *fleetTenant) config(ctx context.Context, p *profile.Profile, user string) *tenant.Config {
	if ft == nil || p == nil {
		return nil
	}
	cfg := &tenant.Config{Tenant: p.OAuth.Tenant, User: user, Exchange: ft.f.exchangeURL, Graph: ft.f.graphURL, Now: ft.now, Shared: ft.shared}
	if cfg.Tenant == "" {
		cfg.Tenant = ft.f.tenantName
	}
	switch ex, gr, err := ft.tokens(ctx); {
	case cfg.Tenant == "":
		cfg.Unavailable = "no tenant: the device's profile has no oauth.tenant (give --tenant)"
	case err != nil:
		// The error itself was said when the run started, or names a
		// token endpoint's answer: the detail keeps to what to do.
		cfg.Unavailable = "the admin tokens in " + ft.f.adminTokens + " could not be read or refreshed; sign in again with mfpcheck tenant --save " + ft.f.adminTokens
	default:
		cfg.ExchangeToken, cfg.GraphToken = ex, gr
	}
	return cfg
}
