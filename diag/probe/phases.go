package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"net"
	"strings"
	"time"
)

// phaseRunner runs the phases of one probe (SMTP or POP3): each with its
// own deadline, its timing, the classification of what went wrong and its
// progress report. After a failure every later phase is recorded as skipped
// with the reason. Both probers embed one.
type phaseRunner struct {
	start        time.Time
	phaseTimeout time.Duration
	progressCh   chan<- report.Phase
	redactor     *redact.Redactor
	// phases is where finished phases go (the report's slice).
	phases *[]report.Phase
	// skip, once set, is the reason every later phase is skipped.
	skip string
	// interrupted is set when the user cancelled the probe.
	interrupted bool
	// prepare is called with each phase's deadline before the step runs
	// (connection deadlines, the wire layer's reply history).
	prepare func(deadline time.Time)
	// replyError records a protocol library's error reply in the phase and
	// reports whether err was one.
	replyError func(err error, ph *report.Phase) bool
}

// phase runs one step with its budget, timing and recording.
func (pr *phaseRunner) phase(ctx context.Context, name report.PhaseName, fn func(context.Context, *report.Phase) error) {
	pr.phaseFrom(ctx, name, time.Time{}, fn)
}

// phaseFrom is phase for a step whose command went out earlier, at sent,
// in a pipelined flight (RFC 2920): its timing runs from sent to its own
// reply, its budget from now. A zero sent means now.
func (pr *phaseRunner) phaseFrom(ctx context.Context, name report.PhaseName, sent time.Time, fn func(context.Context, *report.Phase) error) {
	if pr.skip != "" {
		pr.skipped(name, pr.skip)
		return
	}
	now := time.Now()
	began := now
	if !sent.IsZero() && sent.Before(now) {
		began = sent
	}
	ph := report.Phase{Name: name, Status: report.StatusRunning, Started: report.Duration(began.Sub(pr.start))}
	pr.progress(ph, false)

	deadline := now.Add(pr.phaseTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	pctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if pr.prepare != nil {
		pr.prepare(deadline)
	}

	err := fn(pctx, &ph)
	ph.Duration = report.Duration(time.Since(began))

	if err != nil {
		ph.Status = report.StatusFail
		if pr.replyError != nil && pr.replyError(err, &ph) {
			ph.ErrorKind = report.KindReply
		}
		if ph.ErrorKind == "" {
			ph.ErrorKind = ClassifyError(err)
			if ph.ErrorKind == report.KindCanceled && ctx.Err() == nil && pctx.Err() != nil {
				ph.ErrorKind = report.KindTimeout
			}
			if pctx.Err() == context.DeadlineExceeded && (ph.ErrorKind == report.KindClosed || ph.ErrorKind == report.KindProtocol) {
				ph.ErrorKind = report.KindTimeout
			}
			if errors.Is(ctx.Err(), context.Canceled) {
				ph.ErrorKind = report.KindCanceled
			}
		}
		ph.ErrorKind = localKind(err, ph.ErrorKind, HasDefaultRoute)
		if ph.ErrorKind == report.KindTimeout {
			err = fmt.Errorf("%w (no answer within %s)", err, deadline.Sub(now).Round(time.Millisecond))
			if d, ok := ctx.Deadline(); ok && !d.After(deadline) {
				// The whole check's budget ended this phase, not the
				// phase's own: mfpcheck's time limit, not the server.
				ph.ErrorKind = report.KindBudget
			}
		}
		ph.Error = redact.SafePrefix(pr.redactor.Redact(err.Error()), 500)
		pr.skip = string(name) + " failed"
		if errors.Is(ctx.Err(), context.Canceled) {
			pr.skip = "interrupted"
			pr.interrupted = true
		}
	} else if ph.Status == report.StatusRunning {
		ph.Status = report.StatusOK
	}
	sanitizePhase(&ph)
	*pr.phases = append(*pr.phases, ph)
	pr.progress(ph, true)
}

// skipped records a phase that did not run, and why.
func (pr *phaseRunner) skipped(name report.PhaseName, why string) {
	ph := report.Phase{Name: name, Status: report.StatusSkipped, Started: report.Duration(time.Since(pr.start)), Note: why}
	*pr.phases = append(*pr.phases, ph)
	pr.progress(ph, true)
}

// progress reports a phase. Running events are dropped when nobody is
// reading; final events wait for the reader at most one phase budget.
func (pr *phaseRunner) progress(ph report.Phase, final bool) {
	if pr.progressCh == nil {
		return
	}
	if !final {
		select {
		case pr.progressCh <- ph:
		default:
		}
		return
	}
	select {
	case pr.progressCh <- ph:
	case <-time.After(pr.phaseTimeout):
	}
}

// sanitizePhase replaces control bytes and invalid UTF-8 in what the
// server said (reply text, trailer, capabilities), so no renderer, JSON
// reader or terminal ever gets a NUL or an escape sequence from it.
func sanitizePhase(ph *report.Phase) {
	if ph.Reply != nil {
		r := *ph.Reply
		lines := strings.Split(r.Text, "\n")
		for i, l := range lines {
			lines[i] = redact.SafePrefix(l, MaxReplyBytes)
		}
		r.Text = strings.Join(lines, "\n")
		r.Enhanced = redact.SafePrefix(r.Enhanced, 20)
		if r.Trailer != nil {
			t := *r.Trailer
			t.Host, t.Time, t.Session, t.Raw = redact.SafePrefix(t.Host, 300), redact.SafePrefix(t.Time, 300), redact.SafePrefix(t.Session, 300), redact.SafePrefix(t.Raw, 300)
			r.Trailer = &t
		}
		ph.Reply = &r
	}
	if len(ph.Capabilities) > 0 {
		caps := make([]string, len(ph.Capabilities))
		for i, c := range ph.Capabilities {
			caps[i] = redact.SafePrefix(c, MaxLineBytes)
		}
		ph.Capabilities = caps
	}
	ph.Note = redact.SafePrefix(ph.Note, 1000)
	ph.Challenge = redact.SafePrefix(ph.Challenge, 500)
}

// tlsTarget is what a TLS handshake checks the server against.
type tlsTarget struct {
	ServerName string
	Roots      *x509.CertPool
	RootsName  string
	Verify     bool
	MaxTLS     string // the device's highest version, "" for the library's
	Implicit   bool
	Now        func() time.Time
}

// tlsHandshake runs the client side of a TLS handshake on raw the way the
// device would (its highest version; certificate checks on unless the device
// has them off) and records the outcome in ph. info describes the session,
// and the chain even when the certificate failed the handshake. A chain
// that fails with checks off leaves the phase a warning. The session's
// version and the certificate's days left are recorded in info; whether
// they are a warning is the diagnosis's to say (diagnose.judgePhases).
func tlsHandshake(ctx context.Context, raw net.Conn, t tlsTarget, ph *report.Phase) (*tls.Conn, *report.TLSInfo, error) {
	var maxV uint16
	if t.MaxTLS != "" {
		maxV, _ = report.TLSVersionByName(t.MaxTLS)
	}
	var check TLSCheck
	tc := tls.Client(raw, ClientTLSConfig(t.ServerName, t.Roots, t.Verify, maxV, &check, t.Now))
	if err := tc.HandshakeContext(ctx); err != nil {
		if check.Err != nil {
			ph.ErrorKind = CertKind(check.Err)
			info := TLSInfoFrom(tc.ConnectionState(), t.ServerName, t.Implicit, t.RootsName, &check, t.Now())
			return nil, info, fmt.Errorf("certificate of %s: %w", t.ServerName, check.Err)
		}
		ph.ErrorKind = ClassifyError(err)
		if ph.ErrorKind == report.KindNotTLS {
			return nil, nil, fmt.Errorf("server did not answer with TLS: %w", err)
		}
		return nil, nil, fmt.Errorf("TLS handshake: %w", err)
	}
	cs := tc.ConnectionState()
	info := TLSInfoFrom(cs, t.ServerName, t.Implicit, t.RootsName, &check, t.Now())
	ph.Note = fmt.Sprintf("%s, %s", info.Version, info.Cipher)
	if check.Err != nil {
		// Only reached with certificate checks off.
		ph.Status = report.StatusWarn
		ph.ErrorKind = CertKind(check.Err)
		ph.Error = redact.SafePrefix(check.Err.Error(), 500)
		ph.Note += "; certificate NOT verified (checks turned off)"
	}
	return tc, info, nil
}
