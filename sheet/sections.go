package sheet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	textrender "github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// notCollected is the line a section shows when the report has no data for
// it, so the reader knows it was not checked rather than fine.
func (d *doc) notCollected() {
	d.para(d.u.NotCollected, column{style: "I"}, rowStyle{})
	d.gap(1)
}

func (d *doc) networkSection(r *report.Report) {
	d.section(d.u.SecNetwork)
	n := r.Network
	if n == nil {
		d.notCollected()
		return
	}
	d.kv([][2]string{
		{d.u.Hostname, d.or(n.Hostname)},
		{d.u.Gateway, d.or(n.Gateway)},
		{d.u.DNSServers, d.or(strings.Join(n.DNSServers, ", "))},
	}, 45, false)

	if len(n.Interfaces) > 0 {
		cols := []column{{w: 30}, {w: 16}, {w: 36, mono: true}, {w: d.width - 82, mono: true}}
		rows := make([][]string, 0, len(n.Interfaces))
		for _, ifc := range n.Interfaces {
			state := d.u.Down
			if ifc.Up {
				state = d.u.Up
			}
			rows = append(rows, []string{ifc.Name, state, d.or(ifc.MAC), d.or(strings.Join(ifc.Addresses, "  "))})
		}
		d.table(cols, []string{d.u.Iface, d.u.State, d.u.MAC, d.u.Addresses}, rows, nil)
	}

	if len(n.Lookups) > 0 {
		d.subhead(d.u.HostChecks)
		cols := []column{{w: 20}, {w: 62, mono: true}, {w: 52, mono: true}, {w: 16}, {w: d.width - 150, align: "R"}}
		rows := make([][]string, 0, len(n.Lookups))
		for _, h := range n.Lookups {
			hp := h.Host
			if h.Port > 0 {
				hp = hostPort(h.Host, h.Port)
			}
			reach := d.yesNo(h.Reachable)
			conn := d.u.None
			if h.Reachable {
				conn = d.ms(h.Connect) + " ms"
			}
			addrs := strings.Join(h.Addresses, " ")
			if h.Error != "" {
				addrs = join("\n", addrs, h.Error)
			}
			rows = append(rows, []string{d.role(h.Role), hp, d.or(addrs), reach, conn})
		}
		d.table(cols, []string{d.u.Role, d.u.Host, d.u.Addresses, d.u.Reachable, d.u.Connect}, rows,
			func(i int) rowStyle {
				if !n.Lookups[i].Reachable {
					return rowStyle{rule: true, fill: 238}
				}
				return rowStyle{rule: true}
			})
	}
}

func hostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

func (d *doc) role(role string) string {
	switch role {
	case "smtp":
		return d.u.RoleSMTP
	case "pop3":
		return d.u.RolePOP3
	case "signin":
		return d.u.RoleSignin
	}
	return role
}

