package tenant

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// exchangeAppID is Office 365 Exchange Online's application id, as
// Conditional Access policies name it.
const exchangeAppID = "00000002-0000-0ff1-ce00-000000000000"

// microsoftManagedPrefix starts the names of the policies Microsoft creates
// in every tenant (rolled out from February 2025, report-only first).
const microsoftManagedPrefix = "Microsoft-managed:"

// What each Conditional Access policy blocks or requires.
const (
	BlocksLegacyAuth      = "legacy_auth"
	BlocksDeviceCode      = "device_code"
	BlocksAll             = "all_sign_ins"
	RequiresCompliant     = "compliant_device"
	RequiresLocation      = "location"
	RequiresMFA           = "mfa"
	RequiresSignInFreq    = "sign_in_frequency"
	signInsTop            = 20
	emailAppUsagePeriod   = "D7"
	graphPolicyRole       = "Policy.Read.All and a role such as Security Reader or Global Reader"
	graphSignInRole       = "AuditLog.Read.All + Directory.Read.All and a role such as Reports Reader, Security Reader or Global Reader"
	graphReportsRole      = "Reports.Read.All and a role such as Reports Reader or Global Reader"
	graphSecurityDefaults = "security defaults"
)

func (r *reader) graph(ctx context.Context) {
	if r.cfg.GraphToken == "" {
		r.unavailable(graphReads, "no Microsoft Graph admin sign-in", false)
		return
	}
	base := strings.TrimRight(r.cfg.Graph, "/") + "/v1.0"
	fail := func(what, role string, err error) {
		st, d := failed(err)
		if st == StatusForbidden {
			d += "; needs " + role
		}
		r.record(what, st, d, false)
	}

	// Security defaults.
	if data, err := r.do(ctx, "GET", base+"/policies/identitySecurityDefaultsEnforcementPolicy", nil, r.cfg.GraphToken, nil); err != nil {
		fail(graphSecurityDefaults, graphPolicyRole, err)
	} else {
		var p struct {
			IsEnabled *bool `json:"isEnabled"`
		}
		if json.Unmarshal(data, &p) != nil || p.IsEnabled == nil {
			r.record(graphSecurityDefaults, StatusUnavailable, "unexpected answer: no isEnabled", false)
		} else {
			r.info.SecurityDefaults = p.IsEnabled
			r.record(graphSecurityDefaults, StatusOK, "", false)
		}
	}

	// The mailbox's object id, to tell whether a policy names it.
	userID := ""
	if data, err := r.do(ctx, "GET", base+"/users/"+url.PathEscape(r.cfg.User)+"?$select=id", nil, r.cfg.GraphToken, nil); err == nil {
		var u struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(data, &u) == nil {
			userID = u.ID
		}
	}

	// Conditional Access.
	if objs, err := r.pages(ctx, "GET", base+"/identity/conditionalAccess/policies", nil, r.cfg.GraphToken, nil); err != nil {
		fail("conditional access", graphPolicyRole, err)
	} else {
		for _, raw := range objs {
			if p, ok := caPolicy(raw, userID); ok {
				r.info.ConditionalAccess = append(r.info.ConditionalAccess, p)
			}
		}
		r.record("conditional access", StatusOK, "", false)
	}

	// Sign-ins, or the email app usage report without Entra ID P1.
	q := url.Values{"$filter": {"userPrincipalName eq '" + strings.ReplaceAll(r.cfg.User, "'", "''") + "'"}, "$top": {fmt.Sprint(signInsTop)}}
	if objs, err := r.pages(ctx, "GET", base+"/auditLogs/signIns?"+q.Encode(), nil, r.cfg.GraphToken, nil); err != nil {
		fail("sign-ins", graphSignInRole, err)
		r.appUsage(ctx, base)
	} else {
		for _, raw := range objs {
			r.info.SignIns = append(r.info.SignIns, signIn(raw))
			if len(r.info.SignIns) == signInsTop {
				break
			}
		}
		r.record("sign-ins", StatusOK, "", false)
	}
}

// appUsage reads the mailbox's row of the email app usage report (a CSV,
// usually behind a redirect).
func (r *reader) appUsage(ctx context.Context, base string) {
	const what = "email app usage"
	data, err := r.do(ctx, "GET", base+"/reports/getEmailAppUsageUserDetail(period='"+emailAppUsagePeriod+"')", nil, r.cfg.GraphToken, nil)
	if err != nil {
		st, d := failed(err)
		if st == StatusForbidden {
			d += "; needs " + graphReportsRole
		}
		r.record(what, st, d, false)
		return
	}
	usage, err := parseAppUsage(data, r.cfg.User)
	if err != nil {
		r.record(what, StatusUnavailable, err.Error(), false)
		return
	}
	usage.Period = emailAppUsagePeriod
	r.info.EmailAppUsage = usage
	r.record(what, StatusOK, "", false)
}

