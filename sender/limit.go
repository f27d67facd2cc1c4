package sender

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Rate is at most Events messages in any Per. The zero Rate is no limit.
type Rate struct {
	Events int
	Per    time.Duration
}

// IsZero reports whether r sets no limit.
func (r Rate) IsZero() bool { return r.Events <= 0 || r.Per <= 0 }

// String formats r the way it is configured ("30/1m0s"), or "none".
func (r Rate) String() string {
	if r.IsZero() {
		return "none"
	}
	return fmt.Sprintf("%d/%s", r.Events, r.Per)
}

// Limits are the rates a destination keeps to before its server has to
// refuse a message.
type Limits struct {
	// PerRoom limits the messages to one room (Digest.Room).
	PerRoom Rate
	// PerDestination limits all messages of the destination: one token
	// or one webhook.
	PerDestination Rate
}

// Throttled is implemented by a Notifier whose server limits how often it
// may be called. The Dispatcher keeps to these limits unless the
// configuration overrides them.
type Throttled interface {
	// RateLimits returns the server's documented limits.
	RateLimits() Limits
}

// DefaultLimits are the limits of destination types whose notifier does
// not say (Throttled); a type not listed has none.
var DefaultLimits = map[string]Limits{
	"hipchat": {PerRoom: Rate{30, time.Minute}, PerDestination: Rate{500, 5 * time.Minute}},
	"slack":   {PerDestination: Rate{1, time.Second}},
	"discord": {PerDestination: Rate{5, 2 * time.Second}},
	"teams":   {PerDestination: Rate{4, time.Second}},
}

// newLimiter returns a token bucket that never lets more than r.Events
// through in any window of r.Per, so that a server counting in sliding
// windows never has to refuse: a burst of up to a sixth of the events,
// then the rest evenly spaced. It returns nil for no limit.
func newLimiter(r Rate) *rate.Limiter {
	if r.IsZero() {
		return nil
	}
	burst := max(1, r.Events/6)
	refill := r.Events - burst
	if refill <= 0 {
		refill = r.Events
	}
	return rate.NewLimiter(rate.Limit(float64(refill)/r.Per.Seconds()), burst)
}

// limiterWait returns how long until l lets one event through at now:
// zero when it would now.
func limiterWait(l *rate.Limiter, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	tokens := l.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	secs := (1 - tokens) / float64(l.Limit())
	if math.IsInf(secs, 0) || math.IsNaN(secs) {
		return time.Hour
	}
	return time.Duration(math.Ceil(secs * float64(time.Second)))
}
