package sheet

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/testtool"
)

var update = flag.Bool("update", false, "rewrite testdata/golden-*.pdf")

// render writes r's sheet to a temporary file, checks it with qpdf when
// available, and returns the path and bytes.
func render(t testing.TB, r *report.Report, opts Options) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, r, opts); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return writePDF(t, buf.Bytes())
}

func writePDF(t testing.TB, b []byte) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	qpdfCheck(t, path)
	return path, b
}

func qpdfCheck(t testing.TB, path string) {
	t.Helper()
	if !testtool.Have(t, "qpdf", "qpdf") {
		return
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check %s: %v\n%s", path, err, out)
	}
}

func needTool(t testing.TB, name string) {
	t.Helper()
	testtool.Need(t, name, debianPackage[name])
}

// debianPackage is where the PDF tools come from.
var debianPackage = map[string]string{"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "qpdf": "qpdf"}

// pdfText is pdftotext -layout's output, one string per page.
func pdfText(t testing.TB, path string) []string {
	t.Helper()
	needTool(t, "pdftotext")
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

// spaceFields splits s at runs of regexp's \s (tab, newline, form feed,
// carriage return, space); other spaces, such as French no-break spaces,
// are kept. It is what a regexp would do, without the regexp's cost (the
// sheet tests squash every page of every sheet).
func spaceFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
	})
}

// squash removes all white space, so text wrapped across lines still
// compares equal to the original.
func squash(s string) string { return strings.Join(spaceFields(s), "") }

// oneLine collapses white space runs to one space.
func oneLine(s string) string { return strings.Join(spaceFields(s), " ") }

func assertContains(t *testing.T, what, text, want string) {
	t.Helper()
	if !strings.Contains(text, want) {
		t.Errorf("%s: missing %q", what, want)
	}
}

type langWant struct {
	title, verdict, page, of string
	words                    []string
}

var wants = map[string]langWant{
	"en": {title: "Network Status Sheet — Email", verdict: "FAIL", page: "Page", of: "of",
		words: []string{"Certificate Validation", "Authenticated Account", "scanner@contoso.com", "Signed in (Obtained)", "[x] Enable [ ] Disable"}},
	"de": {title: "Netzwerkstatusblatt — E-Mail", verdict: "FEHLER", page: "Seite", of: "von",
		words: []string{"Zertifikatsprüfung", "Größere Mandanten", "für den gesamten Mandanten", "„SMTP AUTH-Protokoll", "Angemeldet (Abgerufen)", "23,4 ms"}},
	"fr": {title: "Feuille d'état réseau — e-mail", verdict: "ÉCHEC", page: "Page", of: "sur",
		words: []string{"Connexion sécurisée", "désactivé pour tout le locataire", "« Connexion sécurisée »", "Ça peut être", "boîtes aux lettres", "Connecté (Obtenu)", "23,4 ms"}},
}

func TestRenderAuthFailLanguages(t *testing.T) {
	for _, lang := range []string{"en", "de", "fr"} {
		t.Run(lang, func(t *testing.T) {
			r := authFailReport(lang)
			path, raw := render(t, r, Options{Lang: lang, Fixed: fixedGenerated})
			if len(raw) > 60_000 {
				t.Errorf("sheet is %d bytes, want a few tens of KB", len(raw))
			}
			pages := pdfText(t, path)
			all := strings.Join(pages, "\n")
			flat, sq := oneLine(all), squash(all)
			w := wants[lang]
			assertContains(t, "title", flat, w.title)
			assertContains(t, "device", flat, "Empfang 2. OG (Kopierraum)")
			assertContains(t, "verdict", pages[0], w.verdict)
			assertContains(t, "model", flat, "WF-C879R")
			assertContains(t, "host", flat, "techlaptop-07")
			// The auth reply exactly as it came, with Exchange's trailer.
			auth, _ := r.Phase(report.PhaseAuth)
			assertContains(t, "reply line", sq, squash(auth.Reply.Line()))
			assertContains(t, "trailer", sq, squash(authTrailer))
			assertContains(t, "finding title", flat, r.Findings[0].Title)
			assertContains(t, "whose move", flat, map[string]string{"en": "Whose move", "de": "Zuständig", "fr": "qui d'agir"}[lang])
			assertContains(t, "side", flat, "(Microsoft 365 / Entra)")
			for i, s := range r.Findings[0].Steps {
				assertContains(t, "step", sq, squash(fmt.Sprintf("%d.%s", i+1, s.Text)))
			}
			assertContains(t, "command", flat, "Set-TransportConfig -SmtpClientAuthenticationDisabled $false")
			assertContains(t, "command", flat, "Set-CASMailbox -Identity scanner@contoso.com -SmtpClientAuthenticationDisabled $false")
			for _, word := range w.words {
				assertContains(t, "localized text", flat, word)
			}
			// Chain, token, network, POP3.
			for _, s := range []string{"CN=DigiCert Cloud Services CA-1", "2026-11-19", "262", "RSA 2048",
				"https://outlook.office.com", "SMTP.Send", redact.Fingerprint(fakeAccessToken), "192.168.10.1",
				"3c:52:82:1a:2b:3c", "login.microsoftonline.com:443", "pop3_auth", "+OK User successfully authenticated.",
				"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"} {
				assertContains(t, "content", flat, s)
			}
			checkFooters(t, pages, w.page, w.of)
			checkNoSecrets(t, path, all)
		})
	}
}

