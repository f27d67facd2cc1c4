// Package service is what only the daemon, `roomwatch run`, does around
// the pipeline: it follows the configured inputs and hands them over to a
// new tailer when a reload changes them, reloads the config on SIGHUP or
// when its files change, tells systemd its state and feeds the watchdog,
// serves /metrics and /healthz, and counts every destination's deliveries.
package service

import (
	"context"
	"errors"
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

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// Options are what the daemon runs with.
type Options struct {
	// Config is the loaded config; Path the file it came from, read again
	// on reload with Rules.
	Config *rules.Loaded
	Path   string
	Rules  rules.Options
	// Outputs are where console destinations write; Stdin is the input "-".
	Outputs pipeline.Outputs
	Stdin   io.Reader
	Logger  *slog.Logger
	// Build is what roomwatch_build_info tells.
	Build Build
	// Files are the file tailer's options less those the config sets
	// (Inputs, StateDir, Logger): its clock, intervals and Waker. The zero
	// value takes the tailer's defaults.
	Files tailer.TailerOptions
}

// Build names the running program's build.
type Build struct {
	Version, Commit, GoVersion string
}

// Service is `roomwatch run`: the configured inputs through the pipeline's
// engine until a signal, then a clean stop; with reloads, systemd
// notification, metrics and health on the side.
type Service struct {
	opts  Options
	log   *slog.Logger
	now   func() time.Time
	sd    *sdNotifier
	en    *pipeline.Engine
	dests map[string]*pipeline.Destination
	stdin *tailer.Stdin // nil without a "-" input

	cfg    atomic.Pointer[rules.Loaded] // the running config
	stats  map[string]*countingNotifier // by destination name; the set is fixed at start
	lines  atomic.Pointer[chan []tailer.Line]
	files  atomic.Pointer[tailer.Tailer] // the running file tailer, nil without one
	inputs chan []tailer.Input           // file inputs for runFiles after a reload; capacity 1

	reloads  reloadStats
	activity activity       // when files last gave lines and rules last matched
	recent   recentMessages // the last messages sent
	host     string         // this machine's name, for the status page
	started  time.Time      // when New ran
	kick     chan struct{}  // the config watch asks for a reload; capacity 1
	rewatch  chan struct{}  // a reload asks the config watch to look again; capacity 1

	ln  net.Listener // nil without `listen`
	srv *http.Server

	mu    sync.Mutex  // protects owned
	owned []io.Closer // closers of notifiers built by reloads
}

// New prepares the daemon: it opens the inputs, builds the destinations
// and binds the `listen` address, so that a taken port stops the start.
// Close releases what it holds.
func New(opts Options) (*Service, error) {
	cfg, log := opts.Config, opts.Logger
	s := &Service{opts: opts, log: log, now: time.Now, sd: newSdNotifier(log), host: rules.Hostname(), started: time.Now(),
		stats: map[string]*countingNotifier{}, inputs: make(chan []tailer.Input, 1),
		kick: make(chan struct{}, 1), rewatch: make(chan struct{}, 1)}
	var inputs []tailer.Input
	for _, in := range cfg.Inputs {
		if in.Path == "-" {
			s.stdin = tailer.NewStdin(opts.Stdin, tailer.StdinOptions{MaxLineBytes: in.MaxLineBytes, Logger: log, Multiline: multiline(in)})
			continue
		}
		inputs = append(inputs, tailerInput(in))
	}
	if len(inputs) == 0 && s.stdin == nil {
		return nil, errors.New("no inputs configured")
	}
	if len(inputs) > 0 {
		t, err := tailer.New(s.tailerOptions(inputs, cfg.StateDir))
		if err != nil {
			return nil, err
		}
		s.files.Store(t)
	}
	dests, err := pipeline.BuildDestinations(cfg, opts.Outputs)
	if err != nil {
		return nil, err
	}
	s.dests = dests
	for name, d := range dests {
		s.stats[name] = countDeliveries(d, name, &s.recent)
	}
	if s.en, err = pipeline.New(cfg, dests, log); err != nil {
		pipeline.CloseDestinations(dests)
		return nil, err
	}
	s.en.SaveSoonOf(s.files.Load())
	s.cfg.Store(cfg)
	s.reloads.done(true, s.now())
	if cfg.Listen != "" {
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			pipeline.CloseDestinations(dests)
			return nil, fmt.Errorf("listen: %w", err)
		}
		s.ln = ln
		s.srv = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	}
	return s, nil
}

// tailerOptions are the file tailer's options for inputs.
func (s *Service) tailerOptions(inputs []tailer.Input, stateDir string) tailer.TailerOptions {
	o := s.opts.Files
	o.Inputs, o.StateDir, o.Logger = inputs, stateDir, s.log
	return o
}

func tailerInput(in *config.Input) tailer.Input {
	if in.Journal != nil {
		ti := tailer.Input{Journal: rules.TailerJournal(in.Journal), MaxLineBytes: in.MaxLineBytes}
		if in.Journal.Start == "beginning" {
			ti.Start = tailer.StartAtBeginning
		}
		return ti
	}
	ti := tailer.Input{Path: in.Path, Exclude: in.Exclude, MaxLineBytes: in.MaxLineBytes, Multiline: multiline(in)}
	if in.Start == "beginning" {
		ti.Start = tailer.StartAtBeginning
	}
	return ti
}

func multiline(in *config.Input) *tailer.Multiline {
	if in.Multiline == nil || !in.Multiline.Start.IsSet() {
		return nil
	}
	return &tailer.Multiline{Start: in.Multiline.Start.Regexp, Timeout: in.Multiline.Timeout.D()}
}