// parseAppUsage finds user's row in the report's CSV.
func parseAppUsage(data []byte, user string) (*report.TenantAppUsage, error) {
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff")))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, errors.New("unexpected answer: not a CSV report")
	}
	col := func(name string) int {
		return slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), name) })
	}
	upn, smtp, last := col("User Principal Name"), col("SMTP App"), col("Last Activity Date")
	if upn < 0 || smtp < 0 {
		return nil, errors.New("unexpected answer: the report has no User Principal Name or SMTP App column")
	}
	for n := 0; n < 1_000_000; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.New("unexpected answer: the CSV report does not parse")
		}
		if upn < len(rec) && strings.EqualFold(strings.TrimSpace(rec[upn]), user) && smtp < len(rec) {
			u := &report.TenantAppUsage{SMTP: strings.EqualFold(strings.TrimSpace(rec[smtp]), "yes")}
			if last >= 0 && last < len(rec) {
				u.LastActivity = strings.TrimSpace(rec[last])
			}
			return u, nil
		}
	}
	return nil, errors.New("the mailbox is not in the report (user names may be concealed in the report settings)")
}

// caPolicy reads one Conditional Access policy; ok is false for a policy
// that is off or does not touch Exchange Online.
func caPolicy(raw map[string]any, userID string) (report.TenantCAPolicy, bool) {
	name, _ := raw["displayName"].(string)
	state, _ := raw["state"].(string)
	if state != "enabled" && state != "enabledForReportingButNotEnforced" {
		return report.TenantCAPolicy{}, false
	}
	cond := obj(raw["conditions"])
	apps := strs(obj(cond["applications"])["includeApplications"])
	if !slices.Contains(apps, "All") && !slices.Contains(apps, exchangeAppID) && !slices.Contains(apps, "Office365") {
		return report.TenantCAPolicy{}, false
	}
	p := report.TenantCAPolicy{Name: name, State: state, Blocks: []string{}, MicrosoftManaged: strings.HasPrefix(name, microsoftManagedPrefix)}
	users := obj(cond["users"])
	incl, excl := strs(users["includeUsers"]), strs(users["excludeUsers"])
	p.AppliesToMailbox = (slices.Contains(incl, "All") || userID != "" && slices.Contains(incl, userID)) &&
		!(userID != "" && slices.Contains(excl, userID))

	clientApps := strs(cond["clientAppTypes"])
	flows, _ := obj(cond["authenticationFlows"])["transferMethods"].(string)
	grant := strs(obj(raw["grantControls"])["builtInControls"])
	if slices.Contains(grant, "block") {
		switch {
		case strings.Contains(flows, "deviceCodeFlow"):
			p.Blocks = append(p.Blocks, BlocksDeviceCode)
		case slices.Contains(clientApps, "other") || slices.Contains(clientApps, "exchangeActiveSync") && !slices.Contains(clientApps, "all"):
			p.Blocks = append(p.Blocks, BlocksLegacyAuth)
		default:
			p.Blocks = append(p.Blocks, BlocksAll)
		}
	}
	if slices.Contains(grant, "compliantDevice") || slices.Contains(grant, "domainJoinedDevice") {
		p.Blocks = append(p.Blocks, RequiresCompliant)
	}
	if slices.Contains(grant, "mfa") {
		p.Blocks = append(p.Blocks, RequiresMFA)
	}
	if loc := obj(cond["locations"]); len(strs(loc["includeLocations"])) > 0 {
		p.Blocks = append(p.Blocks, RequiresLocation)
	}
	if f := obj(obj(raw["sessionControls"])["signInFrequency"]); f["isEnabled"] == true {
		p.Blocks = append(p.Blocks, RequiresSignInFreq)
	}
	return p, true
}

// signIn reads one sign-in log entry.
func signIn(raw map[string]any) report.TenantSignIn {
	s := report.TenantSignIn{}
	if t, ok := raw["createdDateTime"].(string); ok {
		s.Time, _ = time.Parse(time.RFC3339, t)
	}
	s.App, _ = raw["appDisplayName"].(string)
	s.ClientApp, _ = raw["clientAppUsed"].(string)
	st := obj(raw["status"])
	if n, ok := st["errorCode"].(float64); ok {
		s.ErrorCode = int(n)
	}
	s.Reason, _ = st["failureReason"].(string)
	s.ConditionalAccess, _ = raw["conditionalAccessStatus"].(string)
	if list, ok := raw["appliedConditionalAccessPolicies"].([]any); ok {
		for _, a := range list {
			p := obj(a)
			if res, _ := p["result"].(string); res == "failure" || res == "success" {
				if n, _ := p["displayName"].(string); n != "" {
					s.Policies = append(s.Policies, n)
				}
			}
		}
	}
	return s
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
