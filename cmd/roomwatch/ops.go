package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	oklog "github.com/oklog/run"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// ops is how `roomwatch run` behaves as a service: it tells systemd its
// state and feeds the watchdog, reloads the config on SIGHUP or when the
// file changes, and serves /metrics and /healthz. Its methods do nothing
// on a nil *ops, so the daemon runs the same without it.
type ops struct {
	d    *daemon
	e    *env
	log  *slog.Logger
	path string // the config file
	now  func() time.Time
	sd   *sdNotifier

	cfg    atomic.Pointer[rules.Config] // the running config
	dests  map[string]*tracked          // by destination name; the set is fixed at start
	lines  atomic.Pointer[chan []tailer.Line]
	files  atomic.Pointer[tailer.Tailer] // the running file tailer, nil without one
	inputs chan []tailer.Input           // file inputs for runFiles after a reload; capacity 1

	reloads reloadStats
	kick    chan struct{} // the config watch asks for a reload; capacity 1
	rewatch chan struct{} // a reload asks the config watch to look again; capacity 1

	ln  net.Listener // nil without `listen`
	srv *http.Server

	mu    sync.Mutex  // protects owned
	owned []io.Closer // closers of notifiers built by reloads
}

// newOps prepares the service side of d, whose config came from path. It
// binds the `listen` address now, so that a taken port stops the start.
func newOps(d *daemon, path string) (*ops, error) {
	o := &ops{d: d, e: d.e, log: d.log, path: path, now: time.Now, sd: newSdNotifier(d.log),
		dests: map[string]*tracked{}, inputs: make(chan []tailer.Input, 1),
		kick: make(chan struct{}, 1), rewatch: make(chan struct{}, 1)}
	o.cfg.Store(d.cfg)
	o.files.Store(d.files)
	for name, dest := range d.dests {
		if t, ok := dest.notifier.(*tracked); ok {
			o.dests[name] = t
		}
	}
	o.reloads.done(true, o.now())
	if d.cfg.Listen != "" {
		ln, err := net.Listen("tcp", d.cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
		o.ln = ln
		o.srv = &http.Server{Handler: o.handler(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(o.log.Handler(), slog.LevelWarn)}
	}
	return o, nil
}

// addActors adds the service's actors to g: the HTTP listener, the
// supervisor (READY, STATUS, WATCHDOG), the SIGHUP reloader and the
// config file watch. Each stops when g is interrupted.
func (o *ops) addActors(ctx context.Context, g *oklog.Group) {
	if o == nil {
		return
	}
	if o.srv != nil {
		g.Add(func() error {
			o.log.Info("serving metrics", "listen", o.ln.Addr().String())
			if err := o.srv.Serve(o.ln); err != http.ErrServerClosed {
				return fmt.Errorf("listen: %w", err)
			}
			return nil
		}, func(error) {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_ = o.srv.Shutdown(sctx)
		})
	}
	o.actor(ctx, g, o.supervise)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	o.actor(ctx, g, func(ctx context.Context) error {
		defer signal.Stop(hup)
		return o.reloader(ctx, hup)
	})
	o.actor(ctx, g, o.watchConfig)
}

// actor adds run to g with a context that the interrupt cancels.
func (o *ops) actor(ctx context.Context, g *oklog.Group, run func(context.Context) error) {
	actx, cancel := context.WithCancel(ctx)
	g.Add(func() error { return run(actx) }, func(error) { cancel() })
}

// attach tells ops the channel that carries every line to the engine: the
// watchdog looks at it, and a reload passes barriers through it.
func (o *ops) attach(lines chan []tailer.Line) {
	if o != nil {
		o.lines.Store(&lines)
	}
}

// stopping tells systemd that the daemon is stopping.
func (o *ops) stopping() {
	if o != nil {
		o.sd.notify("STOPPING=1", "STATUS=stopping: "+o.status())
	}
}

// close closes the notifiers that reloads built.
func (o *ops) close() {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, c := range o.owned {
		closeQuietly(c)
	}
	o.owned = nil
}

// status is the one-line summary systemd shows.
func (o *ops) status() string {
	var sent, failed uint64
	depth := 0
	for _, s := range o.deliveryStats() {
		sent += s.Sent
		failed += s.Failed
		depth += s.OutboxDepth
	}
	st := fmt.Sprintf("lines read %d, matched %d, digests sent %d, failed %d, outbox %d",
		o.d.en.lines.Load(), o.d.en.matched.Load(), sent, failed, depth)
	if nf := o.notFollowed(); nf != "" {
		st += "; " + nf
	}
	return st
}

// deliveryStats returns the stats of every destination: the attempts
// counted by the tracked notifiers, with what the dispatcher knows of its
// outbox and merges when it reports them.
func (o *ops) deliveryStats() map[string]destStats {
	out := make(map[string]destStats, len(o.dests))
	for name, t := range o.dests {
		out[name] = t.stats()
	}
	if o.d.en == nil || o.d.en.disp == nil {
		return out
	}
	now := o.now()
	for name, s := range o.d.en.disp.Stats() {
		cur := out[name]
		cur.Merged, cur.OutboxDepth = s.Merged+s.Summarized, s.Depth
		if s.Depth > 0 {
			cur.OutboxOldest = now.Add(-s.OldestAge)
		}
		cur.OutboxOverCap = s.OverCap
		out[name] = cur
	}
	return out
}
