package batch

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// queue holds the closed digests of one key until they are sent. At most
// one goroutine (the drainer) sends from a queue at a time, which keeps a
// key's digests in order and never concurrent, without holding
// Batcher.mu during Send.
type queue struct {
	items  []outgoing
	active bool   // a drainer is sending
	queued uint64 // digests ever put in
	sent   uint64 // digests handed to Send
}

// outgoing is a closed digest with the rule that renders it.
type outgoing struct {
	d    *Digest
	rule *rules.Rule
}

// enqueue closes the digest of s at the tick now and queues it. The
// caller holds b.mu.
func (b *Batcher) enqueue(s *stream, now time.Time) {
	f := s.cur
	s.cur = nil
	b.seq++
	f.d.Seq = b.seq
	f.d.At = now
	f.done()
	q := b.out[s.key]
	if q == nil {
		q = &queue{}
		b.out[s.key] = q
	}
	q.items = append(q.items, outgoing{d: f.d, rule: s.rule})
	q.queued++
}

// claim makes the caller the drainer of k's queue, if it has digests and
// no drainer. The caller holds b.mu.
func (b *Batcher) claim(k Key) *queue {
	q := b.out[k]
	if q == nil || q.active || len(q.items) == 0 {
		return nil
	}
	q.active = true
	return q
}

// drain sends the digests of q until it is empty, then lets it go.
func (b *Batcher) drain(k Key, q *queue) {
	for {
		b.mu.Lock()
		if len(q.items) == 0 {
			q.active = false
			if b.out[k] == q {
				delete(b.out, k)
			}
			b.sent.Broadcast()
			b.mu.Unlock()
			return
		}
		o := q.items[0]
		q.items[0] = outgoing{}
		q.items = q.items[1:]
		b.mu.Unlock()

		if !o.d.rendered {
			b.render(o)
		}
		b.opts.Send(o.d)

		b.mu.Lock()
		q.sent++
		b.stats.Digests++
		b.sent.Broadcast()
		b.mu.Unlock()
	}
}

// render fills in the digest's Message.
func (b *Batcher) render(o outgoing) {
	d := o.d
	lines := DigestLines(d)
	msg, err := o.rule.RenderDigest(rules.DigestData{
		Count: d.Count, First: d.First, Last: d.Last, Rule: d.Rule, Room: d.Room,
		Host: b.opts.Host, Group: d.Group, Lines: lines, More: d.More, Folded: d.Folded,
	})
	if err != nil {
		msg = fallbackMessage(d)
	}
	d.Message = msg
	d.rendered = true
}

// renderAll renders the digests of items, which no one else touches
// meanwhile, on every CPU.
func renderAll(b *Batcher, items []outgoing) {
	workers := min(runtime.GOMAXPROCS(0), len(items)/64+1)
	var wg sync.WaitGroup
	for w := range workers {
		// Each worker renders every workers-th digest.
		wg.Go(func() {
			for i := w; i < len(items); i += workers {
				b.render(items[i])
			}
		})
	}
	wg.Wait()
}

// fallbackMessage is used when a digest_template fails at run time, so
// that a template mistake never loses an alert. The lines are escaped
// already.
func fallbackMessage(d *Digest) string {
	var b strings.Builder
	b.WriteString(d.Rule + ":")
	for _, l := range d.Lines {
		b.WriteString("\n" + l.Shown())
	}
	return b.String()
}

// Flush closes every open digest now and sends it, oldest digest first,
// and returns once every digest closed so far has been handed to Send.
// It stops every timer. Matches held below a threshold are dropped
// (released and counted in Stats.BelowThreshold): their threshold was not
// reached. The Batcher may be used again after Flush.
func (b *Batcher) Flush() {
	now := b.now()
	b.mu.Lock()
	for _, first := range b.streams {
		for s := first; s != nil; {
			next := s.next // close unlinks s
			if s.phase != phaseHeld && s.cur != nil && !s.cur.empty() {
				b.enqueue(s, now)
			}
			b.close(s)
			s = next
		}
	}
	type pending struct {
		seq uint64 // of the queue's first digest
		k   Key
		q   *queue
	}
	var mine, theirs []pending
	for k, q := range b.out {
		if b.claim(k) != nil {
			mine = append(mine, pending{q.items[0].d.Seq, k, q})
		} else {
			theirs = append(theirs, pending{0, k, q})
		}
	}
	// Send in Seq order, so that a flush reads like the storm it ends.
	slices.SortFunc(mine, func(x, y pending) int { return cmp.Compare(x.seq, y.seq) })
	targets := make([]uint64, len(theirs))
	for i, p := range theirs {
		targets[i] = p.q.queued
	}
	var ahead []outgoing
	for _, p := range mine {
		ahead = append(ahead, p.q.items...)
	}
	b.mu.Unlock()

	// A flush may close thousands of digests at once (a stop, the end of
	// a pipe): render them on every CPU, then send them in order.
	renderAll(b, ahead)
	for _, p := range mine {
		b.drain(p.k, p.q)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, p := range theirs {
		for p.q.sent < targets[i] {
			b.sent.Wait()
		}
	}
}
