package main

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// engine is the path every line takes, the same for run, pipe and exec:
// rules, then batch, then the dispatcher.
type engine struct {
	log     *slog.Logger
	set     atomic.Pointer[rules.Set] // swapped on reload
	batcher *batch.Batcher
	disp    *dispatcher
	cancel  context.CancelFunc // ends delivery attempts

	lines   atomic.Int64
	matched atomic.Int64
}

func newEngine(cfg *rules.Config, dests map[string]*destination, log *slog.Logger) *engine {
	en := &engine{log: log, disp: newDispatcher(dests, log)}
	en.set.Store(cfg.Set)
	en.batcher = batch.New(batch.Options{Send: en.disp.send, Host: rules.Hostname()})
	return en
}

// consume handles lines until in is closed or ctx ends. The rules run on
// every CPU (see matchLines); handle sees the lines in the order of in, so
// each file's lines reach the batcher and its Cursor in order.
func (en *engine) consume(ctx context.Context, in <-chan tailer.Line) {
	matchLines(ctx, in, en.set.Load, en.handle)
}

func (en *engine) handle(l tailer.Line, ms []rules.Match, _ *rules.Rule) {
	en.lines.Add(1)
	if len(ms) > 0 {
		en.matched.Add(1)
	}
	for _, m := range ms {
		en.batcher.Add(m)
	}
	l.Cursor.Handled(l.End)
}

// start starts delivery. Deliveries go on after ctx ends, until finish
// gives up on them, so that a stop still flushes what is pending.
func (en *engine) start(ctx context.Context) {
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	en.cancel = cancel
	en.disp.start(dctx)
}

// finish flushes every open digest and waits for delivery, at most
// timeout; it returns what could not be delivered and how many were.
func (en *engine) finish(timeout time.Duration) ([]failure, int) {
	en.batcher.Flush()
	en.disp.close()
	t := time.AfterFunc(timeout, func() {
		en.log.Warn("delivery still under way at the shutdown timeout; giving up", "timeout", timeout)
		en.cancel()
	})
	defer t.Stop()
	failed, sent := en.disp.wait()
	en.cancel()
	return failed, sent
}
