package service

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"
)

// sdNotifier tells systemd the daemon's state through $NOTIFY_SOCKET. Without
// the variable (not started by systemd as Type=notify) it does nothing.
type sdNotifier struct {
	log    *slog.Logger
	send   func(state string) (bool, error) // daemon.SdNotify without unsetting the variable
	failed atomic.Bool                      // a send failed and was logged
}

func newSdNotifier(log *slog.Logger) *sdNotifier {
	return &sdNotifier{log: log, send: func(s string) (bool, error) { return sd.SdNotify(false, s) }}
}

// notify sends states (each "KEY=value") in one message. A failure is
// logged once: systemd going away must not flood the log.
func (n *sdNotifier) notify(states ...string) {
	for i, s := range states {
		// A value never spans lines: a newline would start a forged state.
		states[i] = strings.ReplaceAll(s, "\n", " ")
	}
	if _, err := n.send(strings.Join(states, "\n")); err != nil && !n.failed.Swap(true) {
		n.log.Warn("cannot notify systemd", "err", err)
	}
}

// watchdogInterval returns how often systemd wants WATCHDOG=1, 0 when the
// watchdog is off.
func watchdogInterval() time.Duration {
	d, err := sd.SdWatchdogEnabled(false)
	if err != nil {
		return 0
	}
	return d
}

// statusEvery is how often STATUS= is refreshed without a watchdog.
const statusEvery = 10 * time.Second

// supervise waits until the inputs are open, tells systemd READY=1, then
// refreshes STATUS= and feeds the watchdog until ctx ends. The watchdog is
// fed only while the engine makes progress or has nothing to do, so that a
// stuck main loop gets the service restarted.
func (s *Service) supervise(ctx context.Context) error {
	if f := s.files.Load(); f != nil {
		select {
		case <-f.Ready():
		case <-ctx.Done():
			return nil
		}
	}
	s.sd.notify("READY=1", "STATUS="+s.status())
	s.log.Info("ready")
	wd := watchdogInterval()
	every := statusEvery
	if wd > 0 {
		every = wd / 2
	}
	t := time.NewTicker(every)
	defer t.Stop()
	hb := heartbeat{count: s.en.Lines, queued: s.queued}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			states := []string{"STATUS=" + s.status()}
			if hb.alive() && wd > 0 {
				states = append(states, "WATCHDOG=1")
			}
			s.sd.notify(states...)
		}
	}
}

// queued returns how many batches of lines wait for the engine.
func (s *Service) queued() int {
	if p := s.lines.Load(); p != nil {
		return len(*p)
	}
	return 0
}

// heartbeat tells whether the engine is alive: it handled a line since the
// last look, or no line is waiting for it.
type heartbeat struct {
	count  func() int64
	queued func() int
	last   int64
	seen   bool
}

func (h *heartbeat) alive() bool {
	n := h.count()
	progress := !h.seen || n != h.last
	h.last, h.seen = n, true
	return progress || h.queued() == 0
}
