package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// DefaultTimeout bounds one request when an HTTP destination's timeout is
// zero.
const DefaultTimeout = 30 * time.Second

// HTTP is what the HTTP destinations share: the client, a bound on one
// request and the clock that retry times are measured against. The zero
// value is usable.
type HTTP struct {
	Client  *http.Client     // a plain http.Client if nil; its CheckRedirect is replaced
	Timeout time.Duration    // DefaultTimeout if zero
	Now     func() time.Time // time.Now if nil
}

// Post is one request a destination sends.
type Post struct {
	Method string // POST if empty
	URL    string // may hold a secret: it never reaches an error
	Header http.Header
	Body   []byte // JSON unless Header says otherwise
	// Parse extracts the server's own message from an error body, Hint
	// says what a status usually means; both may be nil (see
	// CheckResponse).
	Parse func(body []byte) string
	Hint  func(status int, reason string) string
}

// Do sends p and classifies the outcome with CheckResponse. Transport
// errors are Retryable and their URL is redacted. Redirects are never
// followed: a 3xx is a Permanent error naming where it points.
func (h HTTP) Do(ctx context.Context, p Post) error {
	timeout, client, now := h.Timeout, h.Client, h.Now
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	client = noRedirects(client)
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	method := p.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		return &Error{Kind: Permanent, Err: RedactURL(err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "roomwatch")
	for k, vs := range p.Header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		return RequestError(err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		_ = CheckResponse(resp, now(), nil, nil) // reads and closes the body
		return redirectError(resp, req.URL)
	}
	return CheckResponse(resp, now(), p.Parse, p.Hint)
}

// JSON encodes v without escaping <, > and & (the body is JSON, not HTML,
// and every server decodes it the same either way).
func JSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// CheckURL checks that raw is an absolute http or https URL, saying what
// is wrong without ever printing it (a webhook URL is a secret). key names
// the config key in the message.
func CheckURL(key, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("%s is empty", key)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", key, RedactURL(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%s must start with http:// or https://", key)
	case u.Host == "":
		return nil, errors.New(key + " has no host")
	}
	return u, nil
}

// Fit builds a request body from msg and, while the body is longer than
// max bytes, cuts msg (with Cut, in unit and format) in proportion and
// builds again, so that markup and encoding overhead are counted too.
func Fit(msg string, max int, unit Unit, format string, build func(msg string) ([]byte, error)) ([]byte, error) {
	limit := unit.Len(msg)
	for range 8 {
		body, err := build(Cut(msg, limit, unit, format))
		if err != nil || len(body) <= max {
			return body, err
		}
		limit = min(limit-1, int(int64(limit)*int64(max)/int64(len(body))))
		if limit <= 0 {
			break
		}
	}
	return nil, &Error{Kind: Permanent, Reason: fmt.Sprintf("the message does not fit in %d bytes", max)}
}
