package batch

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCSVVerifyCertAndCA(t *testing.T) {
	head := "name,vendor,model,address,mailbox,auth_method,server,port,token_file,verify_cert,ca\n"
	ds, err := ParseCSV("inv/x.csv", []byte(head+
		"A,epson,M,192.0.2.1,a@contoso.com,oauth2,smtp.office365.com,587,t.json,Off,certs/ca.pem\n"+
		"B,ricoh,M,192.0.2.2,b@contoso.com,oauth2,smtp.office365.com,587,t.json,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Profile.SMTP.VerifyCertOn() || ds[0].CAFile != filepath.Join("inv", "certs", "ca.pem") {
		t.Errorf("A: verify %v, ca %q", ds[0].Profile.SMTP.VerifyCertOn(), ds[0].CAFile)
	}
	if !ds[1].Profile.SMTP.VerifyCertOn() || ds[1].CAFile != "" {
		t.Errorf("B: verify %v, ca %q: empty cells keep the defaults", ds[1].Profile.SMTP.VerifyCertOn(), ds[1].CAFile)
	}
	_, err = ParseCSV("x.csv", []byte(head+"A,epson,M,192.0.2.1,a@contoso.com,oauth2,smtp.office365.com,587,t.json,maybe,\n"))
	if err == nil || !strings.Contains(err.Error(), "x.csv:2: verify_cert:") {
		t.Errorf("bad verify_cert: %v", err)
	}
}