// emailSection mirrors the device's own email-server status page, field by
// field in its order, with what the check saw next to each field.
func (d *doc) emailSection(r *report.Report, vendor string) {
	d.section(d.u.SecEmail)
	dev := r.Device
	if dev == nil {
		dev = &report.Device{}
	}
	authMethod := dev.AuthMethod
	if authMethod == "" {
		authMethod = r.Target.AuthMethod
	}
	type field struct{ label, device, seen string }
	var fs []field

	var seenAuth string
	if r.Auth != nil {
		seenAuth = join("; ", join(" ", "AUTH", r.Auth.Mechanism), prefixed(d.u.Offered, strings.Join(r.Auth.Offered, " ")))
	}
	fs = append(fs, field{d.u.AuthMethod, d.authMethodName(authMethod, vendor), seenAuth})
	fs = append(fs, field{d.u.EmailService, d.serviceName(dev.EmailService), ""})
	if authMethod == "oauth2" || r.Token != nil {
		fs = append(fs, field{d.u.CurrentStatus, d.signInStatus(r.Token), d.tokenSummary(r.Token)})
	}
	user := r.Target.User
	if user == "" && r.Auth != nil {
		user = r.Auth.User
	}
	fs = append(fs, field{d.u.Account, user, d.phaseSummary(r, report.PhaseAuth)})
	sender := dev.Sender
	if sender == "" {
		sender = r.Target.Sender
	}
	fs = append(fs, field{d.u.Sender, sender, d.phaseSummary(r, report.PhaseMailFrom)})
	if dev.Admin != "" || vendor == "ricoh" {
		fs = append(fs, field{d.u.Admin, dev.Admin, ""})
	}
	if dev.AutoSender || vendor == "ricoh" {
		v := d.u.Off
		if dev.AutoSender {
			v = d.u.On
		}
		fs = append(fs, field{d.u.AutoSender, v, ""})
	}
	var seenDNS string
	if r.DNS != nil {
		seenDNS = join(" ", strings.Join(r.DNS.Addresses, " "), prefixed("->", r.DNS.Used))
	} else {
		seenDNS = d.phaseSummary(r, report.PhaseDNS)
	}
	fs = append(fs, field{d.u.SMTPServer, r.Target.Host, seenDNS})
	port := ""
	if r.Target.Port > 0 {
		port = strconv.Itoa(r.Target.Port)
	}
	fs = append(fs, field{d.u.SMTPPort, port, d.phaseSummary(r, report.PhaseConnect)})
	var seenTLS string
	if r.TLS != nil {
		seenTLS = join(", ", r.TLS.Version, r.TLS.Cipher)
	} else {
		seenTLS = d.phaseSummary(r, report.PhaseStartTLS)
	}
	fs = append(fs, field{d.u.Secure, securityName(r.Target.Security), seenTLS})
	// Drawn like the device's own check boxes: "[x] Enable  [ ] Disable".
	verify := "[ ] " + d.u.Enable + "  [x] " + d.u.Disable
	if r.Target.VerifyCert {
		verify = "[x] " + d.u.Enable + "  [ ] " + d.u.Disable
	}
	fs = append(fs, field{d.u.CertValidate, verify, d.certSummary(r)})
	if r.POP3 != nil {
		pport := ""
		if r.POP3.Target.Port > 0 {
			pport = strconv.Itoa(r.POP3.Target.Port)
		}
		fs = append(fs, field{d.u.POP3Server, r.POP3.Target.Host, d.pop3Summary(r.POP3, true)},
			field{d.u.POP3Port, pport, d.pop3Summary(r.POP3, false)})
	} else {
		fs = append(fs, field{d.u.POP3Server, "", ""}, field{d.u.POP3Port, "", ""})
	}
	if dev.Network != "" {
		fs = append(fs, field{d.u.DeviceNetwork, dev.Network, ""})
	}
	if dev.OAuth2Supported != nil {
		fs = append(fs, field{d.u.OAuth2Firmware, d.yesNo(*dev.OAuth2Supported), ""})
	}

	cols := []column{{w: 52}, {w: 58, style: "B"}, {w: d.width - 110, size: smallSize}}
	rows := make([][]string, len(fs))
	for i, f := range fs {
		rows[i] = []string{f.label, d.or(f.device), f.seen}
	}
	d.table(cols, []string{d.u.Setting, d.u.OnDevice, d.u.SeenByCheck}, rows, nil)
	if r.Options.InsecureTLS {
		d.warnBox(d.u.InsecureWarning)
	}
}

// warnBox is a bold boxed line that cannot be overlooked.
func (d *doc) warnBox(text string) {
	p := d.pdf
	d.ensure(12)
	y := p.GetY()
	d.para(text, column{style: "B", size: 9}, rowStyle{fill: 225, lh: 4.4, indent: 1.5})
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.8)
	if p.GetY() > y { // on one page (warnings are short)
		p.Rect(d.left+0.4, y, d.width-0.4, p.GetY()-y, "D")
	}
	p.SetLineWidth(0.2)
	d.gap(3)
}

func prefixed(label, v string) string {
	if v == "" {
		return ""
	}
	return label + " " + v
}

func (d *doc) authMethodName(m report.AuthMethod, vendor string) string {
	switch m {
	case "oauth2":
		if vendor == "ricoh" && (d.lang == "en") {
			return "OAuth 2.0 (for Exchange Online)"
		}
		return "OAuth2"
	case "basic":
		return "SMTP-AUTH"
	case "none":
		return d.u.Off
	}
	return string(m)
}

