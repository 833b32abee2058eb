package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/proxysim"
)

// realNames is a simulated device that sends by SMTP and reads mail by
// POP3, set up the way a real one is: smtp.office365.com:587 and
// outlook.office365.com:995 (neither is ever looked up or dialled: each
// test routes them to the simulator).
func realNames(t *testing.T, connectTo bool) (*exosim.Sim, check.Config) {
	t.Helper()
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir(), POP3: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	p := sim.Profile()
	p.SMTP.Server, p.SMTP.Port = "smtp.office365.com", 587
	p.POP3 = &profile.ProfilePOP3{Server: "outlook.office365.com", Port: 995, Security: "tls", User: exosim.DeviceUser}
	if connectTo {
		p.SMTP.ConnectTo, p.POP3.ConnectTo = sim.SMTPAddr(), sim.POP3Addr()
	}
	return sim, simcheck.ForProfile(sim, p, nil, 5*time.Second)
}

// TestConnectToKeepsTheConfiguredName: the probe dials the simulator but
// the report, SNI and the certificate check use smtp.office365.com.
func TestConnectToKeepsTheConfiguredName(t *testing.T) {
	sim, cfg := realNames(t, true)
	r := check.Run(context.Background(), cfg)
	if r.Verdict != report.VerdictOK {
		t.Fatalf("verdict %s: %s", r.Verdict, describe(r))
	}
	if r.Target.Host != "smtp.office365.com" || r.Target.Port != 587 || r.Target.ConnectTo != sim.SMTPAddr() {
		t.Errorf("target %+v", r.Target)
	}
	if r.TLS == nil || r.TLS.ServerName != "smtp.office365.com" || !r.TLS.Verified || !r.TLS.HostMatch {
		t.Errorf("TLS %+v: the certificate must be checked against smtp.office365.com", r.TLS)
	}
	if r.DNS == nil || r.DNS.Used != sim.SMTPAddr() {
		t.Errorf("DNS %+v", r.DNS)
	}
	if r.POP3 == nil || r.POP3.Target.Host != "outlook.office365.com" || r.POP3.Target.ConnectTo != sim.POP3Addr() {
		t.Errorf("POP3 %+v", r.POP3)
	}
}

// TestConnectToStillChecksTheName: a configured name the certificate does
// not carry fails the host check although the same server answered.
func TestConnectToStillChecksTheName(t *testing.T) {
	_, cfg := realNames(t, true)
	cfg.POP3 = nil
	cfg.Probe.Host = "mail.contoso.example"
	r := check.Run(context.Background(), cfg)
	if r.Verdict == report.VerdictOK || r.TLS == nil || r.TLS.HostMatch {
		t.Fatalf("verdict %s, TLS %+v: the name mail.contoso.example is not on the certificate", r.Verdict, r.TLS)
	}
	if ph := phase(r.Phases, report.PhaseTLS); ph == nil || ph.ErrorKind != report.KindCertHost {
		t.Errorf("tls phase %+v", ph)
	}
}

// TestProxies: SMTP and POP3 through a SOCKS5 and an HTTP CONNECT proxy
// that are sent the configured names, with a proxy password that never
// reaches the report.
func TestProxies(t *testing.T) {
	for _, kind := range []proxysim.Kind{proxysim.SOCKS5, proxysim.CONNECT} {
		sim, cfg := realNames(t, false)
		m := map[string]string{"smtp.office365.com:587": sim.SMTPAddr(), "outlook.office365.com:995": sim.POP3Addr()}
		px, err := proxysim.Start(kind, m)
		if err != nil {
			t.Fatal(err)
		}
		px.User, px.Password = "tech", "Proxy-Secret-42"
		t.Cleanup(func() { px.Close() })
		u := strings.Replace(px.URL(), "://", "://tech:Proxy-Secret-42@", 1)
		route, err := probe.ParseProxy(u)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Probe.Route.Proxy = route
		r := check.Run(context.Background(), cfg)
		if r.Verdict != report.VerdictOK {
			t.Fatalf("%s: verdict %s: %s", u, r.Verdict, describe(r))
		}
		reqs := px.Requests()
		if !slices.Contains(reqs, "smtp.office365.com:587") {
			t.Errorf("%s: proxy was asked for %v", px.URL(), reqs)
		}
		if !slices.Contains(reqs, "outlook.office365.com:995") {
			t.Errorf("%s: POP3 did not go through the proxy: %v", px.URL(), reqs)
		}
		want := strings.Replace(px.URL(), "://", "://tech@", 1)
		if r.Target.Proxy != want {
			t.Errorf("report proxy %q, want %q", r.Target.Proxy, want)
		}
		var buf bytes.Buffer
		json.NewEncoder(&buf).Encode(r)
		if strings.Contains(buf.String(), "Proxy-Secret-42") {
			t.Errorf("proxy password in the report")
		}
	}
}

// TestProxyRefusal: a proxy that will not open the tunnel fails the
// connect phase with the proxy named.
func TestProxyRefusal(t *testing.T) {
	for _, kind := range []proxysim.Kind{proxysim.SOCKS5, proxysim.CONNECT} {
		_, cfg := realNames(t, false)
		cfg.POP3 = nil
		px, err := proxysim.Start(kind, nil) // maps nothing: smtp.office365.com is refused
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { px.Close() })
		cfg.Probe.Route.Proxy, _ = probe.ParseProxy(px.URL())
		r := check.Run(context.Background(), cfg)
		ph := phase(r.Phases, report.PhaseConnect)
		if ph == nil || ph.Status != report.StatusFail || !strings.Contains(ph.Error, px.Addr()) {
			t.Errorf("%s: connect phase %+v", px.URL(), ph)
		}
		if r.Verdict == report.VerdictOK {
			t.Errorf("%s: verdict ok through a refusing proxy", px.URL())
		}
	}
}

func phase(phs []report.Phase, name report.PhaseName) *report.Phase {
	for i := range phs {
		if phs[i].Name == name {
			return &phs[i]
		}
	}
	return nil
}

// describe lists a report's failed phases and findings for a test failure.
func describe(r *report.Report) string {
	var out []string
	phs := r.Phases
	if r.POP3 != nil {
		phs = append(slices.Clone(phs), r.POP3.Phases...)
	}
	for _, ph := range phs {
		if ph.Status != report.StatusOK && ph.Status != report.StatusSkipped {
			out = append(out, string(ph.Name)+" "+string(ph.Status)+" "+ph.Error)
		}
	}
	for _, f := range r.Findings {
		out = append(out, string(f.Severity)+" "+f.ID)
	}
	return strings.Join(out, "; ")
}
