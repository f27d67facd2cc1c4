package sender

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// run delivers the queue's digests, oldest ready one first, until ctx
// ends.
func (q *queue) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for ctx.Err() == nil {
		e, wait := q.next()
		if e != nil {
			q.deliver(ctx, e)
			continue
		}
		if wait > 0 {
			timer.Reset(wait)
		}
		select {
		case <-q.wake:
		case <-timer.C:
		case <-ctx.Done():
			return
		}
		timer.Stop()
	}
}

// next picks the oldest digest that may be sent now and takes its rate
// tokens; otherwise it returns how long until one may (0: nothing to
// send). Digests of one key share a room, so they go in order.
func (q *queue) next() (*entry, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.entries) == 0 {
		return nil, 0
	}
	now := q.now()
	if w := q.paused.Sub(now); w > 0 {
		return nil, w
	}
	if w := limiterWait(q.destLim, now); w > 0 {
		return nil, w
	}
	soonest := time.Duration(0)
	seen := map[string]bool{}
	for _, e := range q.entries {
		if len(seen) == len(q.rooms) {
			break // every room had its turn: the rest wait behind them
		}
		room := e.rec.Digest.Room
		if e.writing {
			seen[room] = true // nothing of its room overtakes it
			continue
		}
		if e.flying || seen[room] {
			continue
		}
		seen[room] = true
		lim := q.roomLimiter(room)
		w := max(q.roomUntil[room].Sub(now), limiterWait(lim, now))
		if w <= 0 {
			delete(q.roomUntil, room)
			allow(lim, now)
			allow(q.destLim, now)
			e.flying = true
			return e, 0
		}
		if soonest == 0 || w < soonest {
			soonest = w
		}
	}
	return nil, soonest
}

func allow(l *rate.Limiter, now time.Time) {
	if l != nil {
		l.AllowN(now, 1)
	}
}

// roomLimiter returns the limiter of a room, nil when rooms are not
// limited. Called with q.mu held.
func (q *queue) roomLimiter(room string) *rate.Limiter {
	if q.limits.PerRoom.IsZero() {
		return nil
	}
	l := q.roomLim[room]
	if l == nil {
		l = newLimiter(q.limits.PerRoom)
		q.roomLim[room] = l
	}
	return l
}

// deliver makes one attempt at e and records the outcome.
func (q *queue) deliver(ctx context.Context, e *entry) {
	q.mu.Lock()
	e.rec.Attempts++
	if e.rec.Attempts > 1 {
		q.stats.Retried++
	}
	d := e.rec.Digest
	q.mu.Unlock()

	err := q.n.Notify(ctx, d)

	q.mu.Lock()
	defer q.mu.Unlock()
	defer q.signal()
	e.flying = false
	now := q.now()
	log := q.log.With("key", d.Key.String(), "room", d.Room, "rule", d.Rule)
	switch {
	case err == nil:
		q.remove(e)
		q.stats.Sent++
		q.fails = 0
		q.lastErr = ""
		for _, h := range e.holds {
			h.Release()
		}
		if e.rec.Attempts > 1 {
			log.Info("delivered after retries", "attempts", e.rec.Attempts, "lines", d.Count)
		}
	case ctx.Err() != nil:
		// Stopping: the attempt was cut short; the digest stays.
		e.rec.Attempts--
	case KindOf(err) == Permanent:
		e.err = err
		q.stats.Failed++
		msg := "delivery refused; kept as a dead letter, not retried"
		if q.dir == "" {
			msg = "delivery refused; not retried"
		}
		log.Error(msg, "err", err, "lines", d.Count)
		q.bury(e, err, now)
	default:
		e.err = err
		q.stats.Failed++
		q.fails++
		wait := q.backoff.delay(q.fails, q.jitter(), now, RetryAt(err))
		if KindOf(err) == RateLimited {
			q.roomUntil[d.Room] = now.Add(wait)
		} else {
			q.paused = now.Add(wait)
		}
		if t := errText(err); t != q.lastErr {
			q.lastErr = t
			log.Warn("delivery failed; will retry", "err", err, "kind", KindOf(err).String(),
				"attempt", e.rec.Attempts, "retry_in", wait.Round(time.Millisecond))
		}
	}
}

// drain waits until the queue is empty or ctx ends.
func (q *queue) drain(ctx context.Context) error {
	for {
		q.mu.Lock()
		empty, ch := len(q.entries) == 0, q.changed
		q.mu.Unlock()
		if empty {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
