package main

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// dispatcher hands digests to their destinations, one worker and queue
// per destination so that a slow or failing one never delays the others.
// Retryable failures are retried with exponential backoff and jitter,
// honouring the time a server names, until the delivery context ends.
type dispatcher struct {
	log    *slog.Logger
	dests  map[string]*destination
	queues map[string]chan *batch.Digest
	now    func() time.Time

	mu     sync.Mutex // protects failed and sent
	failed []failure
	sent   int

	wg sync.WaitGroup // the workers
}

// failure is a digest that could not be delivered.
type failure struct {
	digest *batch.Digest
	err    error
}

func newDispatcher(dests map[string]*destination, log *slog.Logger) *dispatcher {
	d := &dispatcher{log: log, dests: dests, queues: map[string]chan *batch.Digest{}, now: time.Now}
	for name := range dests {
		d.queues[name] = make(chan *batch.Digest, 64)
	}
	return d
}

// start runs one worker per destination until its queue is closed by
// close. Delivery attempts stop when ctx ends.
func (d *dispatcher) start(ctx context.Context) {
	for name, q := range d.queues {
		dest := d.dests[name]
		d.wg.Add(1)
		// The worker owns deliveries to one destination; wait joins it.
		go func() {
			defer d.wg.Done()
			for dg := range q {
				d.deliver(ctx, dest, dg)
			}
		}()
	}
}

// send queues a digest; it blocks while the destination's queue is full,
// which holds back the reader rather than growing memory.
func (d *dispatcher) send(dg *batch.Digest) {
	q, ok := d.queues[dg.Key.Destination]
	if !ok {
		d.record(dg, errUnknownDestination(dg.Key.Destination))
		return
	}
	q <- dg
}

// close ends the queues; workers finish what is queued and stop.
func (d *dispatcher) close() {
	for _, q := range d.queues {
		close(q)
	}
}

// wait waits for the workers to finish, and returns the digests that could
// not be delivered and how many were.
func (d *dispatcher) wait() ([]failure, int) {
	d.wg.Wait()
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed, d.sent
}

func (d *dispatcher) deliver(ctx context.Context, dest *destination, dg *batch.Digest) {
	log := d.log.With("destination", dest.name, "room", dg.Room, "rule", dg.Rule)
	backoff := 500 * time.Millisecond
	lastErr := ""
	for attempt := 1; ; attempt++ {
		err := dest.notifier.Notify(ctx, dg)
		if err == nil {
			dg.Release()
			d.mu.Lock()
			d.sent++
			d.mu.Unlock()
			if attempt > 1 {
				log.Info("delivered after retries", "attempts", attempt)
			}
			return
		}
		if msg := err.Error(); msg != lastErr {
			log.Warn("delivery failed", "err", err, "kind", sender.KindOf(err).String(), "attempt", attempt)
			lastErr = msg
		}
		if sender.KindOf(err) == sender.Permanent {
			d.record(dg, err)
			return
		}
		delay := backoff/2 + rand.N(backoff)
		if at := sender.RetryAt(err); !at.IsZero() {
			if until := at.Sub(d.now()); until > delay {
				delay = until
			}
		}
		backoff = min(backoff*2, time.Minute)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			d.record(dg, err)
			return
		case <-t.C:
		}
	}
}

// record notes a digest that could not be delivered. It does not release
// the digest: the read positions stay before its lines, so that the daemon
// reads them again after a restart rather than losing them.
func (d *dispatcher) record(dg *batch.Digest, err error) {
	d.mu.Lock()
	d.failed = append(d.failed, failure{digest: dg, err: err})
	d.mu.Unlock()
}

type errUnknownDestination string

func (e errUnknownDestination) Error() string { return "no destination named " + string(e) }
