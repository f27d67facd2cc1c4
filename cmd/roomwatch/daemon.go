package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"

	oklog "github.com/oklog/run"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

func cmdRun(args []string, e *env) int {
	fs := newFlags("run", "[-c FILE]", e)
	config := fs.String("c", rules.DefaultPath, "config `file`")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	cfg, err := loadConfig(*config, e)
	if err != nil {
		printConfigError(e, err)
		return exitUsage
	}
	log := newLogger(e, cfg)
	for _, w := range append(cfg.Warnings, cfg.BlindSpots()...) {
		log.Warn("config", "problem", w.Error())
	}
	d, err := newDaemon(cfg, e, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFailed
	}
	defer closeDestinations(d.dests)
	if d.ops, err = newOps(d, *config); err != nil {
		log.Error("cannot start", "err", err)
		return exitFailed
	}
	defer d.ops.close()
	if err := d.run(context.Background()); err != nil {
		log.Error("stopped", "err", err)
		return exitFailed
	}
	return exitOK
}

// daemon is `roomwatch run`: the configured inputs through the engine
// until a signal, then a clean stop.
type daemon struct {
	cfg   *rules.Config
	e     *env
	log   *slog.Logger
	dests map[string]*destination
	en    *engine
	files *tailer.Tailer // nil without file inputs
	stdin *tailer.Stdin  // nil without a "-" input
	ops   *ops           // systemd, reload, metrics; nil when not run as a service
}

func newDaemon(cfg *rules.Config, e *env, log *slog.Logger) (*daemon, error) {
	d := &daemon{cfg: cfg, e: e, log: log}
	var inputs []tailer.Input
	for _, in := range cfg.Inputs {
		if in.Path == "-" {
			d.stdin = tailer.NewStdin(e.stdin, tailer.Options{MaxLineBytes: in.MaxLineBytes, Logger: log, Multiline: multiline(in)})
			continue
		}
		inputs = append(inputs, tailerInput(in))
	}
	if len(inputs) == 0 && d.stdin == nil {
		return nil, errors.New("no inputs configured")
	}
	if len(inputs) > 0 {
		t, err := tailer.New(tailer.TailerOptions{Inputs: inputs, StateDir: cfg.StateDir, Logger: log})
		if err != nil {
			return nil, err
		}
		d.files = t
	}
	dests, err := buildDestinations(cfg, e)
	if err != nil {
		return nil, err
	}
	trackDestinations(dests)
	d.dests = dests
	if d.en, err = newEngine(cfg, dests, log); err != nil {
		closeDestinations(dests)
		return nil, err
	}
	return d, nil
}

func tailerInput(in *rules.Input) tailer.Input {
	if in.Journal != nil {
		ti := tailer.Input{Journal: in.Journal.TailerJournal(), MaxLineBytes: in.MaxLineBytes}
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

func multiline(in *rules.Input) *tailer.Multiline {
	if in.Multiline == nil || !in.Multiline.Start.IsSet() {
		return nil
	}
	return &tailer.Multiline{Start: in.Multiline.Start.Regexp, Timeout: in.Multiline.Timeout.D()}
}

// run reads until SIGINT or SIGTERM (or until every source has ended),
// then stops in order: sources, the lines already read, open digests,
// delivery (at most shutdown_timeout), and last the read positions.
func (d *daemon) run(ctx context.Context) error {
	d.en.start(ctx)
	var g oklog.Group
	g.Add(oklog.SignalHandler(ctx, os.Interrupt, syscall.SIGTERM))
	d.ops.addActors(ctx, &g)
	sctx, stopSources := context.WithCancel(ctx)
	g.Add(func() error { return d.pipeline(sctx) }, func(error) { stopSources() })
	d.log.Info("started", "inputs", len(d.cfg.Inputs), "rules", len(d.cfg.Set.Rules()), "destinations", len(d.dests))
	err := g.Run()
	d.ops.stopping()
	// A pointer target: SignalError.As reports a match without filling in
	// a value target.
	var sig *oklog.SignalError
	if errors.As(err, &sig) {
		d.log.Info("stopping", "signal", fmt.Sprint(sig.Signal))
		err = nil
	}
	left, sent := d.en.finish(shutdownTimeout(d.cfg))
	if d.files != nil {
		if serr := d.files.SavePositions(); serr != nil {
			err = errors.Join(err, fmt.Errorf("saving read positions: %w", serr))
		}
	}
	for _, u := range left {
		d.log.Warn("not delivered", "digest", describeUndelivered(u))
	}
	d.log.Info("stopped", "delivered", sent, "not_delivered", len(left))
	return err
}

// pipeline runs the sources into the engine until they have all ended
// and every line they read is handled.
func (d *daemon) pipeline(ctx context.Context) error {
	lines := make(chan []tailer.Line, lineBatches)
	d.ops.attach(lines)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	if d.files != nil {
		wg.Add(1)
		// The file tailer runs until ctx ends; wg joins it before lines closes.
		go func() { defer wg.Done(); errs <- d.ops.runFiles(ctx, d.files, lines) }()
	}
	if d.stdin != nil {
		wg.Add(1)
		// Standard input runs to its end or until ctx ends.
		go func() { defer wg.Done(); errs <- d.stdin.Run(ctx, lines) }()
	}
	// The closer ends lines once no source can write to it.
	go func() { wg.Wait(); close(lines); close(errs) }()
	d.en.consume(context.Background(), lines)
	var err error
	for e := range errs {
		if e != nil && !errors.Is(e, context.Canceled) {
			err = errors.Join(err, e)
		}
	}
	return err
}