// checkFooters asserts "Page i of N" on every page i.
func checkFooters(t *testing.T, pages []string, page, of string) {
	t.Helper()
	for i, p := range pages {
		want := fmt.Sprintf("%s %d %s %d", page, i+1, of, len(pages))
		if !strings.Contains(p, want) {
			t.Errorf("page %d: footer %q missing", i+1, want)
		}
	}
}

// checkNoSecrets looks for the fake tokens in the extracted text and in the
// PDF with every stream uncompressed.
func checkNoSecrets(t *testing.T, path, text string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if testtool.Have(t, "qpdf", "qpdf") {
		if raw, err = exec.Command("qpdf", "--stream-data=uncompress", path, "-").Output(); err != nil {
			t.Fatalf("qpdf uncompress: %v", err)
		}
	}
	for _, secret := range []string{fakeAccessToken, fakeRefreshToken} {
		forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)), secret[:24], secret[len(secret)-24:]}
		for _, f := range forms {
			if strings.Contains(squash(text), squash(f)) || bytes.Contains(raw, []byte(f)) {
				t.Errorf("secret (form %.12q…) found in the sheet", f)
			}
		}
	}
}

func TestRenderOK(t *testing.T) {
	r := okReport("en")
	path, _ := render(t, r, Options{Lang: "en", Fixed: fixedGenerated})
	pages := pdfText(t, path)
	flat := oneLine(strings.Join(pages, "\n"))
	assertContains(t, "verdict", pages[0], "OK")
	assertContains(t, "verdict", flat, "scan to email works")
	assertContains(t, "auth reply", flat, "235 2.7.0 Authentication successful")
	assertContains(t, "skipped note", flat, "no --send-to: no mail was sent")
	if strings.Contains(pages[0], "FAIL") {
		t.Error("ok report shows FAIL on page 1")
	}
	checkFooters(t, pages, "Page", "of")
}

// TestRenderLong: a long report flows onto many pages, with the short
// header repeated, every footer right, nothing lost and nothing outside the
// page or printed over other text.
func TestRenderLong(t *testing.T) {
	r := longReport("en")
	path, raw := render(t, r, Options{Lang: "en", Fixed: fixedGenerated})
	if len(raw) > 150_000 {
		t.Errorf("long sheet is %d bytes", len(raw))
	}
	pages := pdfText(t, path)
	if len(pages) < 5 {
		t.Fatalf("long report on %d pages, want it to flow onto several", len(pages))
	}
	checkFooters(t, pages, "Page", "of")
	for i, p := range pages[1:] {
		if !strings.Contains(p, "Network Status Sheet — Email") || !strings.Contains(p, "Empfang 2. OG") {
			t.Errorf("page %d: header not repeated", i+2)
		}
	}
	all := strings.Join(pages, "\n")
	sq := squash(all)
	for i := range 40 {
		assertContains(t, "finding", sq, squash(fmt.Sprintf("%d. %s (%d)", i+1, authDisabled["en"].title, i+1)))
	}
	unbroken := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 9)[:300]
	assertContains(t, "unbroken string", sq, unbroken)
	// The 2 KB reply continues over a page break, so compare its start and
	// its end (unbroken string and trailer).
	line := squash(r.Phases[len(r.Phases)-2].Reply.Line())
	assertContains(t, "2 KB reply start", sq, line[:60])
	assertContains(t, "2 KB reply end with trailer", sq, line[len(line)-400:])
	assertContains(t, "last transcript line", all, "250-line 299 of a very chatty server")
	checkLayout(t, path)
}

// checkLayout reads every word's box (pdftotext -bbox) and fails when a
// word leaves the page's margins or overlaps another word.
// xmlNumber is the number in attribute name="…" of attrs (pdftotext
// -bbox's page and word tags). The layout check reads thousands of them
// per sheet, hence no regexp.
func xmlNumber(t *testing.T, attrs, name string) float64 {
	t.Helper()
	_, v, ok := strings.Cut(attrs, name+`="`)
	if ok {
		v, _, ok = strings.Cut(v, `"`)
	}
	f, err := strconv.ParseFloat(v, 64)
	if !ok || err != nil {
		t.Fatalf("pdftotext -bbox: no number %s in %q", name, attrs)
	}
	return f
}