func (d *doc) serviceName(s string) string {
	switch s {
	case "exchange-online":
		return "Microsoft Exchange Online"
	case "outlook.com":
		return "Outlook.com"
	case "other":
		return d.u.Other
	}
	return s
}

func securityName(s report.Security) string {
	switch s {
	case "starttls":
		return "STARTTLS"
	case "tls":
		return "SSL/TLS"
	case "none":
		return "—"
	}
	return string(s)
}

// signInStatus is the device's "Current Status" in the vendor's wording.
func (d *doc) signInStatus(t *report.TokenInfo) string {
	if t == nil {
		return ""
	}
	s := d.u.SignedOut
	if t.SignedIn {
		s = d.u.SignedIn
	}
	if st := d.tokenState(t.State); st != "" {
		s += " (" + st + ")"
	}
	return s
}

func (d *doc) tokenState(s string) string {
	switch s {
	case "not_obtained":
		return d.u.NotObtained
	case "waiting_for_authorization":
		return d.u.Waiting
	case "obtained":
		return d.u.Obtained
	case "invalid":
		return d.u.Invalid
	}
	return s
}

// tokenSummary: the access token's and the refresh token's time left.
func (d *doc) tokenSummary(t *report.TokenInfo) string {
	if t == nil {
		return ""
	}
	var parts []string
	if !t.ExpiresAt.IsZero() {
		parts = append(parts, d.u.Access+": "+d.minutesLeft(t.AccessMinutesLeft))
	}
	if t.HasRefreshDaysLeft {
		parts = append(parts, d.u.Refresh+": "+d.daysLeft(t.RefreshDaysLeft))
	}
	return strings.Join(parts, "; ")
}

func (d *doc) minutesLeft(n int) string {
	if n <= 0 {
		return d.u.Expired
	}
	return fmt.Sprintf("%d %s", n, d.u.MinutesLeft)
}

func (d *doc) daysLeft(n int) string {
	if n < 0 {
		return d.u.Expired
	}
	return fmt.Sprintf("%d %s", n, d.u.DaysLeft)
}

func (d *doc) statusWord(s report.Status) string {
	switch s {
	case report.StatusOK:
		return d.u.StatusOK
	case report.StatusWarn:
		return d.u.StatusWarn
	case report.StatusFail:
		return d.u.StatusFail
	case report.StatusSkipped:
		return d.u.StatusSkipped
	}
	return string(s)
}

// phaseSummary is one phase in a few words: status, time, reply code.
func (d *doc) phaseSummary(r *report.Report, name report.PhaseName) string {
	ph, ok := r.Phase(name)
	if !ok {
		return ""
	}
	return d.phaseLine(ph)
}

func (d *doc) phaseLine(ph report.Phase) string {
	s := d.statusWord(ph.Status)
	if ph.Status != report.StatusSkipped {
		s += ", " + d.ms(ph.Duration) + " ms"
	}
	if ph.Reply != nil {
		code := ph.Reply.POP3
		if code == "" {
			code = strconv.Itoa(ph.Reply.Code)
		}
		s += ": " + join(" ", code, ph.Reply.Enhanced)
	} else if ph.ErrorKind != "" {
		s += ": " + string(ph.ErrorKind)
	}
	return s
}

func (d *doc) certSummary(r *report.Report) string {
	if r.TLS == nil {
		return ""
	}
	t := r.TLS
	s := d.u.TLSVerified + ": " + d.yesNo(t.Verified)
	if r.Options.InsecureTLS {
		s = d.u.TLSVerified + ": " + d.u.No + " (--insecure)"
	}
	if len(t.Chain) > 0 {
		s += "; " + d.daysLeft(t.Chain[0].DaysLeft)
	}
	if t.VerifyError != "" {
		s += "\n" + t.VerifyError
	}
	return s
}

