package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/mdp/qrterminal/v3"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// defaultVerificationURI is where Microsoft's device-code flow sends users
// when the engine did not say.
const defaultVerificationURI = "https://microsoft.com/devicelogin"

// tokenView is the token panel: what the device's token looks like and,
// during a sign-in, the code to type, large, with a QR code of the address.
func (m *Model) tokenView(h int) string {
	ds := m.devs[m.cur]
	var b strings.Builder
	if ls := ds.login; ls.active {
		if ls.code == nil {
			b.WriteString(m.spin.View() + " " + tr(m.lang, "signin_wait") + "\n")
			return b.String()
		}
		return m.deviceCodeView(*ls.code, h)
	}

	b.WriteString(m.st.Section.Render(tr(m.lang, "token")) + "\n")
	var t *report.TokenInfo
	if ds.report != nil {
		t = ds.report.Token
	}
	if t == nil {
		b.WriteString(wrapIndent(m.st.Dim.Render(tr(m.lang, "token_none")), m.width, "", "") + "\n")
	} else {
		row := func(label, value string) {
			if value == "" {
				return
			}
			b.WriteString(wrapIndent(m.st.Bold.Render(cell(label, 15))+" "+value, m.width, "", strings.Repeat(" ", 16)) + "\n")
		}
		state := tokenState(m.lang, t)
		if ds.dev.Vendor == "epson" {
			si := tr(m.lang, "token.signed_out")
			if t.SignedIn {
				si = tr(m.lang, "token.signed_in")
			}
			state += " · " + si
		}
		row(tr(m.lang, "state"), state)
		if !t.ExpiresAt.IsZero() {
			row(tr(m.lang, "expires"), t.ExpiresAt.Local().Format("2006-01-02 15:04")+" ("+m.accessLeft(t)+")")
		}
		ref := m.refreshLeft(t)
		if !t.RefreshExpiresAt.IsZero() {
			ref += " (" + t.RefreshExpiresAt.Local().Format("2006-01-02") + ")"
		}
		row(tr(m.lang, "refresh"), ref)
		row(tr(m.lang, "user"), t.User)
		row(tr(m.lang, "source"), t.Source)
		row(tr(m.lang, "fingerprint"), t.Fingerprint)
	}
	b.WriteString("\n")
	if m.eng.Login == nil {
		b.WriteString(m.st.Dim.Render(tr(m.lang, "signin_na")) + "\n")
	} else {
		b.WriteString(wrapIndent(tr(m.lang, "signin_start"), m.width, "", "") + "\n")
	}
	return b.String()
}

// deviceCodeView shows the code in a big box, readable from a few metres,
// and beside it a QR code of the address when the window has room.
func (m *Model) deviceCodeView(c DeviceCode, h int) string {
	uri := c.VerificationURI
	if uri == "" {
		uri = defaultVerificationURI
	}
	inner := strings.Join([]string{
		tr(m.lang, "signin_open"),
		"",
		m.st.Bold.Render(uri),
		"",
		tr(m.lang, "signin_code"),
		"",
		m.st.Selected.Render(spaceCode(c.UserCode)),
	}, "\n")
	box := m.st.CodeBox.Render(inner)
	if bw := lipgloss.Width(box); bw > m.width {
		// Too narrow for the padding: a plain box still shows it all.
		box = m.st.r.NewStyle().Border(lipgloss.NormalBorder()).Render(inner)
	}
	var out string
	qr := qrCode(uri)
	qrW, qrH := lipgloss.Width(qr), lipgloss.Height(qr)
	switch {
	case lipgloss.Width(box)+2+qrW <= m.width && max(qrH, lipgloss.Height(box)) <= h:
		out = lipgloss.JoinHorizontal(lipgloss.Center, box, "  ", m.st.QR.Render(qr))
	case lipgloss.Height(box)+qrH <= h && qrW <= m.width:
		out = box + "\n" + m.st.QR.Render(qr)
	default:
		out = box
	}
	if !c.ExpiresAt.IsZero() {
		out += "\n" + m.st.Dim.Render(tr(m.lang, "expires")+": "+c.ExpiresAt.Local().Format(time.TimeOnly))
	}
	return out
}

// spaceCode spaces a user code so it can be read aloud: "FJ3KD8LMN" becomes
// "F J 3   K D 8   L M N".
func spaceCode(code string) string {
	rs := []rune(strings.ToUpper(strings.TrimSpace(code)))
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			if len(rs)%3 == 0 && i%3 == 0 {
				b.WriteString("   ")
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// qrCode draws text as a QR code with half-block characters (two modules
// per character cell), with a one-module quiet zone.
func qrCode(text string) string {
	var b strings.Builder
	qrterminal.GenerateWithConfig(text, qrterminal.Config{
		Level:          qrterminal.L,
		Writer:         &b,
		HalfBlocks:     true,
		BlackChar:      qrterminal.BLACK_BLACK,
		WhiteBlackChar: qrterminal.WHITE_BLACK,
		WhiteChar:      qrterminal.WHITE_WHITE,
		BlackWhiteChar: qrterminal.BLACK_WHITE,
		QuietZone:      1,
	})
	return strings.TrimRight(b.String(), "\n")
}