func checkLayout(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	type box struct {
		x0, y0, x1, y1 float64
		w              string
	}
	const mm = 72 / 25.4
	for pi, chunk := range strings.Split(string(out), "<page ")[1:] {
		head, words, _ := strings.Cut(chunk, ">")
		pw, ph := xmlNumber(t, head, "width"), xmlNumber(t, head, "height")
		var boxes []box
		for _, w := range strings.Split(words, "<word ")[1:] {
			attrs, rest, _ := strings.Cut(w, ">")
			text, _, _ := strings.Cut(rest, "</word>")
			b := box{w: text,
				x0: xmlNumber(t, attrs, "xMin"), y0: xmlNumber(t, attrs, "yMin"),
				x1: xmlNumber(t, attrs, "xMax"), y1: xmlNumber(t, attrs, "yMax")}
			if b.x0 < margin*mm-1 || b.x1 > pw-margin*mm+1 || b.y0 < 5*mm || b.y1 > ph-4*mm {
				t.Errorf("page %d: %q at (%.0f,%.0f)-(%.0f,%.0f) leaves the printable area", pi+1, b.w, b.x0, b.y0, b.x1, b.y1)
			}
			boxes = append(boxes, b)
		}
		for i := range boxes {
			for j := i + 1; j < len(boxes); j++ {
				a, b := boxes[i], boxes[j]
				ox := min(a.x1, b.x1) - max(a.x0, b.x0)
				oy := min(a.y1, b.y1) - max(a.y0, b.y0)
				if ox > 0.8 && oy > 1.5 {
					t.Errorf("page %d: %q and %q overlap", pi+1, a.w, b.w)
				}
			}
		}
	}
}

func TestRenderLayoutAllLanguages(t *testing.T) {
	needTool(t, "pdftotext")
	for _, lang := range []string{"en", "de", "fr"} {
		for _, paper := range []string{"a4", "letter"} {
			for name, mk := range map[string]func(string) *report.Report{"ok": okReport, "fail": authFailReport} {
				t.Run(lang+"/"+paper+"/"+name, func(t *testing.T) {
					path, _ := render(t, mk(lang), Options{Lang: lang, Paper: paper, Fixed: fixedGenerated})
					checkLayout(t, path)
				})
			}
		}
	}
}

func TestRenderPaper(t *testing.T) {
	needTool(t, "pdfinfo")
	for paper, want := range map[string]string{"a4": "595.28 x 841.89", "letter": "612 x 792", "": "595.28 x 841.89"} {
		path, _ := render(t, okReport("en"), Options{Paper: paper, Fixed: fixedGenerated})
		out, err := exec.Command("pdfinfo", path).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("paper %q: want page size %s in\n%s", paper, want, out)
		}
	}
}

func TestRenderOddInput(t *testing.T) {
	if err := Render(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("nil report: want an error")
	}
	if err := Render(&bytes.Buffer{}, okReport("en"), Options{Lang: "xx"}); err == nil || !strings.Contains(err.Error(), "xx") {
		t.Errorf("unknown language: err = %v, want one naming it", err)
	}
	if err := Render(&bytes.Buffer{}, okReport("en"), Options{Paper: "a3"}); err == nil || !strings.Contains(err.Error(), "a3") {
		t.Errorf("unknown paper: err = %v, want one naming it", err)
	}

	// An empty report still makes a valid sheet that says what is missing.
	path, _ := render(t, &report.Report{}, Options{Fixed: fixedGenerated})
	text := oneLine(strings.Join(pdfText(t, path), "\n"))
	assertContains(t, "empty report", text, "Network Status Sheet")
	assertContains(t, "empty report", text, "not collected")
	assertContains(t, "empty report", text, "ERROR")

	// A report that could not run, with hostile text outside cp1252.
	r := &report.Report{Verdict: report.VerdictError, Error: "profile devices/x.yaml:3: smtp.server: missing",
		Device:   &report.Device{Name: "Büro ✓ → Łódź 日本\x07", Vendor: "ricoh", Model: "IM C3000"},
		Phases:   []report.Phase{{Name: "dns", Status: report.StatusFail, Error: "lookup smtp.office365.com: no such host\x00\x1b[31m", ErrorKind: "dns"}},
		Findings: []report.Finding{{Severity: "weird", Title: strings.Repeat("x", 5000)}},
	}
	path, _ = render(t, r, Options{Lang: "de", Fixed: fixedGenerated})
	text = oneLine(strings.Join(pdfText(t, path), "\n"))
	assertContains(t, "fallbacks", text, "Büro [x] -> Lódz ??")
	assertContains(t, "error verdict", text, "ABBRUCH")
	assertContains(t, "run error", text, "smtp.server: missing")
	checkLayout(t, path)
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"Zertifikatsprüfung « é è à ç » ß €": "Zertifikatsprüfung « é è à ç » ß €",
		"a\tb\x00c\x1bd":         "a b c d",
		"✓ ok → next ≤ 3":        "[x] ok -> next <= 3",
		"Łódź, Dvořák, Göteborg": "Lódz, Dvorák, Göteborg",
		"日本\u200b":               "??",
	} {
		if got := clean(in, false); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	opts := Options{Lang: "de", Fixed: fixedGenerated}
	if err := Render(&a, authFailReport("de"), opts); err != nil {
		t.Fatal(err)
	}
	if err := Render(&b, authFailReport("de"), opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renders with Options.Fixed differ")
	}
	if !bytes.Contains(a.Bytes(), []byte("/CreationDate (D:20260302091403)")) {
		t.Error("creation date is not Options.Fixed")
	}
}