func (d *doc) pop3Summary(p *report.POP3Report, connect bool) string {
	if connect {
		for _, n := range []report.PhaseName{report.PhasePOP3DNS} {
			for _, ph := range p.Phases {
				if ph.Name == n {
					return d.phaseLine(ph)
				}
			}
		}
		return ""
	}
	var parts []string
	for _, ph := range p.Phases {
		if ph.Name == report.PhasePOP3Connect || ph.Name == report.PhasePOP3Auth {
			parts = append(parts, strings.TrimPrefix(string(ph.Name), "pop3_")+": "+d.phaseLine(ph))
		}
	}
	return strings.Join(parts, "\n")
}

func (d *doc) tokenSection(r *report.Report) {
	t := r.Token
	if t == nil && r.Target.AuthMethod != "oauth2" {
		return
	}
	d.section(d.u.SecToken)
	if t == nil {
		d.notCollected()
		return
	}
	expires := fmtTime(t.ExpiresAt)
	if !t.ExpiresAt.IsZero() {
		expires += "  (" + d.minutesLeft(t.AccessMinutesLeft) + ")"
	}
	refresh := d.yesNo(t.HasRefreshToken)
	if !t.RefreshExpiresAt.IsZero() {
		refresh += ", " + fmtDate(t.RefreshExpiresAt)
	}
	if t.HasRefreshDaysLeft {
		refresh += "  (" + d.daysLeft(t.RefreshDaysLeft) + ")"
	}
	if !t.LastUsed.IsZero() {
		refresh += "; " + d.u.LastUsed + " " + fmtDate(t.LastUsed)
	}
	app := join("  ", t.AppName, t.AppID)
	rows := [][2]string{
		{d.u.TokState, d.or(d.tokenState(t.State))},
		{d.u.TokSignedIn, d.signInStatus(t)},
		{d.u.TokExpires, expires},
		{d.u.TokRefresh, refresh},
		{d.u.TokAudience, d.or(t.Audience)},
		{d.u.TokScopes, d.or(strings.Join(t.Scopes, " "))},
	}
	if len(t.Roles) > 0 {
		rows = append(rows, [2]string{d.u.TokRoles, strings.Join(t.Roles, " ")})
	}
	rows = append(rows,
		[2]string{d.u.TokUser, d.or(t.User)},
		[2]string{d.u.TokTenant, d.or(t.Tenant)},
		[2]string{d.u.TokApp, d.or(app)},
		[2]string{d.u.TokSource, d.or(join(" · ", fileName(t.Source), t.Format, t.Version))},
		[2]string{d.u.TokFingerprint, d.or(t.Fingerprint)},
	)
	if t.RefreshFingerprint != "" {
		rows = append(rows, [2]string{d.u.TokRefreshFP, t.RefreshFingerprint})
	}
	if t.RefreshError != "" || t.RefreshErrorCode != "" || t.RefreshErrorAADSTS != "" {
		rows = append(rows, [2]string{d.u.TokRefreshError,
			join("\n", join(" ", t.RefreshErrorCode, t.RefreshErrorAADSTS), t.RefreshErrorDescription, t.RefreshError)})
	}
	if t.FileMode != "" {
		rows = append(rows, [2]string{d.u.TokFileMode, t.FileMode})
	}
	if t.JWT && !t.SignatureChecked {
		rows = append(rows, [2]string{d.u.TokSignature, d.u.TokNotVerified})
	}
	d.kv(rows, 52, false)
}

func (d *doc) tlsSection(r *report.Report) {
	d.section(d.u.SecTLS)
	if r.TLS == nil {
		d.notCollected()
		return
	}
	d.tlsInfo(r.TLS)
	if r.POP3 != nil && r.POP3.TLS != nil {
		d.subhead(d.u.SecPOP3 + " — TLS")
		d.tlsInfo(r.POP3.TLS)
	}
}

