package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/roomwatch/roomwatch/tailer"
)

// group is the process group exec runs its command in: signals and the
// timeout reach the command and everything it started.
type group struct {
	pid      int // the command's, which leads the group
	timedOut atomic.Bool
}

// supervise passes the signals that arrive on sigs on to the group and,
// with a timeout, stops the group when it runs out: SIGTERM, then SIGKILL
// killAfter later. The returned stop ends the supervision; call it once
// the command exited.
func (g *group) supervise(sigs <-chan os.Signal, timeout time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var expired <-chan time.Time
	t := time.NewTimer(timeout)
	if timeout > 0 {
		expired = t.C
	}
	wg.Add(1)
	// The supervisor owns the group's signals until stop.
	go func() {
		defer wg.Done()
		var kill <-chan time.Time
		for {
			select {
			case s := <-sigs:
				if sig, ok := s.(syscall.Signal); ok {
					g.signal(sig)
				}
			case <-expired:
				g.timedOut.Store(true)
				g.signal(syscall.SIGTERM)
				kill = time.After(killAfter)
			case <-kill:
				g.signal(syscall.SIGKILL)
			case <-done:
				return
			}
		}
	}()
	return func() { t.Stop(); close(done); wg.Wait() }
}

// outputPipes are the command's stdout and stderr: pipes of our own, not
// exec.Cmd's, so that reading them is bounded by us and not by the last
// descendant that keeps them open.
type outputPipes struct {
	r [2]*os.File // read ends: stdout, stderr
	w [2]*os.File // write ends, the command's; closed once it started
}

func newOutputPipes(cmd *exec.Cmd) (*outputPipes, error) {
	p := &outputPipes{}
	for i := range p.r {
		r, w, err := os.Pipe()
		if err != nil {
			p.close()
			return nil, err
		}
		p.r[i], p.w[i] = r, w
	}
	cmd.Stdout, cmd.Stderr = p.w[0], p.w[1]
	return p, nil
}

// started closes our copies of the write ends: the read ends then see
// EOF when the command and its descendants are done with them.
func (p *outputPipes) started() {
	for i, w := range p.w {
		if w != nil {
			_ = w.Close()
			p.w[i] = nil
		}
	}
}

// read passes each stream through to its own output while sending its
// lines to lines; the returned channel closes once both streams ended.
func (p *outputPipes) read(e *env, lines chan<- []tailer.Line) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i, name := range []string{"stdout", "stderr"} {
		w := e.stdout
		if i == 1 {
			w = e.stderr
		}
		src := tailer.NewStdin(io.TeeReader(p.r[i], &passThrough{w: w}), tailer.StdinOptions{Name: name})
		// Each reader owns one of the command's streams until its end or
		// stopReading.
		wg.Go(func() { _ = src.Run(context.Background(), lines) })
	}
	// The closer says when both readers are done.
	go func() { wg.Wait(); close(done) }()
	return done
}

// stopReading makes the blocked reads of the streams return now.
func (p *outputPipes) stopReading() {
	for _, r := range p.r {
		if r != nil {
			_ = r.SetReadDeadline(time.Now())
		}
	}
}

func (p *outputPipes) close() {
	p.started()
	for i, r := range p.r {
		if r != nil {
			_ = r.Close()
			p.r[i] = nil
		}
	}
}
