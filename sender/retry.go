package sender

import (
	"time"
)

// Backoff spaces the retries of failed deliveries: the n-th consecutive
// failure waits between half and all of Initial·2ⁿ⁻¹, capped at Max, or
// longer when the server named a later time (Error.RetryAt).
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

// DefaultBackoff is used when Options.Backoff is zero.
var DefaultBackoff = Backoff{Initial: time.Second, Max: 5 * time.Minute}

// delay returns the wait after the n-th consecutive failure (n ≥ 1), with
// jitter j in [0, 1), honouring retryAt when it is later.
func (b Backoff) delay(n int, j float64, now, retryAt time.Time) time.Duration {
	d := b.Initial
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	// Equal jitter: never less than half the step, so retries stay spaced
	// out, and spread over the other half so that many clients do not
	// retry in step.
	d = d/2 + time.Duration(j*float64(d/2))
	if !retryAt.IsZero() {
		if until := retryAt.Sub(now); until > d {
			d = until
		}
	}
	return d
}
