package tenant

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/tenantsim"
)

// count is how often the simulator was asked what.
func count(sim *tenantsim.Server, what string) int {
	n := 0
	for _, s := range sim.Seen() {
		if s == what {
			n++
		}
	}
	return n
}

// TestSharedReadsOncePerMailbox: many devices of one mailbox read the
// tenant once between them, another mailbox reads again, each caller gets
// its own copy, a read past its TTL is read again, and a read its
// device's budget cut short is not kept.
func TestSharedReadsOncePerMailbox(t *testing.T) {
	sim := tenantsim.New(tenantsim.ForScenario("mailbox-auth-disabled", "", user, "contoso.onmicrosoft.com", time.Now()))
	srv := httptest.NewServer(sim)
	defer srv.Close()
	now := time.Date(2026, 11, 29, 19, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	sh := &Shared{TTL: 5 * time.Minute, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }}
	cfg := func(u string) Config {
		return Config{Tenant: "contoso.onmicrosoft.com", User: u, Shared: sh,
			ExchangeToken: tenantsim.ExchangeToken, GraphToken: tenantsim.GraphToken, Exchange: srv.URL, Graph: srv.URL}
	}
	const cas = "InvokeCommand Get-CASMailbox"

	infos := make([]*report.TenantInfo, 8)
	var wg sync.WaitGroup
	for i := range infos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			infos[i] = Read(context.Background(), cfg(user))
		}()
	}
	wg.Wait()
	if n := count(sim, cas); n != 1 {
		t.Fatalf("8 devices of one mailbox read Get-CASMailbox %d times, want 1", n)
	}
	for i, info := range infos {
		if info.SMTPAuth.MailboxDisabled == nil || !*info.SMTPAuth.MailboxDisabled || info.SMTPAuth.Source != "mailbox" {
			t.Errorf("device %d: smtp_auth %+v", i, info.SMTPAuth)
		}
		if i > 0 && info == infos[0] {
			t.Errorf("device %d shares device 0's tenant object", i)
		}
	}
	infos[1].Reads[0].Detail = "changed by one report's sanitizing"
	if again := Read(context.Background(), cfg(user)); again.Reads[0].Detail != "" || count(sim, cas) != 1 {
		t.Errorf("a copy's change reached the shared read (%q) or it was read again", again.Reads[0].Detail)
	}

	Read(context.Background(), cfg("other@contoso.example"))
	if n := count(sim, cas); n != 2 {
		t.Errorf("another mailbox: Get-CASMailbox read %d times in all, want 2", n)
	}

	mu.Lock()
	now = now.Add(5 * time.Minute)
	mu.Unlock()
	Read(context.Background(), cfg(user))
	if n := count(sim, cas); n != 3 {
		t.Errorf("after the TTL: Get-CASMailbox read %d times in all, want 3", n)
	}

	cut := &Shared{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := cfg("cut@contoso.example")
	c.Shared = cut
	if info := Read(ctx, c); info.SMTPAuth.Effective != "unknown" {
		t.Errorf("a read with no budget left: %+v", info.SMTPAuth)
	}
	if info := Read(context.Background(), c); info.SMTPAuth.Effective == "unknown" {
		t.Errorf("the cut-short read was kept: %+v", info.Reads)
	}
}
