package main

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/tailer"
)

// engine is the path every line takes, the same for run, pipe and exec:
// rules, then batch, then the dispatcher with its outbox.
type engine struct {
	log     *slog.Logger
	set     atomic.Pointer[rules.Set] // swapped on reload
	batcher *batch.Batcher
	disp    *sender.Dispatcher
	cancel  context.CancelFunc // ends delivery
	done    chan struct{}      // closed when the dispatcher has stopped

	lines   atomic.Int64
	matched atomic.Int64
	count   counts      // per file and per rule, for metrics
	counter lineCounter // into count, from handle's goroutine
	// files is the file tailer (nil without one) asked to save its
	// positions soon after a digest is safe in the outbox, so a crash
	// re-reads only the lines of digests still open.
	files atomic.Pointer[tailer.Tailer]
}

func newEngine(cfg *rules.Config, dests map[string]*destination, log *slog.Logger) (*engine, error) {
	en := &engine{log: log, done: make(chan struct{})}
	en.counter.c = &en.count
	en.set.Store(cfg.Set)
	disp, err := newDispatcher(cfg, dests, log, en.rule)
	if err != nil {
		return nil, err
	}
	en.disp = disp
	en.batcher = batch.New(batch.Options{Send: en.submit, Host: rules.Hostname()})
	return en, nil
}

// submit hands a closed digest to the dispatcher, which releases it once
// it is in the outbox.
func (en *engine) submit(d *batch.Digest) {
	err := en.disp.Submit(d)
	if errors.Is(err, sender.ErrUnknownDestination) {
		en.log.Error("digest dropped", "key", d.Key.String(), "lines", d.Count, "err", err)
		d.Release()
	}
	if t := en.files.Load(); t != nil && err == nil {
		t.SaveSoon()
	}
}

// rule returns the current rule of that name, or nil.
func (en *engine) rule(name string) *rules.Rule {
	for _, r := range en.set.Load().Rules() {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// consume handles lines until in is closed or ctx ends. The rules run on
// every CPU (see matchLines); handle sees the lines in the order of in, so
// each file's lines reach the batcher and its Cursor in order.
func (en *engine) consume(ctx context.Context, in <-chan []tailer.Line) {
	matchLines(ctx, in, en.set.Load, en.batcher.Shape, en.handle)
}

// handle takes one line with its matches. It runs on one goroutine at a
// time (the one matchLines hands lines to), which en.counter relies on.
func (en *engine) handle(l tailer.Line, ms []rules.Match, shapes []uint64, _ *rules.Rule) {
	if isBarrier(l) {
		return
	}
	en.lines.Add(1)
	en.counter.line(l.File)
	if len(ms) > 0 {
		en.matched.Add(1)
	}
	for i, m := range ms {
		en.counter.match(m.Rule)
		en.batcher.AddShaped(m, shapes[i]) // consume has the matchers shape every match
	}
	l.Cursor.Handled(l.End)
}

// start starts delivery, which resends what the outbox holds first.
// Deliveries go on after ctx ends, until finish gives up on them, so that
// a stop still flushes what is pending.
func (en *engine) start(ctx context.Context) {
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	en.cancel = cancel
	// The dispatcher runs until finish cancels it and waits for it.
	go func() { _ = en.disp.Run(dctx); close(en.done) }()
}

// finish flushes every open digest into the outbox and waits for
// delivery, at most timeout; it returns what was not delivered (still in
// the outbox, or refused) and how many digests were.
func (en *engine) finish(timeout time.Duration) ([]sender.Undelivered, int) {
	en.batcher.Flush()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	if err := en.disp.Drain(ctx); err != nil {
		en.log.Warn("delivery still under way at the shutdown timeout; giving up", "timeout", timeout)
	}
	cancel()
	en.cancel()
	<-en.done
	sent := 0
	for _, st := range en.disp.Stats() {
		sent += int(st.Sent)
	}
	return en.disp.Undelivered(), sent
}
