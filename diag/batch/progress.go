package batch

import (
	"fmt"
	"io"

	"github.com/charmbracelet/bubbles/progress"
)

// progressBar draws "███████░░░░░░░ 12/40 devices, 3 running, 2 with
// problems" on one terminal line, redrawn with \r; the bar is bubbles'
// progress model, rendered statically (ViewAs), without its animation.
type progressBar struct {
	bar     progress.Model
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
	bar := progress.New(progress.WithWidth(progressWidth), progress.WithoutPercentage(), progress.WithSolidFill("2"))
	return &progressBar{bar: bar, w: w, total: total, width: progressWidth}
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
	frac := 0.0
	if p.total > 0 {
		frac = float64(p.done) / float64(p.total)
	}
	line := fmt.Sprintf("\r%s %d/%d devices, %d running", p.bar.ViewAs(frac), p.done, p.total, p.running)
	if p.bad > 0 {
		line += fmt.Sprintf(", %d with problems", p.bad)
	}
	io.WriteString(p.w, line+"\x1b[K")
	p.drawn = true
}

// hide takes the bar off its line so a warning can be printed there; the
// next event draws it again.
func (p *progressBar) hide() {
	if p == nil || !p.drawn {
		return
	}
	io.WriteString(p.w, "\r\x1b[K")
	p.drawn = false
}

// clear removes the bar, so what follows starts on a clean line.
func (p *progressBar) clear() {
	if p == nil || !p.drawn {
		return
	}
	io.WriteString(p.w, "\r\x1b[K")
}
