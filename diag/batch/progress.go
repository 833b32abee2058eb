package batch

import (
	"fmt"
	"io"
	"strings"
)

// progressBar draws "[███████░░░░░░░] 12/40 devices, 3 running, 2 fail" on one
// terminal line, redrawn with \r. (bubbles/progress is not usable here: its
// spring animation module is not in go.sum; this is the same picture
// without the animation.)
type progressBar struct {
	w       io.Writer
	total   int
	done    int
	running int
	bad     int // fail or error
	width   int
	drawn   bool
}

const progressWidth = 30

func newProgress(w io.Writer, total int) *progressBar {
	return &progressBar{w: w, total: total, width: progressWidth}
}

func (p *progressBar) start() {
	if p == nil {
		return
	}
	p.running++
	p.draw()
}

func (p *progressBar) finish(bad bool) {
	if p == nil {
		return
	}
	p.running--
	p.done++
	if bad {
		p.bad++
	}
	p.draw()
}

// cancelled records a check cut short by an interruption.
func (p *progressBar) cancelled() {
	if p == nil {
		return
	}
	p.running--
	p.draw()
}

func (p *progressBar) draw() {
	filled := 0
	if p.total > 0 {
		filled = p.done * p.width / p.total
	}
	line := fmt.Sprintf("\r[%s%s] %d/%d devices, %d running", strings.Repeat("█", filled),
		strings.Repeat("░", p.width-filled), p.done, p.total, p.running)
	if p.bad > 0 {
		line += fmt.Sprintf(", %d with problems", p.bad)
	}
	io.WriteString(p.w, line+"\x1b[K")
	p.drawn = true
}

// clear removes the bar, so what follows starts on a clean line.
func (p *progressBar) clear() {
	if p == nil || !p.drawn {
		return
	}
	io.WriteString(p.w, "\r\x1b[K")
}
