package sender

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxBody is how much of a response body CheckResponse reads: enough for
// any error message, and a hostile or broken server cannot make the
// sender buffer more.
const MaxBody = 64 << 10

// maxReason caps the raw body text used as a reason when the destination
// gives no parser or the parser finds nothing.
const maxReason = 256

// CheckResponse is the one place where an HTTP response becomes a delivery
// result. It reads at most MaxBody bytes of resp.Body and closes it.
//
// A 2xx status is success (nil). Otherwise it returns an *Error:
// 429 is RateLimited, 5xx and 408 are Retryable, every other status is
// Permanent. RetryAt comes from ResetAt, so Retry-After and the
// X-Ratelimit-* / X-FloodControl-* headers are honoured for every kind.
//
// parse extracts the server's own message from the body (nil, or an empty
// result, falls back to the body's first line of text); hint, if not nil,
// says what the status and reason usually mean for this destination.
func CheckResponse(resp *http.Response, now time.Time, parse func(body []byte) (reason string), hint func(status int, reason string) string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	// Drain a little more so the connection can be reused, then close.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxBody))
	_ = resp.Body.Close()

	status := resp.StatusCode
	if status >= 200 && status < 300 {
		return nil
	}
	e := &Error{Kind: KindOfStatus(status), Status: status, RetryAt: ResetAt(resp.Header, now)}
	if parse != nil {
		e.Reason = parse(body)
	}
	if e.Reason == "" {
		e.Reason = bodyText(body)
	}
	if hint != nil {
		e.Hint = hint(status, e.Reason)
	}
	return e
}

// KindOfStatus classifies an HTTP status that is not 2xx: 429 is
// RateLimited; 5xx and 408 (the server gave up waiting for the request)
// are Retryable; everything else, including other 4xx and stray 1xx/3xx,
// is Permanent.
func KindOfStatus(status int) Kind {
	switch {
	case status == http.StatusTooManyRequests:
		return RateLimited
	case status >= 500 && status < 600, status == http.StatusRequestTimeout:
		return Retryable
	default:
		return Permanent
	}
}

// RequestError classifies a failed http.Client.Do: a transport error is
// Retryable, and its URL is redacted so no secret leaks through it.
func RequestError(err error) error {
	return &Error{Kind: Retryable, Err: RedactURL(err)}
}

// ResetAt returns when the response headers say a retry may succeed, or
// the zero time if they do not say (or only name a time not after now).
//
// It reads Retry-After (delay seconds or an HTTP date),
// X-RateLimit-Reset-After (seconds, possibly fractional), and the
// X-Ratelimit-Reset / X-FloodControl-Reset pairs (Unix seconds). A reset
// whose Remaining header is 0 is a limit that is used up, so the latest of
// those wins; if no limit says it is used up, the earliest reset given is
// the best guess. Retry-After wins when it is later still.
func ResetAt(h http.Header, now time.Time) time.Time {
	var at time.Time
	if t, ok := retryAfter(h.Get("Retry-After"), now); ok {
		at = t
	}
	if s, ok := parseSeconds(h.Get("X-Ratelimit-Reset-After")); ok {
		at = later(at, now.Add(s))
	}
	var spent, any time.Time
	for _, p := range []string{"X-Ratelimit-", "X-Floodcontrol-"} {
		reset, ok := parseUnix(h.Get(p + "Reset"))
		if !ok || !reset.After(now) || reset.Sub(now) > maxWait {
			continue
		}
		if strings.TrimSpace(h.Get(p+"Remaining")) == "0" {
			spent = later(spent, reset)
		} else if any.IsZero() || reset.Before(any) {
			any = reset
		}
	}
	if !spent.IsZero() {
		at = later(at, spent)
	} else if at.IsZero() {
		at = any
	}
	if !at.After(now) {
		return time.Time{}
	}
	return at
}

// maxWait bounds any time a server asks for; a larger value is taken to
// be a mistake (such as milliseconds sent as seconds) and ignored.
const maxWait = 24 * time.Hour

func retryAfter(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if s, ok := parseSeconds(v); ok {
		return now.Add(s), true
	}
	t, err := http.ParseTime(v)
	if err != nil || t.Sub(now) > maxWait {
		return time.Time{}, false
	}
	return t, true
}

func parseSeconds(v string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f > maxWait.Seconds() {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

func parseUnix(v string) (time.Time, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f <= 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// bodyText returns the first line of a body as printable text, capped.
func bodyText(b []byte) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if len(s) > maxReason {
		i := maxReason
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}