// TestRenderGolden compares fixed-time renders with testdata/golden-*.pdf.
// Run "go test ./sheet -run Golden -update" after an intended change, then
// look at the pages before committing.
func TestRenderGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		r    *report.Report
		opts Options
	}{
		{"fail-en", authFailReport("en"), Options{Lang: "en", Fixed: fixedGenerated}},
		{"ok-fr-letter", okReport("fr"), Options{Lang: "fr", Paper: "letter", Fixed: fixedGenerated}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, c.r, c.opts); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden-"+c.name+".pdf")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				got := filepath.Join(t.TempDir(), "got.pdf")
				os.WriteFile(got, buf.Bytes(), 0o644)
				t.Errorf("%s differs from the render (%d vs %d bytes); new render in %s; run with -update if intended",
					golden, len(want), buf.Len(), got)
			}
		})
	}
}

func TestRenderFleet(t *testing.T) {
	ok, fail := okReport("en"), authFailReport("en")
	ok.Device.Name, ok.Device.Address = "Lager Halle 3", "10.0.4.17"
	ricoh := &report.Report{Verdict: report.VerdictError, Error: "token file tokens/ricoh.json: no such file",
		Device: &report.Device{Name: "Ricoh Buchhaltung", Vendor: "ricoh", Model: "IM C3000"}}
	var buf bytes.Buffer
	if err := RenderFleet(&buf, []*report.Report{ok, fail, nil, ricoh}, Options{Lang: "en", Fixed: fixedGenerated}); err != nil {
		t.Fatal(err)
	}
	path, _ := writePDF(t, buf.Bytes())
	pages := pdfText(t, path)
	text := oneLine(strings.Join(pages, "\n"))
	assertContains(t, "fleet", text, "Empfang 2. OG")
	for _, s := range []string{"Fleet Summary — Email", "3 devices", "Lager Halle 3", "10.0.4.17",
		"Ricoh Buchhaltung", "Ricoh IM C3000", "OK", "FAIL", "ERROR", authDisabled["en"].title, "token file tokens/ricoh.json",
		"85", "262"} {
		assertContains(t, "fleet", text, s)
	}
	checkFooters(t, pages, "Page", "of")
	checkLayout(t, path)

	// Many devices flow onto more pages with the table header repeated.
	var many []*report.Report
	for i := range 120 {
		r := authFailReport("de")
		r.Device.Name = fmt.Sprintf("Drucker %03d", i)
		many = append(many, r)
	}
	buf.Reset()
	if err := RenderFleet(&buf, many, Options{Lang: "de", Fixed: fixedGenerated}); err != nil {
		t.Fatal(err)
	}
	path, _ = writePDF(t, buf.Bytes())
	pages = pdfText(t, path)
	if len(pages) < 3 {
		t.Fatalf("120 devices on %d pages", len(pages))
	}
	checkFooters(t, pages, "Seite", "von")
	for i, p := range pages {
		if !strings.Contains(p, "Erster Befund") {
			t.Errorf("fleet page %d: table header not repeated", i+1)
		}
	}
	assertContains(t, "fleet", strings.Join(pages, ""), "Drucker 119")
}

func BenchmarkRender(b *testing.B) {
	r := authFailReport("de")
	opts := Options{Lang: "de", Fixed: fixedGenerated}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, r, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "pdf-bytes")
}

func BenchmarkRenderLong(b *testing.B) {
	r := longReport("en")
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, r, Options{Fixed: fixedGenerated}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "pdf-bytes")
}

// Render time matters: the TUI and batch mode print many sheets.
func TestRenderFast(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	r := authFailReport("en")
	start := time.Now()
	for range 5 {
		if err := Render(&bytes.Buffer{}, r, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if per := time.Since(start) / 5; per > 100*time.Millisecond {
		t.Errorf("a sheet takes %v, want well under 100 ms", per)
	}
}
