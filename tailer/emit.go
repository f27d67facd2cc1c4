package tailer

import (
	"context"
	"sync"
	"time"
)

// emitter hands the lines of one source on to out, in order, in batches,
// joining multiline events first when the source asks for it. A source
// adds lines with send and ships the batch with ship (or flush) before it
// waits for more data, so that no line waits for a read.
type emitter struct {
	out     chan<- []Line
	batch   []Line        // lines not shipped yet
	j       *joiner       // nil without multiline
	timeout time.Duration // closes an open event
	timer   *time.Timer   // created on first use
}

// newEmitter returns an emitter of lines to out.
func newEmitter(out chan<- []Line, m *Multiline, max int) *emitter {
	e := &emitter{out: out, j: newJoiner(m, max)}
	if e.j != nil {
		e.timeout = m.timeout()
	}
	return e
}

// send adds l to the batch (or to the open event), and ships the batch
// when it is full. It reports false when ctx ended first.
func (e *emitter) send(ctx context.Context, l Line) bool {
	if e.j == nil {
		return e.add(ctx, l)
	}
	ev, ok := e.j.add(l)
	if ok && !e.add(ctx, ev) {
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

// add appends l to the batch and ships a full batch.
func (e *emitter) add(ctx context.Context, l Line) bool {
	if e.batch == nil {
		e.batch = newBatch()
	}
	e.batch = append(e.batch, l)
	if len(e.batch) >= MaxBatch {
		return e.ship(ctx)
	}
	return true
}

// ship hands the batch on, if it holds lines. It blocks until out takes
// it and reports false when ctx ended first.
func (e *emitter) ship(ctx context.Context) bool {
	if len(e.batch) == 0 {
		return true
	}
	select {
	case e.out <- e.batch:
		e.batch = nil
		return true
	case <-ctx.Done():
		return false
	}
}

// flush hands on the open event, if any, and ships the batch.
func (e *emitter) flush(ctx context.Context) bool {
	if e.j != nil {
		if ev, ok := e.j.flush(); ok && !e.add(ctx, ev) {
			return false
		}
	}
	return e.ship(ctx)
}

// stop releases the timer.
func (e *emitter) stop() {
	if e.timer != nil {
		e.timer.Stop()
	}
}

// MaxBatch is the most lines a source sends in one batch.
const MaxBatch = 256

// batchPool holds the batches that receivers gave back with Recycle.
var batchPool = sync.Pool{New: func() any { b := make([]Line, 0, MaxBatch); return &b }}

func newBatch() []Line { return (*batchPool.Get().(*[]Line))[:0] }

// Recycle gives a batch received from a source back for reuse, once its
// receiver is done with it and with its lines' Text; the batch must not
// be used after. Giving it back is optional.
func Recycle(b []Line) {
	if cap(b) != MaxBatch {
		return
	}
	clear(b[:cap(b)])
	b = b[:0]
	batchPool.Put(&b)
}
