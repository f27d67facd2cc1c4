// Package pipeline is the path every line takes, the same for run, pipe,
// exec and test: sources, then the rules (matched in parallel, handed on
// in order), then batch, then the dispatcher with its outbox. It builds
// the destinations' notifiers, the one place that knows every type.
package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/tailer"
)

// Engine takes lines through the rules, the batcher and the dispatcher.
type Engine struct {
	log      *slog.Logger
	set      atomic.Pointer[rules.Set] // swapped on reload
	batcher  *batch.Batcher
	disp     *sender.Dispatcher
	barriers chan chan struct{} // to the running Consume
	cancel   context.CancelFunc // ends delivery
	done     chan struct{}      // closed when the dispatcher has stopped

	lines   atomic.Int64
	matched atomic.Int64
	count   counts      // per file and per rule, for metrics
	counter lineCounter // into count, from handle's goroutine
	// files is the file tailer (nil without one) asked to save its
	// positions soon after a digest is safe in the outbox, so a crash
	// re-reads only the lines of digests still open.
	files atomic.Pointer[tailer.Tailer]
}

// New builds the engine of cfg, delivering to dests.
func New(cfg *rules.Loaded, dests map[string]*Destination, log *slog.Logger) (*Engine, error) {
	en := &Engine{log: log, done: make(chan struct{}), barriers: make(chan chan struct{})}
	en.counter.c = &en.count
	en.set.Store(cfg.Set)
	disp, err := newDispatcher(cfg, dests, log, en.rule)
	if err != nil {
		return nil, err
	}
	en.disp = disp
	en.batcher = batch.New(batch.Options{Send: en.Submit, Host: rules.Hostname()})
	return en, nil
}

// ShutdownTimeout is how long a stop waits for delivery.
func ShutdownTimeout(cfg *rules.Loaded) time.Duration {
	if d := cfg.ShutdownTimeout.D(); d > 0 {
		return d
	}
	return config.DefaultShutdownTimeout
}

// Submit hands a closed digest to the dispatcher, which releases it once
// it is in the outbox.
func (en *Engine) Submit(d *batch.Digest) {
	err := en.disp.Submit(d)
	if errors.Is(err, sender.ErrUnknownDestination) {
		en.log.Error("digest dropped", "key", d.Key.String(), "lines", d.Count, "err", err)
		d.Release()
	}
	if t := en.files.Load(); t != nil && err == nil {
		t.SaveSoon()
	}
}

// SaveSoonOf makes t the file tailer whose positions are saved soon
// (tailer.SaveSoon) whenever a digest enters the outbox; nil for none.
func (en *Engine) SaveSoonOf(t *tailer.Tailer) { en.files.Store(t) }

// SetRules swaps in a new rule set; the lines matched from now on use it.
// Open digests are keyed by rule name, so a rule of the same name takes
// them over.
func (en *Engine) SetRules(set *rules.Set) { en.set.Store(set) }

// rule returns the current rule of that name, or nil.
func (en *Engine) rule(name string) *rules.Rule {
	for _, r := range en.set.Load().Rules() {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Consume handles lines until in is closed or ctx ends. The rules run on
// every CPU (see MatchLines); the lines are handled in the order of in, so
// each file's lines reach the batcher and its Cursor in order.
func (en *Engine) Consume(ctx context.Context, in <-chan []tailer.Line) {
	en.ConsumeWith(ctx, in, nil)
}

// ConsumeWith is Consume that also shows each line to seen (if not nil),
// in order, before it is handled.
func (en *Engine) ConsumeWith(ctx context.Context, in <-chan []tailer.Line, seen func(tailer.Line)) {
	matchLines(ctx, in, en.barriers, en.set.Load, en.batcher.Shape, func(l tailer.Line, ms []rules.Match, shapes []uint64, _ *rules.Rule) {
		if seen != nil {
			seen(l)
		}
		en.handle(l, ms, shapes)
	})
}

// Barrier waits until every line sent to the running Consume before the
// call is handled. It reports false if ctx ended first.
func (en *Engine) Barrier(ctx context.Context) bool {
	passed := make(chan struct{})
	select {
	case en.barriers <- passed:
	case <-ctx.Done():
		return false
	}
	select {
	case <-passed:
		return true
	case <-ctx.Done():
		return false
	}
}

// handle takes one line with its matches. It runs on one goroutine at a
// time (the one matchLines hands lines to), which en.counter relies on.
func (en *Engine) handle(l tailer.Line, ms []rules.Match, shapes []uint64) {
	en.lines.Add(1)
	en.counter.line(l.File)
	if len(ms) > 0 {
		en.matched.Add(1)
	}
	for i, m := range ms {
		en.counter.match(m.Rule)
		en.batcher.AddShaped(m, shapes[i]) // Consume has the matchers shape every match
	}
	l.Cursor.Handled(l.End)
}

// Flush closes every open digest now.
func (en *Engine) Flush() { en.batcher.Flush() }

// Start starts delivery, which resends what the outbox holds first.
// Deliveries go on after ctx ends, until Finish gives up on them, so that
// a stop still flushes what is pending.
func (en *Engine) Start(ctx context.Context) {
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	en.cancel = cancel
	// The dispatcher runs until Finish cancels it and waits for it.
	go func() { _ = en.disp.Run(dctx); close(en.done) }()
}

// Finish flushes every open digest into the outbox and waits for
// delivery, at most timeout; it returns what was not delivered (still in
// the outbox, or refused) and how many digests were.
func (en *Engine) Finish(timeout time.Duration) ([]sender.Undelivered, int) {
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

// Lines returns how many lines were handled.
func (en *Engine) Lines() int64 { return en.lines.Load() }

// Matched returns how many handled lines matched a notify rule.
func (en *Engine) Matched() int64 { return en.matched.Load() }

// OpenDigests returns how many digests collect matches now.
func (en *Engine) OpenDigests() int { return en.batcher.Stats().Open }

// OpenKeys returns up to max open debounce keys, those due first, and how
// many are open in all.
func (en *Engine) OpenKeys(max int) ([]batch.OpenKey, int) { return en.batcher.OpenKeys(max) }

// DeliveryStats returns what the dispatcher knows of each destination.
func (en *Engine) DeliveryStats() map[string]sender.Stats { return en.disp.Stats() }
