package pipeline

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

// OutboxRoot is where the outboxes live: state_dir/outbox, or "" (memory
// only) without a state_dir.
func OutboxRoot(cfg *rules.Loaded) string {
	if cfg.StateDir == "" {
		return ""
	}
	return filepath.Join(cfg.StateDir, "outbox")
}

// senderDestinations gives the dispatcher every destination with its
// limits: the notifier's own (or its type's), overridden by rate_limit.
func senderDestinations(cfg *rules.Loaded, dests map[string]*Destination) map[string]sender.Destination {
	out := make(map[string]sender.Destination, len(dests))
	for name, d := range dests {
		// Limits are set here, because a wrapping notifier hides its own.
		l := defaultLimits(d)
		sd := sender.Destination{Notifier: d.Notifier, Type: d.Type, Limits: &l}
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

// Wrapper is a notifier that delivers through another one, such as one
// that counts attempts: the wrapped notifier's own rate limits hold.
type Wrapper interface {
	Unwrap() sender.Notifier
}

// defaultLimits returns the notifier's own rate limits, looking through
// wrappers, or else its type's.
func defaultLimits(d *Destination) sender.Limits {
	n := d.Notifier
	if w, ok := n.(Wrapper); ok {
		n = w.Unwrap()
	}
	if t, ok := n.(sender.Throttled); ok {
		return t.RateLimits()
	}
	return sender.DefaultLimits[d.Type]
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
func newDispatcher(cfg *rules.Loaded, dests map[string]*Destination, log *slog.Logger, rule func(string) *rules.Rule) (*sender.Dispatcher, error) {
	return sender.NewDispatcher(sender.Options{
		Destinations: senderDestinations(cfg, dests),
		Dir:          OutboxRoot(cfg),
		Logger:       log,
		Rule:         rule,
	})
}

// DescribeUndelivered says what a digest is and where it is kept.
func DescribeUndelivered(u sender.Undelivered) string {
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

// DeliverOnce delivers one digest, retrying until timeout, and returns it
// if it could not be delivered.
func DeliverOnce(d *Destination, dg *batch.Digest, timeout time.Duration, stderr io.Writer) []sender.Undelivered {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	disp, err := sender.NewDispatcher(sender.Options{
		Destinations: map[string]sender.Destination{d.Name: {Notifier: d.Notifier, Type: d.Type}},
		Logger:       log,
	})
	if err != nil {
		return []sender.Undelivered{{Destination: d.Name, Key: dg.Key, Count: dg.Count, Err: err}}
	}
	if err := disp.Submit(dg); err != nil {
		return []sender.Undelivered{{Destination: d.Name, Key: dg.Key, Count: dg.Count, Err: err}}
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

// plural formats a count of word: "1 line", "3 lines".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
