package main

import (
	"context"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/tailer"
)

// runFiles runs the file tailer t into lines until ctx ends. When a
// reload changes the file inputs, it hands over to a new tailer without
// losing or repeating a line (see handover).
func (o *ops) runFiles(ctx context.Context, t *tailer.Tailer, lines chan []tailer.Line) error {
	if o == nil {
		return t.Run(ctx, lines)
	}
	for {
		tctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		// The tailer runs until ctx ends or a reload replaces it; both
		// paths below wait for it.
		go func() { done <- t.Run(tctx, lines) }()
		select {
		case err := <-done:
			cancel()
			return err
		case ins := <-o.inputs:
			cancel()
			if err := <-done; err != nil {
				return err
			}
			t = o.handover(ctx, t, ins, lines)
		}
	}
}

// handover replaces the stopped tailer old by one following ins. So that
// the new tailer resumes every file exactly where the old one stopped, the
// old one's positions are saved only once every line it read is handled
// (a barrier through lines) and no open digest holds one of them: open
// digests are flushed and delivery given up to shutdown_timeout to make
// them safe. Past that, positions are saved where a crash would resume,
// and a line may be alerted twice, never lost.
func (o *ops) handover(ctx context.Context, old *tailer.Tailer, ins []tailer.Input, lines chan<- []tailer.Line) *tailer.Tailer {
	if !o.barrier(ctx, lines) {
		return old
	}
	o.d.en.batcher.Flush()
	o.settle(ctx, old, shutdownTimeout(o.cfg.Load()))
	if err := old.SavePositions(); err != nil {
		o.log.Error("saving read positions before the new inputs", "err", err)
	}
	opts := tailer.TailerOptions{Inputs: ins, StateDir: o.cfg.Load().StateDir, Logger: o.log}
	t, err := tailer.New(opts)
	if err != nil {
		// The loader checked the inputs, so this is unexpected: follow
		// nothing rather than stop the daemon.
		o.log.Error("new inputs not started", "err", err)
		return old
	}
	o.files.Store(t)
	o.d.en.files.Store(t)
	o.d.files = t // read by run once the pipeline has ended
	o.log.Info("inputs changed", "inputs", len(ins))
	return t
}

// settle waits until no line of t is held by a digest, at most timeout.
func (o *ops) settle(ctx context.Context, t *tailer.Tailer, timeout time.Duration) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !t.Settled() {
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			o.log.Warn("digests still undelivered when the inputs changed; their lines may be alerted again", "timeout", timeout)
			return
		case <-tick.C:
		}
	}
}

// barrierFile marks a Line that is no log line: the engine, reaching it,
// knows that every line queued before it is handled, and passes it.
const barrierFile = "\x00barrier"

// barriers maps the Cursor of each barrier Line in flight to the channel
// closed when the engine passes it.
var barriers sync.Map

// barrier sends a barrier through lines and waits until the engine has
// passed it. It reports false if ctx ended first.
func (o *ops) barrier(ctx context.Context, lines chan<- []tailer.Line) bool {
	c := tailer.NewCursor(0)
	passed := make(chan struct{})
	barriers.Store(c, passed)
	defer barriers.Delete(c)
	select {
	case lines <- []tailer.Line{{File: barrierFile, Cursor: c}}:
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

// isBarrier reports whether l is a barrier, and if so tells its sender
// that the engine passed it. The engine calls it for every line, before
// matching.
func isBarrier(l tailer.Line) bool {
	if l.File != barrierFile {
		return false
	}
	if ch, ok := barriers.LoadAndDelete(l.Cursor); ok {
		close(ch.(chan struct{}))
	}
	return true
}
