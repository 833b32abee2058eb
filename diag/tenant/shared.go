package tenant

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Shared reads what the tenant decides once per (tenant, mailbox) for many
// devices (batch --tenant-check, serve --tenant-check): the devices of one
// scan mailbox see one read, the tenant's endpoints one set of requests.
// The first device to ask reads, inside its own budget (its ctx); the
// others wait for that read, each inside its own budget. A read that its
// device's budget cut short is not kept, so the next device reads again
// instead of inheriting "no answer within the time allowed". Each caller
// gets its own copy, so sanitizing one report never touches another's.
//
// A Shared is safe for concurrent use. The zero value keeps every read for
// its lifetime (one batch run).
type Shared struct {
	// TTL is how long a read is served (serve: its --min-interval); 0
	// keeps it for the Shared's lifetime.
	TTL time.Duration
	// Now is the clock for TTL (default time.Now).
	Now func() time.Time

	mu   sync.Mutex
	byID map[sharedKey]*sharedRead
}

type sharedKey struct{ tenant, user, exchange, graph string }

type sharedRead struct {
	done chan struct{}
	info *report.TenantInfo // nil when the read was cut short
	at   time.Time
}

func (s *Shared) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Read is tenant.Read for cfg, shared with every other caller of the same
// tenant and mailbox (and endpoints). cfg.Shared is ignored.
func (s *Shared) Read(ctx context.Context, cfg Config) *report.TenantInfo {
	cfg.Shared = nil
	key := sharedKey{strings.ToLower(cfg.Tenant), strings.ToLower(cfg.User), cfg.Exchange, cfg.Graph}
	for {
		s.mu.Lock()
		if s.byID == nil {
			s.byID = map[sharedKey]*sharedRead{}
		}
		e := s.byID[key]
		if e != nil && e.info != nil && s.TTL > 0 && s.now().Sub(e.at) >= s.TTL {
			delete(s.byID, key) // stale: read again
			e = nil
		}
		if e == nil {
			e = &sharedRead{done: make(chan struct{})}
			s.byID[key] = e
			s.mu.Unlock()
			info := Read(ctx, cfg)
			s.mu.Lock()
			if ctx.Err() == nil {
				e.info, e.at = info, s.now()
			} else {
				delete(s.byID, key)
			}
			close(e.done)
			s.mu.Unlock()
			return clone(info)
		}
		s.mu.Unlock()
		select {
		case <-e.done:
			if e.info != nil {
				return clone(e.info)
			}
			// The reader's budget ran out: read again, as the first.
		case <-ctx.Done():
			// This device's budget ran out while another read: every
			// read is "no answer within the time allowed", as Read gives.
			return Read(ctx, cfg)
		}
	}
}

// clone is a deep copy of t through its JSON form (the report's own
// schema, so a field added later is copied too).
func clone(t *report.TenantInfo) *report.TenantInfo {
	b, err := json.Marshal(t)
	if err != nil {
		return t
	}
	var c report.TenantInfo
	if json.Unmarshal(b, &c) != nil {
		return t
	}
	return &c
}
