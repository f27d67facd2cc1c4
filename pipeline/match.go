package pipeline

import (
	"context"
	"runtime"
	"sync"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// chunk is a batch of consecutive lines from a source with what the rules
// made of them, or a barrier. The gatherer sets lines (or passed), one
// matcher fills the rest and closes ready.
type chunk struct {
	lines   []tailer.Line
	results []rules.LineResult
	matches []rules.Match
	shapes  []uint64 // by match, when the matchers compute shapes
	ready   chan struct{}
	// passed is set for a barrier, a chunk with no lines: it is closed
	// once every chunk before it went to the line function.
	passed chan struct{}
}

var chunkPool = sync.Pool{New: func() any {
	return &chunk{results: make([]rules.LineResult, 0, tailer.MaxBatch)}
}}

// LineFunc receives one line with its matches, their shapes (nil when
// MatchLines computes none) and its drop rule (or nil). ms and shapes are
// only valid during the call.
type LineFunc func(l tailer.Line, ms []rules.Match, shapes []uint64, drop *rules.Rule)

// LineBatches is how many batches of lines a source may send ahead of the
// matchers: the capacity of the channel that carries them.
const LineBatches = 4

// MatchLines matches the lines of the batches of in with the set that set
// returns (read once per chunk, so a reload takes effect between chunks)
// on one matcher per CPU, and calls fn for every line in the order of in,
// on the calling goroutine. When shape is not nil, the matchers also
// compute the shape of every match's text with it (the batcher's work
// that needs no lock). It returns once in is closed and every line went
// to fn, or once ctx ends (lines not yet handed to fn then are not).
//
// A gatherer goroutine makes each batch a chunk and queues it both to the
// matchers and, in order, to the caller, which waits for each chunk's
// matches before it hands its lines on. Batches are given back to the
// tailer (tailer.Recycle) once handed on.
func MatchLines(ctx context.Context, in <-chan []tailer.Line, set func() *rules.Set, shape func(string) uint64, fn LineFunc) {
	matchLines(ctx, in, nil, set, shape, fn)
}

// matchLines is MatchLines with barriers: each channel received from
// barriers is closed once every line that was sent on in before it is
// handed to fn.
func matchLines(ctx context.Context, in <-chan []tailer.Line, barriers <-chan chan struct{}, set func() *rules.Set, shape func(string) uint64, fn LineFunc) {
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *chunk, 2*workers)
	order := make(chan *chunk, 2*workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	// The gatherer owns work and order and closes them at the end of in.
	wg.Go(func() { gather(ctx, in, barriers, work, order) })
	for range workers {
		// Matchers run until the gatherer closes work.
		wg.Go(func() {
			for c := range work {
				c.match(set(), shape)
			}
		})
	}
	for c := range order {
		<-c.ready
		if ctx.Err() == nil {
			c.deliver(fn)
			if c.passed != nil {
				close(c.passed)
			}
		}
		c.reset()
		chunkPool.Put(c)
	}
}

// gather makes chunks of the batches of in, and of the barriers, until in
// is closed or ctx ends.
func gather(ctx context.Context, in <-chan []tailer.Line, barriers <-chan chan struct{}, work, order chan<- *chunk) {
	defer close(order)
	defer close(work)
	for {
		select {
		case b, ok := <-in:
			if !ok {
				return
			}
			queue(b, work, order)
		case passed := <-barriers:
			// A batch sent before the barrier was asked for is either
			// queued already or among the len(in) batches that wait in
			// in now, ahead of any sent later: queue those first.
			for n := len(in); n > 0; n-- {
				b, ok := <-in
				if !ok {
					return
				}
				queue(b, work, order)
			}
			c := chunkPool.Get().(*chunk)
			c.passed = passed
			c.ready = make(chan struct{})
			close(c.ready) // nothing to match
			order <- c
		case <-ctx.Done():
			return
		}
	}
}

// queue makes a chunk of the batch b and queues it to the matchers and
// to the caller.
func queue(b []tailer.Line, work, order chan<- *chunk) {
	if len(b) == 0 {
		return
	}
	c := chunkPool.Get().(*chunk)
	c.lines = b
	c.ready = make(chan struct{})
	order <- c
	work <- c
}

// match runs the rules over the chunk's lines, and shape (if not nil)
// over the matches.
func (c *chunk) match(set *rules.Set, shape func(string) uint64) {
	c.shapes = c.shapes[:0]
	c.matches, c.results = set.MatchLines(c.lines, c.matches[:0], c.results[:0])
	if shape != nil {
		for _, m := range c.matches {
			c.shapes = append(c.shapes, shape(m.Text))
		}
	}
	close(c.ready)
}

// deliver hands the chunk's lines to fn, in order.
func (c *chunk) deliver(fn LineFunc) {
	from := 0
	for i, l := range c.lines {
		r := c.results[i]
		var shapes []uint64
		if len(c.shapes) > 0 {
			shapes = c.shapes[from:r.To:r.To]
		}
		fn(l, c.matches[from:r.To:r.To], shapes, r.Drop)
		from = r.To
	}
}

// reset gives the chunk's batch back and forgets its matches, so that a
// pooled chunk holds no text.
func (c *chunk) reset() {
	if c.lines != nil {
		tailer.Recycle(c.lines)
	}
	clear(c.matches)
	c.lines, c.matches, c.passed = nil, c.matches[:0], nil
}
