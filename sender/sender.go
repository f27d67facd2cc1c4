// Package sender owns delivery: the Notifier interface that every
// destination implements, the classification of delivery errors
// (retryable, rate-limited, permanent), redaction of secrets in errors, and
// fitting a message into a destination's size limit.
package sender

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/roomwatch/roomwatch/batch"
)

// Notifier delivers digests to one destination.
//
// Notify sends one digest and returns nil once the server accepted it. A
// failure is returned as an *Error saying whether to retry; any other
// error is treated as retryable. Notify must be safe for concurrent use,
// must not keep d after it returns, and must never put a secret into an
// error.
type Notifier interface {
	Notify(ctx context.Context, d *batch.Digest) error
}

// NotifierFunc adapts a function to a Notifier.
type NotifierFunc func(context.Context, *batch.Digest) error

// Notify implements Notifier.
func (f NotifierFunc) Notify(ctx context.Context, d *batch.Digest) error { return f(ctx, d) }

// Kind classifies a delivery failure.
type Kind int

const (
	// Retryable failures (transport errors, 5xx) may succeed later.
	Retryable Kind = iota
	// RateLimited failures succeed once the limit resets (at Error.RetryAt
	// when the server said when).
	RateLimited
	// Permanent failures (400, 401, 403, 404) will fail again the same way:
	// the config or the message must change.
	Permanent
)

func (k Kind) String() string {
	switch k {
	case Retryable:
		return "retryable"
	case RateLimited:
		return "rate-limited"
	default:
		return "permanent"
	}
}

// Error is a classified delivery failure.
type Error struct {
	Kind Kind
	// Status is the HTTP status, 0 for a transport error.
	Status int
	// Reason is the server's own error message, if it gave one.
	Reason string
	// Hint says what the failure usually means, for the operator.
	Hint string
	// RetryAt is when the server said a retry may succeed; zero if it
	// did not say.
	RetryAt time.Time
	// Err is the underlying error (redacted), if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	s := ""
	if e.Status != 0 {
		s = fmt.Sprintf("status %d", e.Status)
	}
	if e.Reason != "" {
		s = join(s, fmt.Sprintf("%q", e.Reason))
	}
	if e.Err != nil {
		s = join(s, e.Err.Error())
	}
	if e.Hint != "" {
		s = join(s, e.Hint)
	}
	if !e.RetryAt.IsZero() && e.Kind != Permanent { // a refusal is not retried, whatever the headers say
		s = join(s, "retry after "+e.RetryAt.UTC().Format(time.RFC3339))
	}
	return s
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ": " + b
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err: an *Error's own kind, Retryable for any
// other non-nil error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Retryable
}

// RetryAt returns when err says a retry may succeed, or the zero time.
func RetryAt(err error) time.Time {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAt
	}
	return time.Time{}
}