func (d *doc) tlsInfo(t *report.TLSInfo) {
	verified := d.yesNo(t.Verified)
	if t.VerifyError != "" {
		verified += " — " + t.VerifyError
	}
	d.kv([][2]string{
		{d.u.TLSVersion, d.or(t.Version)},
		{d.u.TLSCipher, d.or(t.Cipher)},
		{d.u.TLSServerName, d.or(t.ServerName)},
		{d.u.TLSVerified, verified},
		{d.u.TLSHostMatch, d.yesNo(t.HostMatch)},
		{d.u.TLSRoots, d.or(fileName(t.Roots))},
	}, 45, false)
	if len(t.Chain) == 0 {
		return
	}
	d.subhead(d.u.Chain)
	cols := []column{{w: 6}, {w: 52, size: smallSize}, {w: 46, size: smallSize}, {w: 20}, {w: 20}, {w: 12, align: "R"},
		{w: d.width - 156, size: smallSize}}
	rows := make([][]string, len(t.Chain))
	for i, c := range t.Chain {
		subj := c.Subject
		if len(c.SANs) > 0 {
			subj += "\nSAN: " + strings.Join(c.SANs, " ")
		}
		rows[i] = []string{strconv.Itoa(i), subj, c.Issuer, fmtDate(c.NotBefore), fmtDate(c.NotAfter),
			strconv.Itoa(c.DaysLeft), c.KeyType}
	}
	d.table(cols, []string{"#", d.u.Subject, d.u.Issuer, d.u.ValidFrom, d.u.ValidUntil, d.u.Days, d.u.Key}, rows, nil)
}

func (d *doc) probeSection(r *report.Report) {
	d.section(d.u.SecProbe)
	target := join(" ", hostPort(r.Target.Host, r.Target.Port), securityName(r.Target.Security))
	if r.Target.Host == "" {
		target = d.u.None
	}
	line := target
	if r.Auth != nil {
		line += "  ·  " + join("  ", prefixed(d.u.Mechanism+":", r.Auth.Mechanism),
			prefixed(d.u.Secret+":", join(" ", fileName(r.Auth.SecretSource), r.Auth.SecretFingerprint)))
	}
	d.para(line, column{style: "B"}, rowStyle{})
	d.gap(1)
	if len(r.Phases) == 0 {
		d.notCollected()
	} else {
		d.phases(r.Phases)
	}
	if r.POP3 != nil {
		d.subhead(join(" ", d.u.SecPOP3, hostPort(r.POP3.Target.Host, r.POP3.Target.Port), securityName(r.POP3.Target.Security)))
		if len(r.POP3.Phases) == 0 {
			d.notCollected()
		} else {
			d.phases(r.POP3.Phases)
		}
	}
}

// phases lists each phase with its status, timing and the server's reply
// exactly as it came, trailer included.
func (d *doc) phases(phases []report.Phase) {
	sw := 12.0
	d.pdf.SetFont(sans, "B", bodySize)
	for _, st := range []report.Status{report.StatusOK, report.StatusWarn, report.StatusFail, report.StatusSkipped} {
		sw = max(sw, d.pdf.GetStringWidth(d.enc(d.statusWord(st)))+3)
	}
	cols := []column{{w: 22, mono: true, size: 7}, {w: sw, style: "B"}, {w: 16, align: "R"}, {w: 16, align: "R"},
		{w: d.width - 54 - sw, mono: true}}
	rows := make([][]string, len(phases))
	for i, ph := range phases {
		var detail []string
		if ph.Reply != nil {
			detail = append(detail, ph.Reply.Line())
		}
		if ph.Error != "" && (ph.Reply == nil || ph.ErrorKind != report.KindReply) {
			// A reply that failed is the error: it is not printed twice.
			detail = append(detail, join(": ", kindWord(d.lang, ph), ph.Error))
		}
		if ph.Note != "" {
			detail = append(detail, diagnose.PhaseNote(d.lang, ph.Note))
		}
		if len(ph.Capabilities) > 0 && (ph.Reply == nil || !strings.Contains(ph.Reply.Text, "\n")) {
			// EHLO's list is already in its reply; POP3 CAPA's came apart.
			detail = append(detail, strings.Join(ph.Capabilities, " "))
		}
		if ph.Challenge != "" {
			detail = append(detail, ph.Challenge)
		}
		start, dur := d.ms(ph.Started), d.ms(ph.Duration)
		if ph.Status == report.StatusSkipped {
			start, dur = "", ""
		}
		rows[i] = []string{string(ph.Name), d.statusWord(ph.Status), start, dur, strings.Join(detail, "\n")}
	}
	d.table(cols, []string{d.u.Phase, d.u.Status, d.u.Start, d.u.Time, d.u.ReplyOrError}, rows, func(i int) rowStyle {
		if phases[i].Status == report.StatusFail {
			return rowStyle{rule: true, fill: 225}
		}
		return rowStyle{rule: true}
	})
}

