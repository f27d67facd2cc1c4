package tailer

import (
	"context"
	"time"
)

// emitter hands the lines of one source on to out, in order, joining
// multiline events first when the source asks for it.
type emitter struct {
	out     chan<- Line
	j       *joiner       // nil without multiline
	timeout time.Duration // closes an open event
	timer   *time.Timer   // created on first use
}

// newEmitter returns an emitter of lines to out.
func newEmitter(out chan<- Line, m *Multiline, max int) *emitter {
	e := &emitter{out: out, j: newJoiner(m, max)}
	if e.j != nil {
		e.timeout = m.timeout()
	}
	return e
}

// send hands l on (or adds it to the open event). It blocks until out takes
// the line and reports false when ctx ended first.
func (e *emitter) send(ctx context.Context, l Line) bool {
	if e.j == nil {
		return put(ctx, e.out, l)
	}
	ev, ok := e.j.add(l)
	if ok && !put(ctx, e.out, ev) {
		return false
	}
	if e.timer == nil {
		e.timer = time.NewTimer(e.timeout)
	} else {
		e.timer.Reset(e.timeout)
	}
	return true
}

// expired returns the channel that fires when the open event has waited
// long enough, or nil when no event is open.
func (e *emitter) expired() <-chan time.Time {
	if e.j == nil || !e.j.open || e.timer == nil {
		return nil
	}
	return e.timer.C
}

// flush hands on the open event, if any.
func (e *emitter) flush(ctx context.Context) bool {
	if e.j == nil {
		return true
	}
	if ev, ok := e.j.flush(); ok {
		return put(ctx, e.out, ev)
	}
	return true
}

// stop releases the timer.
func (e *emitter) stop() {
	if e.timer != nil {
		e.timer.Stop()
	}
}

// put sends l on out unless ctx ends first.
func put(ctx context.Context, out chan<- Line, l Line) bool {
	select {
	case out <- l:
		return true
	case <-ctx.Done():
		return false
	}
}
