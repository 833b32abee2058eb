package diagnose

import (
	"crypto/tls"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// Catalogue ids the rules raise or reason about. Every one is an entry in
// catalogue/rules.yaml or catalogue/smtp.yaml (TestRuleIDsExist).
const (
	idOAuthPort          = "device.oauth_port"
	idOAuthStartTLS      = "device.oauth_starttls"
	idSMTPAuthOff        = "device.smtp_auth_off"
	idSenderMismatch     = "device.sender_mismatch"
	idAdminMismatch      = "device.admin_mismatch"
	idAdditionalNetwork  = "device.additional_network"
	idFirmwareNoOAuth    = "device.firmware_no_oauth"
	idNoStartTLS         = "tls.no_starttls"
	idTLSLegacy          = "tls.legacy_version"
	idTLSHandshake       = "tls.handshake_failed"
	idCertExpired        = "tls.cert_expired"
	idCertExpiring       = "tls.cert_expiring"
	idCertNotYetValid    = "tls.cert_not_yet_valid"
	idCertHost           = "tls.cert_host"
	idCertUntrusted      = "tls.cert_untrusted"
	idCertWeakKey        = "tls.cert_weak_key"
	idImplicitOnSTARTTLS = "tls.implicit_on_starttls_port"
	idSTARTTLSOnImplicit = "tls.starttls_on_implicit_port"
	idVerifyOff          = "tls.verify_off"
	idAuthNotOffered     = "auth.not_offered"
	idNoCommonMechanism  = "auth.no_common_mechanism"
	idBasicInUse         = "auth.basic_in_use"
	idNoCredentials      = "auth.no_credentials"
	idBadPassword        = "auth.bad_password"
	// Token entries (catalogue/token.yaml) a 535 5.7.3 can stand for.
	idXOAuthAudience = "token.audience"
	idXOAuthScope    = "token.scope_missing"
	idXOAuthUser     = "token.user_mismatch"
	idXOAuthExpired  = "token.expired"
	idXOAuthAppRole  = "token.app_only_no_role"
	// idAppNotRegistered: app-only token with the right role, but the
	// service principal is not registered in Exchange Online.
	idAppNotRegistered = "auth.app_not_registered"
	idDNSFailed        = "net.dns_failed"
	idRefused          = "net.refused"
	idTimeout          = "net.timeout"
	idUnreachable      = "net.unreachable"
	idReset            = "net.reset"
	idClosed           = "net.closed"
	idTLSGarbage       = "net.tls_garbage"
	idNoBanner         = "smtp.no_banner"
	idTooLong          = "smtp.too_long"
	idHeloDevice       = "smtp.helo_device"
	idProtocolError    = "smtp.protocol_error"

	// Reply entries the rules reason about.
	idAuthRejected = "smtp.auth.rejected"
	// The same reply read for a known sign-in method.
	idAuthRejectedOAuth    = "smtp.auth.rejected_oauth"
	idAuthRejectedPassword = "smtp.auth.rejected_password"
	idSendAsDeniedData     = "smtp.data.send_as_denied"
	idSendAsDeniedMail     = "smtp.mail.send_as_denied"
	idLegacyTLSRejected    = "smtp.tls.legacy_rejected"
	idMechanismUnsupported = "smtp.auth.mechanism_unsupported"
	idBasicRetired         = "smtp.auth.basic_retired"
	idStartTLSRequired     = "smtp.tls.starttls_required"
	idNotAuthenticated     = "smtp.mail.not_authenticated"
)

// ruleIDs lists every id above, for the test that they exist.
var ruleIDs = [...]string{
	idOAuthPort, idOAuthStartTLS, idSMTPAuthOff, idSenderMismatch, idAdminMismatch,
	idAdditionalNetwork, idFirmwareNoOAuth, idNoStartTLS, idTLSLegacy, idTLSHandshake,
	idCertExpired, idCertExpiring, idCertNotYetValid, idCertHost, idCertUntrusted,
	idCertWeakKey, idImplicitOnSTARTTLS, idSTARTTLSOnImplicit, idVerifyOff,
	idAuthNotOffered, idNoCommonMechanism, idBasicInUse, idNoCredentials, idBadPassword,
	idXOAuthAudience, idXOAuthScope, idXOAuthUser, idXOAuthExpired, idXOAuthAppRole, idAppNotRegistered,
	idDNSFailed, idRefused, idTimeout, idUnreachable, idReset, idClosed, idTLSGarbage,
	idNoBanner, idTooLong, idHeloDevice, idProtocolError,
	idAuthRejected, idAuthRejectedOAuth, idAuthRejectedPassword, idSendAsDeniedData, idSendAsDeniedMail, idLegacyTLSRejected,
	idMechanismUnsupported, idBasicRetired, idStartTLSRequired, idNotAuthenticated,
	idOffline, idNoDNS, idBudget, idInterrupted,
}

// ctx is what every rule reads: the report, the profile (may be nil), the
// clock, and the facts derived once from them.
type ctx struct {
	r   *report.Report
	p   *profile.Profile
	now time.Time
	// authMethod is the device's: oauth2 | basic | none.
	authMethod report.AuthMethod
	// exchange is true when the target is Exchange Online / Outlook.com
	// (by host name or by the profile's email service); microsoftHost only
	// by host name.
	exchange      bool
	microsoftHost bool
	// mechs are the device's SASL mechanisms, upper case.
	mechs  []string
	maxTLS string
	params map[string]string
}

func newCtx(r *report.Report, p *profile.Profile, now time.Time) *ctx {
	c := &ctx{r: r, p: p, now: now, authMethod: report.AuthMethod(strings.ToLower(string(r.Target.AuthMethod))), maxTLS: r.Options.MaxTLS}
	for _, m := range r.Options.Mechanisms {
		c.mechs = append(c.mechs, strings.ToUpper(m))
	}
	host := strings.ToLower(r.Target.Host)
	c.microsoftHost = strings.HasSuffix(host, ".office365.com") || strings.HasSuffix(host, ".outlook.com") || strings.HasSuffix(host, ".outlook.cn")
	if p != nil && c.r.Target.Host == "" {
		h := strings.ToLower(p.SMTP.Server)
		c.microsoftHost = strings.HasSuffix(h, ".office365.com") || strings.HasSuffix(h, ".outlook.com") || strings.HasSuffix(h, ".outlook.cn")
	}
	c.exchange = c.microsoftHost
	if p != nil {
		if p.Email.AuthMethod != "" {
			c.authMethod = p.Email.AuthMethod
		}
		if p.Email.Service == "exchange-online" || p.Email.Service == "outlook.com" {
			c.exchange = true
		}
		if len(c.mechs) == 0 {
			for _, m := range p.Capabilities.Mechanisms {
				c.mechs = append(c.mechs, strings.ToUpper(m))
			}
		}
		if c.maxTLS == "" {
			c.maxTLS = p.Capabilities.MaxTLS
		}
	}
	if r.Device != nil && r.Device.EmailService != "" {
		if r.Device.EmailService == "exchange-online" || r.Device.EmailService == "outlook.com" {
			c.exchange = true
		}
	}
	c.params = map[string]string{
		"user":       r.Target.User,
		"sender":     r.Target.Sender,
		"host":       r.Target.Host,
		"mechanisms": strings.Join(c.mechs, " "),
		"offered":    strings.Join(c.offered(), " "),
		"version":    c.maxTLS,
	}
	if r.Target.Port != 0 {
		c.params["port"] = strconv.Itoa(r.Target.Port)
	}
	if p != nil {
		if c.params["user"] == "" {
			c.params["user"] = p.SMTP.User
		}
		if c.params["sender"] == "" {
			c.params["sender"] = p.Email.Sender
		}
		c.params["admin"] = p.Email.Admin
		if c.params["host"] == "" {
			c.params["host"] = p.SMTP.Server
		}
		if c.params["port"] == "" && p.SMTP.Port != 0 {
			c.params["port"] = strconv.Itoa(p.SMTP.Port)
		}
	}
	return c
}

// with returns the common params plus extra ones.
func (c *ctx) with(kv ...string) map[string]string {
	out := make(map[string]string, len(c.params)+len(kv)/2)
	for k, v := range c.params {
		if v != "" {
			out[k] = v
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// offered is the AUTH list the server advertised (after TLS when there was
// TLS), upper case.
func (c *ctx) offered() []string {
	var caps []string
	if ph, ok := c.r.Phase(report.PhaseEHLOTLS); ok && len(ph.Capabilities) > 0 {
		caps = ph.Capabilities
	} else if ph, ok := c.r.Phase(report.PhaseEHLO); ok {
		caps = ph.Capabilities
	}
	for _, cp := range caps {
		f := strings.Fields(strings.ToUpper(cp))
		if len(f) > 0 && (f[0] == "AUTH" || strings.HasPrefix(f[0], "AUTH=")) {
			out := f[1:]
			if strings.HasPrefix(f[0], "AUTH=") {
				out = append([]string{strings.TrimPrefix(f[0], "AUTH=")}, out...)
			}
			return out
		}
	}
	if c.r.Auth != nil {
		var out []string
		for _, m := range c.r.Auth.Offered {
			out = append(out, strings.ToUpper(m))
		}
		return out
	}
	return nil
}

func hasCap(caps []string, name string) bool {
	for _, cp := range caps {
		f := strings.Fields(strings.ToUpper(cp))
		if len(f) > 0 && f[0] == name {
			return true
		}
	}
	return false
}

// phases returns the SMTP phases followed by the POP3 ones.
func (c *ctx) phases() []report.Phase {
	out := append([]report.Phase(nil), c.r.Phases...)
	if c.r.POP3 != nil {
		out = append(out, c.r.POP3.Phases...)
	}
	return out
}

// phaseHits reads each failed or warning phase: its reply through the
// matcher, or its local error kind through kindRule.
func phaseHits(c *ctx) []Hit {
	var hits []Hit
	for _, ph := range c.phases() {
		if ph.Status != report.StatusFail && ph.Status != report.StatusWarn {
			continue
		}
		if ph.Reply != nil && (ph.ErrorKind == "" || ph.ErrorKind == report.KindReply) {
			q := ReplyQuery(ph.Reply, ph.Name)
			if q.Protocol == "smtp" && q.Code < 400 && q.Code != 0 {
				continue
			}
			// The reply is read with what the session shows, as a pasted
			// transcript is: how the probe signed in (an XOAUTH2 sign-in
			// is never "the password is wrong") and which service
			// answered (a server that is not Exchange Online never gets
			// Exchange Online's causes).
			q.Method, q.Provider = c.sessionMethod(), c.provider()
			if m, ok := MatchQuery(q); ok {
				code := strings.TrimSpace(fmt.Sprintf("%d %s", q.Code, q.Enhanced))
				if q.Protocol != "smtp" {
					code = ph.Reply.POP3
				}
				hits = append(hits, Hit{ID: m.ID, Phase: ph.Name, Evidence: []string{ph.Reply.Line()}, Params: c.with("code", code), Alternatives: m.Alternatives})
			}
			continue
		}
		if id := kindRule(c, ph); id != "" {
			var ev []string
			if ph.Error != "" {
				ev = append(ev, string(ph.Name)+": "+ph.Error)
			}
			if ph.Reply != nil {
				ev = append(ev, ph.Reply.Line())
			}
			hits = append(hits, Hit{ID: id, Phase: ph.Name, Evidence: ev, Params: c.with()})
		}
	}
	return hits
}

// kindRule maps a local failure (report.Kind*) to its catalogue id; "" for
// kinds that are not a finding (an internal error reported elsewhere).
func kindRule(c *ctx, ph report.Phase) string {
	banner := ph.Name == report.PhaseBanner || ph.Name == report.PhasePOP3Banner
	switch ph.ErrorKind {
	case report.KindTimeout:
		if banner {
			return idNoBanner
		}
		return idTimeout
	case report.KindRefused:
		return idRefused
	case report.KindUnreachable:
		return idUnreachable
	case report.KindReset:
		return idReset
	case report.KindClosed:
		return idClosed
	case report.KindDNS:
		return idDNSFailed
	case report.KindOffline:
		return idOffline
	case report.KindBudget:
		return idBudget
	case report.KindCanceled:
		return idInterrupted
	case report.KindNoDNS:
		return idNoDNS
	case report.KindTLSHandshake:
		return idTLSHandshake
	case report.KindTLSVersion:
		return idTLSLegacy
	case report.KindNotTLS:
		if c.r.Target.Security == "tls" {
			return idImplicitOnSTARTTLS
		}
		return idTLSGarbage
	case report.KindTLSOnPlain:
		return idSTARTTLSOnImplicit
	case report.KindCertExpired:
		return idCertExpired
	case report.KindCertNotYetValid:
		return idCertNotYetValid
	case report.KindCertHost:
		return idCertHost
	case report.KindCertUntrusted:
		return idCertUntrusted
	case report.KindCertWeakKey:
		return idCertWeakKey
	case report.KindProtocol:
		return idProtocolError
	case report.KindTooLong:
		return idTooLong
	case report.KindNotOffered:
		switch ph.Name {
		case report.PhaseEHLO, report.PhaseStartTLS, report.PhasePOP3STLS, report.PhasePOP3CAPA:
			return idNoStartTLS
		case report.PhaseAuth:
			if len(c.offered()) > 0 {
				// AUTH is offered, just not a mechanism the device has.
				return idNoCommonMechanism
			}
		}
		return idAuthNotOffered
	case report.KindNoCredentials:
		return idNoCredentials
	}
	return ""
}

// tlsHits reads the certificate chain and the negotiated version. With
// certificate checks off the handshake goes on past a bad chain, so the
// problem is only in r.TLS.
func tlsHits(c *ctx) []Hit {
	var hits []Hit
	r := c.r
	if r.Options.InsecureTLS || (!r.Target.VerifyCert && r.Target.Security != "none" && r.Target.Security != "") {
		ev := "options.insecure_tls: true"
		if !r.Options.InsecureTLS {
			ev = "target.verify_cert: false"
		}
		hits = append(hits, Hit{ID: idVerifyOff, Phase: report.PhaseTLS, Evidence: []string{ev}, Params: c.with()})
	}
	t := r.TLS
	if t == nil {
		return hits
	}
	if legacyTLS(t.Version) {
		hits = append(hits, Hit{ID: idTLSLegacy, Phase: report.PhaseTLS, Evidence: []string{"tls.version: " + t.Version}, Params: c.with("version", strings.TrimPrefix(t.Version, "TLS "))})
	}
	if len(t.Chain) == 0 {
		return hits
	}
	leaf := t.Chain[0]
	certEv := fmt.Sprintf("certificate %s, valid %s to %s", leaf.Subject, leaf.NotBefore.Format("2006-01-02"), leaf.NotAfter.Format("2006-01-02"))
	days := int(leaf.NotAfter.Sub(c.now).Hours() / 24)
	if leaf.NotAfter.IsZero() {
		days = leaf.DaysLeft
	}
	switch {
	case !leaf.NotAfter.IsZero() && c.now.After(leaf.NotAfter):
		hits = append(hits, Hit{ID: idCertExpired, Phase: report.PhaseTLS, Evidence: []string{certEv}, Params: c.with("days", strconv.Itoa(-days))})
	case !leaf.NotBefore.IsZero() && c.now.Before(leaf.NotBefore):
		hits = append(hits, Hit{ID: idCertNotYetValid, Phase: report.PhaseTLS, Evidence: []string{certEv}, Params: c.with()})
	case days < certWarnDays:
		hits = append(hits, Hit{ID: idCertExpiring, Phase: report.PhaseTLS, Evidence: []string{certEv}, Params: c.with("days", strconv.Itoa(days))})
	}
	if t.VerifyError != "" {
		ev := []string{"tls: " + t.VerifyError}
		switch {
		case !t.HostMatch:
			hits = append(hits, Hit{ID: idCertHost, Phase: report.PhaseTLS, Evidence: append(ev, "certificate names: "+strings.Join(leaf.SANs, ", ")), Params: c.with()})
		case !leaf.NotAfter.IsZero() && c.now.After(leaf.NotAfter), !leaf.NotBefore.IsZero() && c.now.Before(leaf.NotBefore):
			// already said above
		case weakKey(leaf.KeyType):
		default:
			hits = append(hits, Hit{ID: idCertUntrusted, Phase: report.PhaseTLS, Evidence: ev, Params: c.with()})
		}
	}
	if weakKey(leaf.KeyType) {
		hits = append(hits, Hit{ID: idCertWeakKey, Phase: report.PhaseTLS, Evidence: []string{certEv + ", key " + leaf.KeyType}, Params: c.with()})
	}
	return hits
}

// weakKey reports an RSA key shorter than probe.MinRSABits ("RSA 1024").
func weakKey(keyType string) bool {
	f := strings.Fields(keyType)
	if len(f) != 2 || f[0] != "RSA" {
		return false
	}
	bits, err := strconv.Atoi(f[1])
	return err == nil && bits < probe.MinRSABits
}

// capabilityHits compares what the server offered with what the device
// can do, and flags device behaviour that cannot work with Exchange Online.
func capabilityHits(c *ctx) []Hit {
	var hits []Hit
	r := c.r
	if ph, ok := r.Phase(report.PhaseEHLO); ok && ph.Status == report.StatusOK && len(ph.Capabilities) > 0 &&
		r.Target.Security == "starttls" && !hasCap(ph.Capabilities, "STARTTLS") {
		hits = append(hits, Hit{ID: idNoStartTLS, Phase: report.PhaseEHLO, Evidence: []string{"EHLO: " + strings.Join(ph.Capabilities, ", ")}, Params: c.with()})
	}
	offered := c.offered()
	if ph, ok := r.Phase(report.PhaseEHLOTLS); ok && ph.Status == report.StatusOK && len(ph.Capabilities) > 0 && len(offered) == 0 && c.authMethod != "none" {
		hits = append(hits, Hit{ID: idAuthNotOffered, Phase: report.PhaseEHLOTLS, Evidence: []string{"EHLO: " + strings.Join(ph.Capabilities, ", ")}, Params: c.with()})
	}
	if len(offered) > 0 && len(c.mechs) > 0 && c.authMethod != "none" {
		common := false
		for _, m := range c.mechs {
			if containsStr(offered, m) {
				common = true
			}
		}
		if !common {
			hits = append(hits, Hit{ID: idNoCommonMechanism, Phase: report.PhaseAuth,
				Evidence: []string{"server: AUTH " + strings.Join(offered, " "), "device: " + strings.Join(c.mechs, " ")}, Params: c.with()})
		}
	}
	if v, ok := report.TLSVersionByName(c.maxTLS); ok && c.maxTLS != "" && v < tls.VersionTLS12 {
		hits = append(hits, Hit{ID: idTLSLegacy, Phase: report.PhaseTLS, Evidence: []string{"device max TLS: " + c.maxTLS}, Params: c.with("version", c.maxTLS)})
	}
	greeting := r.Options.Greeting
	if greeting == "" && c.p != nil {
		greeting = c.p.Capabilities.Greeting
	}
	if strings.EqualFold(greeting, "helo") {
		hits = append(hits, Hit{ID: idHeloDevice, Phase: report.PhaseEHLO, Evidence: []string{"greeting: HELO"}, Params: c.with()})
	}
	if c.authMethod == "basic" && c.exchange {
		hits = append(hits, Hit{ID: idBasicInUse, Phase: report.PhaseAuth, Evidence: []string{"auth_method: basic"}, Params: c.with()})
	}
	return hits
}

// deviceHits reads the profile alone: settings that cannot work with
// Exchange Online whatever the server says.
func deviceHits(c *ctx) []Hit {
	var hits []Hit
	p := c.p
	sender := strings.TrimSpace(p.Email.Sender)
	if p.Email.AutoSender && p.Email.Admin != "" {
		sender = p.Email.Admin
	}
	add := func(id string, ev ...string) {
		params := c.with()
		if sender != "" {
			params["sender"] = sender
		}
		hits = append(hits, Hit{ID: id, Evidence: ev, Params: params})
	}
	oauth := p.Email.AuthMethod == "oauth2"
	// The port rule needs Microsoft's own host: a relay or a test server
	// may listen anywhere.
	if oauth && c.microsoftHost && p.SMTP.Port != 0 && p.SMTP.Port != 587 {
		add(idOAuthPort, fmt.Sprintf("smtp.port: %d", p.SMTP.Port))
	}
	if oauth && c.exchange && p.SMTP.Security != "" && p.SMTP.Security != "starttls" {
		add(idOAuthStartTLS, "smtp.security: "+string(p.SMTP.Security))
	}
	if p.Email.AuthMethod == "none" && c.exchange {
		add(idSMTPAuthOff, "email.auth_method: none")
	}
	user := strings.TrimSpace(p.SMTP.User)
	vendor := NormVendor(p.Device.Vendor)
	if user != "" && sender != "" && !strings.EqualFold(user, sender) && c.exchange {
		ev := []string{"smtp.user: " + user, "email.sender: " + sender}
		if p.Email.AutoSender {
			ev[1] = "email.admin (auto sender): " + sender
		}
		add(idSenderMismatch, ev...)
	}
	if vendor == "ricoh" && oauth && user != "" && p.Email.Admin != "" && !strings.EqualFold(user, p.Email.Admin) && c.exchange {
		add(idAdminMismatch, "smtp.user: "+user, "email.admin: "+p.Email.Admin)
	}
	if vendor == "epson" && p.Device.Network == "additional" && oauth {
		add(idAdditionalNetwork, "device.network: additional")
	}
	if p.Capabilities.OAuth2 != nil && !*p.Capabilities.OAuth2 && c.exchange {
		add(idFirmwareNoOAuth, "capabilities.oauth2: false")
	}
	return hits
}

// resolveAuthRejected decides what a 535 5.7.3 means from the rest of the
// evidence: on a basic-auth device it is the password; with token findings
// it is the token (the reply becomes their evidence); with token facts it
// is the claim that is wrong; with none it stays one finding listing the
// possible causes.
func resolveAuthRejected(c *ctx, hits, tokenHits []Hit) ([]Hit, []Hit) {
	i := -1
	for k, h := range hits {
		if h.ID == idAuthRejected || h.ID == idAuthRejectedOAuth || h.ID == idAuthRejectedPassword {
			i = k
		}
	}
	if i < 0 {
		return hits, tokenHits
	}
	h := hits[i]
	if c.authMethod == "basic" || h.ID == idAuthRejectedPassword {
		h.ID = idBadPassword
		h.Alternatives = nil
		hits[i] = h
		return hits, tokenHits
	}
	for k, t := range tokenHits {
		if severityOf(t.ID) == report.SeverityError {
			t.Evidence = append(append([]string(nil), h.Evidence...), t.Evidence...)
			if t.Phase == "" {
				t.Phase = h.Phase
			}
			tokenHits[k] = t
			return append(hits[:i:i], hits[i+1:]...), tokenHits
		}
	}
	tok := c.r.Token
	if tok == nil {
		return hits, tokenHits
	}
	var definite []string
	var ev []string
	h.Params = c.with("audience", tok.Audience, "token_user", tok.User, "tenant", tok.Tenant)
	if tok.AppOnly {
		h.Params["scopes"] = strings.Join(tok.Roles, " ")
	} else {
		h.Params["scopes"] = strings.Join(tok.Scopes, " ")
	}
	if tok.Audience != "" && !token.IsOutlookAudience([]string{tok.Audience}) {
		definite = append(definite, idXOAuthAudience)
		ev = append(ev, "token aud: "+tok.Audience)
	}
	if !tok.ExpiresAt.IsZero() && !c.now.Before(tok.ExpiresAt) {
		definite = append(definite, idXOAuthExpired)
		ev = append(ev, "token exp: "+tok.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if tok.AppOnly {
		if !token.HasPermission(tok.Roles, token.RoleSMTPSendApp) {
			definite = append(definite, idXOAuthAppRole)
			ev = append(ev, "token roles: "+strings.Join(tok.Roles, " "))
		}
	} else if len(tok.Scopes) > 0 && !token.HasPermission(tok.Scopes, token.PermSMTPSend) {
		definite = append(definite, idXOAuthScope)
		ev = append(ev, "token scp: "+strings.Join(tok.Scopes, " "))
	}
	if tok.User != "" && c.r.Target.User != "" && !strings.EqualFold(tok.User, c.r.Target.User) {
		definite = append(definite, idXOAuthUser)
		ev = append(ev, "token user: "+tok.User+", user=: "+c.r.Target.User)
	}
	switch {
	case len(definite) > 0:
		h.ID, h.Alternatives = definite[0], definite[1:]
		h.Evidence = append(h.Evidence, ev...)
	case tok.AppOnly:
		// The role is there: what is left is the registration in Exchange
		// Online and the mailbox permission, which the same entry covers.
		h.ID, h.Alternatives = idAppNotRegistered, []string{idXOAuthUser}
	default:
		// The token looks right: what is left is who may use it.
		h.Alternatives = []string{idXOAuthUser, idXOAuthScope, idXOAuthAudience, idXOAuthExpired}
	}
	hits[i] = h
	return hits, tokenHits
}