func (d *doc) severity(s report.Severity) (word string, fill int, white bool) {
	switch s {
	case report.SeverityError:
		return d.u.SevError, 0, true
	case report.SeverityWarning:
		return d.u.SevWarning, 170, false
	}
	return d.u.SevInfo, 0, false
}

// blocking are the findings page 1 shows with their steps: the errors,
// or when there are none the warnings (findings come worst first).
func blocking(fs []report.Finding) []report.Finding {
	n := 0
	for n < len(fs) && fs[n].Severity == report.SeverityError {
		n++
	}
	if n == 0 {
		for n < len(fs) && fs[n].Severity == report.SeverityWarning {
			n++
		}
	}
	return fs[:n]
}

// answerSection is page 1's answer: each blocking finding with its cause
// and numbered steps, or a line saying nothing needs doing.
func (d *doc) answerSection(all, front []report.Finding) {
	d.section(d.u.SecAnswer)
	if len(front) == 0 {
		text := d.u.NothingToDo
		if len(all) > 0 {
			text = all[0].Title
		}
		d.para(text, column{style: "B"}, rowStyle{})
		return
	}
	for i, f := range front {
		d.finding(i+1, f, true)
	}
}

// appendix starts the technician's part on a new page.
func (d *doc) appendix() {
	d.newPage()
	p := d.pdf
	p.SetFont(sans, "B", 13)
	p.SetX(d.left)
	p.CellFormat(d.width, 7, d.enc(d.u.SecAppendix), "", 2, "L", false, 0, "")
	d.gap(1)
}

// findingsSection lists every finding in full; the first nFront were on
// page 1, so they only add their evidence and sources here.
func (d *doc) findingsSection(fs []report.Finding, nFront int) {
	d.section(d.u.SecFindings)
	if len(fs) == 0 {
		d.para(d.u.None, column{}, rowStyle{})
		return
	}
	for i, f := range fs {
		if i < nFront {
			d.findingEvidence(i+1, f)
			continue
		}
		d.finding(i+1, f, false)
	}
}

// findingEvidence is the appendix part of a finding shown on page 1.
func (d *doc) findingEvidence(n int, f report.Finding) {
	d.ensure(6 + 2*bodyLH)
	d.para(fmt.Sprintf("%s %d: %s", d.u.DetailsOf, n, f.Title), column{style: "B"}, rowStyle{})
	d.findingRefs(f, 0)
	d.rule()
}

// findingRefs prints where the fix is made, the evidence and the sources.
func (d *doc) findingRefs(f report.Finding, ind float64) {
	var places []string
	for _, p := range f.Where {
		if name := diagnose.Label(d.lang, "where."+p); name != "" {
			places = append(places, name)
		}
	}
	cols := []column{{w: 24, style: "B", size: smallSize}, {w: d.width - ind - 24}}
	if len(places) > 0 {
		d.row(cols, []string{d.u.Where, strings.Join(places, "; ")}, rowStyle{indent: ind})
	}
	mcols := []column{{w: 24, style: "B", size: smallSize}, {w: d.width - ind - 24, mono: true, size: 7}}
	if len(f.Evidence) > 0 {
		d.row(mcols, []string{d.u.Evidence, strings.Join(f.Evidence, "\n")}, rowStyle{indent: ind, lh: monoLH})
	}
	if len(f.Sources) > 0 {
		d.row(mcols, []string{d.u.Sources, strings.Join(f.Sources, "\n")}, rowStyle{indent: ind, lh: monoLH})
	}
}

func (d *doc) rule() {
	p := d.pdf
	d.gap(1.5)
	p.SetDrawColor(170, 170, 170)
	p.SetLineWidth(0.2)
	p.Line(d.left, p.GetY(), d.right, p.GetY())
	d.gap(2.5)
}

