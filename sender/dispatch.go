package sender

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
)

// DefaultMaxBytes caps a destination's outbox when Destination.MaxBytes
// is zero.
const DefaultMaxBytes = 64 << 20

// ErrUnknownDestination is returned by Submit for a digest whose key names
// no configured destination.
var ErrUnknownDestination = errors.New("sender: unknown destination")

// Destination is what a Dispatcher needs to know of one destination.
type Destination struct {
	Notifier Notifier
	// Type is the destination type, for DefaultLimits.
	Type string
	// Limits, if not nil, replaces the notifier's own limits (Throttled)
	// and the type's DefaultLimits.
	Limits *Limits
	// MaxBytes caps the outbox; DefaultMaxBytes if zero.
	MaxBytes int64
}

// Options configures a Dispatcher.
type Options struct {
	Destinations map[string]Destination
	// Dir is the outbox root: each destination keeps its digests in
	// DestinationDir(Dir, name), dead letters in its DeadDir. Empty keeps
	// digests in memory only (pipe without state_dir): a digest is then
	// released only once delivered.
	Dir    string
	Logger *slog.Logger
	// Now is the clock; time.Now if nil. Timers run on the runtime clock,
	// so tests use testing/synctest.
	Now func() time.Time
	// Jitter returns a number in [0, 1) that spreads retries;
	// math/rand/v2.Float64 if nil.
	Jitter  func() float64
	Backoff Backoff // DefaultBackoff if zero
	// Rule returns the rule of a digest, to re-render a merged digest
	// through its digest_template and to know its max_lines; nil, or a
	// nil result, renders a plain message.
	Rule func(name string) *rules.Rule
}

// Stats counts what a Dispatcher did for one destination.
type Stats struct {
	Sent    uint64 // digests the server accepted
	Failed  uint64 // delivery attempts that failed
	Retried uint64 // delivery attempts after a failure
	Merged  uint64 // digests merged into a waiting one of the same key
	// Summarized counts digests merged into a summary because the outbox
	// was over its cap, and Dropped the line samples dropped for it.
	Summarized uint64
	Dropped    uint64
	Dead       uint64 // digests refused for good (dead letters)
	Depth      int    // digests in the outbox now
	Bytes      int64  // size of the outbox now
	OverCap    bool   // the outbox is at its size cap: new digests are summarized
	// OldestAge is how long the oldest digest in the outbox has waited.
	OldestAge time.Duration
}

// Undelivered is a digest that was not delivered, and where it is kept.
type Undelivered struct {
	Destination string
	Key         batch.Key
	Count       int   // lines matched
	Err         error // the last failure; nil if never attempted
	Dead        bool  // refused for good, rather than still pending
	// Path is the outbox or dead-letter file; "" when kept in memory only.
	Path string
}

// Dispatcher delivers digests to their destinations through a durable
// outbox: one queue and one worker per destination, so that one
// destination down or slow never delays another. It retries transport
// errors, 5xx and 429 with backoff, keeps to each destination's rate
// limits, merges digests of a key that waits, and keeps what a server
// refuses for good as a dead letter.
type Dispatcher struct {
	log    *slog.Logger
	dir    string
	queues map[string]*queue // by destination name; fixed after New
}

// NewDispatcher returns a Dispatcher and loads what the outbox holds from
// an earlier run, to be delivered first. It starts no goroutines.
func NewDispatcher(opts Options) (*Dispatcher, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	if opts.Backoff == (Backoff{}) {
		opts.Backoff = DefaultBackoff
	}
	d := &Dispatcher{log: opts.Logger, dir: opts.Dir, queues: map[string]*queue{}}
	for _, name := range slices.Sorted(maps.Keys(opts.Destinations)) {
		q, err := newQueue(name, opts.Destinations[name], opts)
		if err != nil {
			return nil, err
		}
		d.queues[name] = q
	}
	return d, nil
}

// Submit hands a digest to its destination's queue. With an outbox it
// first writes the digest there (or merges it into a waiting digest of
// the same key) and fsyncs it, and then calls d.Release, so read
// positions pass its lines only once it is on disk; without one, Release
// waits for the delivery. If the outbox cannot be written, the digest is
// kept in memory, unreleased, and the error returned: it is still
// delivered. Submit is safe for concurrent use.
func (d *Dispatcher) Submit(dg *batch.Digest) error {
	q := d.queues[dg.Key.Destination]
	if q == nil {
		return fmt.Errorf("%w %q", ErrUnknownDestination, dg.Key.Destination)
	}
	return q.submit(dg)
}

// Run delivers until ctx ends, one worker per destination, and returns
// once every worker has stopped. A delivery under way when ctx ends is
// cancelled; its digest stays in the outbox.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, q := range d.queues {
		// Each worker owns the deliveries to one destination.
		wg.Go(func() { q.run(ctx) })
	}
	wg.Wait()
	return nil
}

// Drain waits until every queue is empty (each digest delivered or a
// dead letter) or ctx ends; it returns ctx's error in the second case.
// Run must be running for the queues to empty.
func (d *Dispatcher) Drain(ctx context.Context) error {
	for _, q := range d.queues {
		if err := q.drain(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Stats returns the counters of every destination.
func (d *Dispatcher) Stats() map[string]Stats {
	out := make(map[string]Stats, len(d.queues))
	for name, q := range d.queues {
		out[name] = q.statsNow()
	}
	return out
}

// Undelivered returns the digests still waiting and the dead letters of
// this run, by destination, oldest first.
func (d *Dispatcher) Undelivered() []Undelivered {
	var out []Undelivered
	for _, name := range slices.Sorted(maps.Keys(d.queues)) {
		out = append(out, d.queues[name].undelivered()...)
	}
	return out
}

// Dir returns the outbox folder of a destination, or "" without an outbox.
func (d *Dispatcher) Dir(destination string) string {
	if d.dir == "" {
		return ""
	}
	return DestinationDir(d.dir, destination)
}

// limitsOf returns the limits a destination keeps to.
func limitsOf(dest Destination) Limits {
	if dest.Limits != nil {
		return *dest.Limits
	}
	if t, ok := dest.Notifier.(Throttled); ok {
		return t.RateLimits()
	}
	return DefaultLimits[dest.Type]
}
