package device

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/OpenPrinting/goipp"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/redact"
)

// PDF is the document format of the status sheet.
const PDF = "application/pdf"

// maxJobName caps job-name: name(MAX) is 255 octets (RFC 8011, 5.1.3).
const maxJobName = 255

// NoPDFError is PrintPDF's refusal: the printer does not list
// application/pdf in document-format-supported, so nothing was sent (a
// printer given a format it does not take prints pages of PDF source, or
// nothing).
type NoPDFError struct {
	Printer *Identity
}

func (e *NoPDFError) Error() string {
	return fmt.Sprintf("%s does not take %s (document-format-supported: %s); nothing was sent",
		e.Printer.URI, PDF, formatList(e.Printer.DocumentFormats))
}

// Hit is the catalogue finding (devicecheck.yaml) that says what to do.
func (e *NoPDFError) Hit() diagnose.Hit {
	return diagnose.Hit{
		ID:       "device.print.no_pdf",
		Evidence: []string{"document-format-supported: " + formatList(e.Printer.DocumentFormats)},
		Params:   map[string]string{"uri": e.Printer.URI},
	}
}

func formatList(f []string) string {
	if len(f) == 0 {
		return "(none listed)"
	}
	return strings.Join(f, ", ")
}

// Printed is what a printer said while taking a document: who it is and
// the job it made.
type Printed struct {
	Printer *Identity `json:"printer"`
	Job     *Job      `json:"job"`
}

// PrintPDF prints a PDF document on the printer: Get-Printer-Attributes
// first, and only when the printer lists application/pdf among its
// document formats, Print-Job. Both exchanges end when ctx does (the
// caller's budget for the whole step) or after the client's Timeout each.
// A printer that does not take PDF gets nothing; the error is a
// *NoPDFError. A printer that answers server-error-busy (printing another
// job) is sent the job again after a pause, until ctx ends.
func (c *Client) PrintPDF(ctx context.Context, jobName string, doc []byte) (*Printed, error) {
	if len(doc) == 0 {
		return nil, errors.New("no document to print")
	}
	id, err := c.Identify(ctx)
	if err != nil {
		return nil, err
	}
	if !id.Supports(PDF) {
		return &Printed{Printer: id}, &NoPDFError{Printer: id}
	}
	jobName = redact.SanitizeText(jobName)
	if len(jobName) > maxJobName {
		jobName = redact.SafePrefix(jobName, maxJobName)
	}
	for wait := busyWait; ; wait = min(2*wait, busyWaitMax) {
		job, err := c.PrintJob(ctx, jobName, PDF, doc)
		if err == nil {
			return &Printed{Printer: id, Job: job}, nil
		}
		if !IsBusy(err) {
			return &Printed{Printer: id}, err
		}
		select {
		case <-ctx.Done():
			return &Printed{Printer: id}, fmt.Errorf("%w (still busy when the time for printing ran out: %w)", err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// String is the one line that reports a printed job: "job 7 (completed)
// on ipp://… (Make Model)".
func (p *Printed) String() string {
	var b strings.Builder
	if p.Job != nil {
		fmt.Fprintf(&b, "job %d", p.Job.ID)
		if p.Job.State != "" {
			b.WriteString(" (" + p.Job.State)
			if len(p.Job.StateReasons) > 0 && !(len(p.Job.StateReasons) == 1 && p.Job.StateReasons[0] == "none") {
				b.WriteString(": " + joined(p.Job.StateReasons))
			}
			b.WriteString(")")
		}
		b.WriteString(" on ")
	}
	b.WriteString(p.Printer.URI)
	if p.Printer.MakeAndModel != "" {
		b.WriteString(" (" + p.Printer.MakeAndModel + ")")
	}
	return b.String()
}

// StatusError is a printer's answer with an error status (RFC 8011,
// 5.4.15: 0x0400 and up); Message is its status-message, sanitized.
type StatusError struct {
	Status  goipp.Status
	Message string
}

func (e *StatusError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("printer answered %s: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("printer answered %s", e.Status)
}

// IsBusy says whether err is server-error-busy: the printer takes no job
// now (it is printing one) and asks to be tried again later (RFC 8011,
// 5.4.15 / 13.1.5.8).
func IsBusy(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == goipp.StatusErrorBusy
}

// busyWait is the first pause before sending a job again to a busy
// printer; each further pause doubles, up to busyWaitMax, all inside the
// caller's ctx.
const (
	busyWait    = 500 * time.Millisecond
	busyWaitMax = 4 * time.Second
)