// Run reads until SIGINT or SIGTERM (or until every source has ended, or
// ctx ends), then stops in order: sources, the lines already read, open
// digests, delivery (at most shutdown_timeout), and last the read
// positions.
func (s *Service) Run(ctx context.Context) error {
	s.en.Start(ctx)
	var g oklog.Group
	g.Add(oklog.SignalHandler(ctx, os.Interrupt, syscall.SIGTERM))
	s.addActors(ctx, &g)
	sctx, stopSources := context.WithCancel(ctx)
	g.Add(func() error { return s.pipeline(sctx) }, func(error) { stopSources() })
	cfg := s.cfg.Load()
	s.log.Info("started", "inputs", len(cfg.Inputs), "rules", len(cfg.Set.Rules()), "destinations", len(s.dests))
	err := g.Run()
	s.sd.notify("STOPPING=1", "STATUS=stopping: "+s.status())
	// A pointer target: SignalError.As reports a match without filling in
	// a value target.
	var sig *oklog.SignalError
	if errors.As(err, &sig) {
		s.log.Info("stopping", "signal", fmt.Sprint(sig.Signal))
		err = nil
	}
	left, sent := s.en.Finish(pipeline.ShutdownTimeout(s.opts.Config))
	if files := s.files.Load(); files != nil {
		if serr := files.SavePositions(); serr != nil {
			err = errors.Join(err, fmt.Errorf("saving read positions: %w", serr))
		}
	}
	for _, u := range left {
		s.log.Warn("not delivered", "digest", pipeline.DescribeUndelivered(u))
	}
	s.log.Info("stopped", "delivered", sent, "not_delivered", len(left))
	return err
}

// pipeline runs the sources into the engine until they have all ended
// and every line they read is handled.
func (s *Service) pipeline(ctx context.Context) error {
	lines := make(chan []tailer.Line, pipeline.LineBatches)
	s.lines.Store(&lines)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	if files := s.files.Load(); files != nil {
		wg.Add(1)
		// The file tailer runs until ctx ends; wg joins it before lines closes.
		go func() { defer wg.Done(); errs <- s.runFiles(ctx, files, lines) }()
	}
	if s.stdin != nil {
		wg.Add(1)
		// Standard input runs to its end or until ctx ends.
		go func() { defer wg.Done(); errs <- s.stdin.Run(ctx, lines) }()
	}
	// The closer ends lines once no source can write to it.
	go func() { wg.Wait(); close(lines); close(errs) }()
	s.en.Consume(context.Background(), lines)
	var err error
	for e := range errs {
		if e != nil && !errors.Is(e, context.Canceled) {
			err = errors.Join(err, e)
		}
	}
	return err
}

// addActors adds the service's actors to g: the HTTP listener, the
// supervisor (READY, STATUS, WATCHDOG), the SIGHUP reloader and the
// config file watch. Each stops when g is interrupted.
func (s *Service) addActors(ctx context.Context, g *oklog.Group) {
	if s.srv != nil {
		g.Add(func() error {
			s.log.Info("serving metrics", "listen", s.ln.Addr().String())
			if err := s.srv.Serve(s.ln); err != http.ErrServerClosed {
				return fmt.Errorf("listen: %w", err)
			}
			return nil
		}, func(error) {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			_ = s.srv.Shutdown(sctx)
		})
	}
	if s.srv != nil {
		s.actor(ctx, g, s.watchActivity)
	}
	s.actor(ctx, g, s.supervise)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	s.actor(ctx, g, func(ctx context.Context) error {
		defer signal.Stop(hup)
		return s.reloader(ctx, hup)
	})
	s.actor(ctx, g, s.watchConfig)
}

// actor adds run to g with a context that the interrupt cancels.
func (s *Service) actor(ctx context.Context, g *oklog.Group, run func(context.Context) error) {
	actx, cancel := context.WithCancel(ctx)
	g.Add(func() error { return run(actx) }, func(error) { cancel() })
}

// Close closes the destinations' notifiers, those that reloads built too.
func (s *Service) Close() {
	pipeline.CloseDestinations(s.dests)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.owned {
		pipeline.CloseQuietly(c)
	}
	s.owned = nil
}

// status is the one-line summary systemd shows.
func (s *Service) status() string {
	var sent, failed uint64
	depth := 0
	for _, st := range s.deliveryStats() {
		sent += st.Sent
		failed += st.Failed
		depth += st.OutboxDepth
	}
	st := fmt.Sprintf("lines read %d, matched %d, digests sent %d, failed %d, outbox %d",
		s.en.Lines(), s.en.Matched(), sent, failed, depth)
	if nf := s.notFollowed(); nf != "" {
		st += "; " + nf
	}
	return st
}

// deliveryStats returns the stats of every destination: the attempts
// counted by the counting notifiers, with what the dispatcher knows of its
// outbox and merges when it reports them.
func (s *Service) deliveryStats() map[string]destStats {
	out := make(map[string]destStats, len(s.stats))
	for name, t := range s.stats {
		out[name] = t.stats()
	}
	if s.en == nil {
		return out
	}
	now := s.now()
	for name, st := range s.en.DeliveryStats() {
		cur := out[name]
		cur.Merged, cur.OutboxDepth = st.Merged+st.Summarized, st.Depth
		if st.Depth > 0 {
			cur.OutboxOldest = now.Add(-st.OldestAge)
		}
		cur.OutboxOverCap = st.OverCap
		out[name] = cur
	}
	return out
}