// finding prints one finding: severity tag, title, whose move, cause and
// numbered steps; page 1's version (front) leaves evidence and sources to
// the appendix.
func (d *doc) finding(n int, f report.Finding, front bool) {
	p := d.pdf
	d.ensure(8 + 4*bodyLH)
	word, fill, white := d.severity(f.Severity)
	tagW := 30.0
	y := p.GetY()
	p.SetFont(sans, "B", 7)
	if fill > 0 || white {
		p.SetFillColor(fill, fill, fill)
		p.Rect(d.left, y+0.8, tagW, 4.6, "F")
	} else {
		p.SetDrawColor(0, 0, 0)
		p.SetLineWidth(0.3)
		p.Rect(d.left, y+0.8, tagW, 4.6, "D")
	}
	if white {
		p.SetTextColor(255, 255, 255)
	}
	p.SetXY(d.left, y+0.8)
	p.CellFormat(tagW, 4.6, d.enc(word), "", 0, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetXY(d.left, y)
	d.row([]column{{w: tagW + 2}, {w: d.width - tagW - 2, style: "B", size: 10}},
		[]string{"", fmt.Sprintf("%d. %s", n, f.Title)}, rowStyle{lh: 5})

	ind := tagW + 2
	label := column{w: 0, style: "B", size: smallSize}
	cols := []column{{w: 24, style: "B", size: smallSize}, {w: d.width - ind - 24}}
	if f.Side != "" {
		d.row(cols, []string{diagnose.Label(d.lang, "heading.side"), i18n.Side(d.lang, f.Side, f.Sides)}, rowStyle{indent: ind})
	}
	if f.Cause != "" {
		d.para(d.u.Cause, label, rowStyle{indent: ind, lh: 3.6})
		d.para(f.Cause, column{}, rowStyle{indent: ind})
	}
	if len(f.Steps) > 0 {
		d.para(d.u.Steps, label, rowStyle{indent: ind, lh: 3.6})
		for i, s := range f.Steps {
			text := s.Text
			if w := textrender.StepPlace(d.lang, s); w != "" {
				text += " [" + w + "]"
			}
			d.row([]column{{w: 7, style: "B", align: "R"}, {w: d.width - ind - 7}},
				[]string{strconv.Itoa(i+1) + ".", text}, rowStyle{indent: ind})
			if s.Command != "" {
				d.row([]column{{w: d.width - ind - 9, mono: true, size: 7.5}},
					[]string{s.Command}, rowStyle{indent: ind + 9, fill: 236, lh: monoLH})
				d.gap(0.8)
			}
		}
	}
	if f.Delay != "" {
		d.row(cols, []string{d.u.Delay, f.Delay}, rowStyle{indent: ind})
	}
	if !front {
		d.findingRefs(f, ind)
	}
	d.rule()
}

// transcriptSection prints every line on the wire, as recorded (secrets were
// replaced at the source).
func (d *doc) transcriptSection(r *report.Report) {
	if len(r.Transcript) == 0 {
		return
	}
	d.section(d.u.SecTranscript)
	cols := []column{{w: 16, mono: true, size: 6.5, align: "R"}, {w: 10, mono: true, size: 6.5}, {w: 5, mono: true, size: 6.5},
		{w: d.width - 31, mono: true, size: 6.5}}
	for _, l := range r.Transcript {
		d.row(cols, []string{d.ms(l.At), l.Service, l.Dir, l.Text}, rowStyle{lh: 2.9, tight: true})
	}
}

// kindWord names a local failure in the sheet's language ("" when the
// kind is unknown).
func kindWord(lang string, ph report.Phase) string {
	v, _ := i18n.ErrorKind(lang, string(ph.ErrorKind))
	return v
}

// fileName keeps only the name of a file on the technician's machine: the
// customer's sheet shows no local paths. "env:NAME", "system" and other
// non-paths stay as they are.
func fileName(s string) string {
	if strings.ContainsAny(s, "/\\") && !strings.Contains(s, "://") {
		return s[strings.LastIndexAny(s, "/\\")+1:]
	}
	return s
}
