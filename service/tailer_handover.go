package service

import (
	"context"
	"time"

	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/tailer"
)

// runFiles runs the file tailer t into lines until ctx ends. When a
// reload changes the file inputs, it hands over to a new tailer without
// losing or repeating a line (see handover).
func (s *Service) runFiles(ctx context.Context, t *tailer.Tailer, lines chan []tailer.Line) error {
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
		case ins := <-s.inputs:
			cancel()
			if err := <-done; err != nil {
				return err
			}
			t = s.handover(ctx, t, ins)
		}
	}
}

// handover replaces the stopped tailer old by one following ins. So that
// the new tailer resumes every file exactly where the old one stopped, the
// old one's positions are saved only once every line it read is handled
// (a barrier through the engine) and no open digest holds one of them: open
// digests are flushed and delivery given up to shutdown_timeout to make
// them safe. Past that, positions are saved where a crash would resume,
// and a line may be alerted twice, never lost.
func (s *Service) handover(ctx context.Context, old *tailer.Tailer, ins []tailer.Input) *tailer.Tailer {
	if !s.en.Barrier(ctx) {
		return old
	}
	s.en.Flush()
	s.settle(ctx, old, pipeline.ShutdownTimeout(s.cfg.Load()))
	if err := old.SavePositions(); err != nil {
		s.log.Error("saving read positions before the new inputs", "err", err)
	}
	t, err := tailer.New(s.tailerOptions(ins, s.cfg.Load().StateDir))
	if err != nil {
		// The loader checked the inputs, so this is unexpected: follow
		// nothing rather than stop the daemon.
		s.log.Error("new inputs not started", "err", err)
		return old
	}
	s.files.Store(t) // read by Run once the pipeline has ended
	s.en.SaveSoonOf(t)
	s.log.Info("inputs changed", "inputs", len(ins))
	return t
}

// settle waits until no line of t is held by a digest, at most timeout.
func (s *Service) settle(ctx context.Context, t *tailer.Tailer, timeout time.Duration) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !t.Settled() {
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			s.log.Warn("digests still undelivered when the inputs changed; their lines may be alerted again", "timeout", timeout)
			return
		case <-tick.C:
		}
	}
}
