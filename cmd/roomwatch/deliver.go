package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
)

// outboxRoot is where the outboxes live: state_dir/outbox, or "" (memory
// only) without a state_dir.
func outboxRoot(cfg *rules.Loaded) string {
	if cfg.StateDir == "" {
		return ""
	}
	return filepath.Join(cfg.StateDir, "outbox")
}

// senderDestinations gives the dispatcher every destination with its
// limits: the notifier's own (or its type's), overridden by rate_limit.
func senderDestinations(cfg *rules.Loaded, dests map[string]*destination) map[string]sender.Destination {
	out := make(map[string]sender.Destination, len(dests))
	for name, d := range dests {
		// Limits are set here, because a tracked notifier hides its own.
		l := defaultLimits(d)
		sd := sender.Destination{Notifier: d.notifier, Type: d.typ, Limits: &l}
		if rd := cfg.Destinations[name]; rd != nil {
			sd.MaxBytes = rd.OutboxMaxBytes
			if rd.RateLimit != nil {
				setRate(&l.PerRoom, rd.RateLimit.PerRoom)
				setRate(&l.PerDestination, rd.RateLimit.PerDestination)
			}
		}
		out[name] = sd
	}
	return out
}

func defaultLimits(d *destination) sender.Limits {
	if t, ok := d.notifier.(*tracked); ok {
		if l, ok := t.limits(); ok {
			return l
		}
		return sender.DefaultLimits[d.typ]
	}
	if t, ok := d.notifier.(sender.Throttled); ok {
		return t.RateLimits()
	}
	return sender.DefaultLimits[d.typ]
}

// setRate overrides *r with a configured rate; the config was validated.
func setRate(r *sender.Rate, v config.Rate) {
	if v == "" {
		return
	}
	n, per, _ := v.Parse()
	*r = sender.Rate{Events: n, Per: per}
}

// newDispatcher builds the dispatcher of cfg's destinations; rule looks a
// rule up by name, to re-render merged digests.
func newDispatcher(cfg *rules.Loaded, dests map[string]*destination, log *slog.Logger, rule func(string) *rules.Rule) (*sender.Dispatcher, error) {
	return sender.NewDispatcher(sender.Options{
		Destinations: senderDestinations(cfg, dests),
		Dir:          outboxRoot(cfg),
		Logger:       log,
		Rule:         rule,
	})
}

// describeUndelivered says what a digest is and where it is kept.
func describeUndelivered(u sender.Undelivered) string {
	s := fmt.Sprintf("%s (%s)", u.Key, plural(u.Count, "line"))
	if u.Err != nil {
		s += ": " + u.Err.Error()
	}
	switch {
	case u.Path == "":
		s += "; not kept (no state_dir)"
	case u.Dead:
		s += "; dead letter kept in " + u.Path
	default:
		s += "; kept in " + u.Path + " for the next start"
	}
	return s
}

// deliverOnce delivers one digest, retrying until timeout, and returns it
// if it could not be delivered.
func deliverOnce(d *destination, dg *batch.Digest, timeout time.Duration, stderr io.Writer) []sender.Undelivered {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	disp, err := sender.NewDispatcher(sender.Options{
		Destinations: map[string]sender.Destination{d.name: {Notifier: d.notifier, Type: d.typ}},
		Logger:       log,
	})
	if err != nil {
		return []sender.Undelivered{{Destination: d.name, Key: dg.Key, Count: dg.Count, Err: err}}
	}
	if err := disp.Submit(dg); err != nil {
		return []sender.Undelivered{{Destination: d.name, Key: dg.Key, Count: dg.Count, Err: err}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	// The dispatcher delivers until the digest is through or the timeout.
	go func() { _ = disp.Run(ctx); close(done) }()
	dctx, dcancel := context.WithTimeout(ctx, timeout)
	_ = disp.Drain(dctx)
	dcancel()
	cancel()
	<-done
	return disp.Undelivered()
}
