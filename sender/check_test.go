package sender

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func response(status int, h http.Header, body string) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func TestCheckResponseKinds(t *testing.T) {
	tests := []struct {
		status int
		ok     bool
		kind   Kind
	}{
		{200, true, 0}, {201, true, 0}, {202, true, 0}, {204, true, 0},
		{301, false, Permanent}, {400, false, Permanent}, {401, false, Permanent},
		{403, false, Permanent}, {404, false, Permanent}, {405, false, Permanent},
		{408, false, Retryable}, {410, false, Permanent}, {413, false, Permanent},
		{429, false, RateLimited}, {500, false, Retryable}, {502, false, Retryable},
		{503, false, Retryable}, {504, false, Retryable},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			err := CheckResponse(response(tt.status, nil, "oops"), now, nil, nil)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckResponse(%d) = %v, want nil", tt.status, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("CheckResponse(%d) = %v, want *Error", tt.status, err)
			}
			if e.Kind != tt.kind || e.Status != tt.status || e.Reason != "oops" {
				t.Errorf("CheckResponse(%d) = %+v, want kind %v, reason oops", tt.status, e, tt.kind)
			}
		})
	}
}

func TestCheckResponseParseAndHint(t *testing.T) {
	var got []byte
	err := CheckResponse(response(404, nil, `{"error":"gone"}`), now,
		func(b []byte) string { got = b; return "room gone" },
		func(status int, reason string) string { return reason + " hint" })
	want := &Error{Kind: Permanent, Status: 404, Reason: "room gone", Hint: "room gone hint"}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
	if string(got) != `{"error":"gone"}` {
		t.Errorf("parse got body %q", got)
	}
}

func TestCheckResponseBoundedBody(t *testing.T) {
	body := strings.Repeat("x", 10*MaxBody)
	var n int
	_ = CheckResponse(response(500, nil, body), now, func(b []byte) string { n = len(b); return "" }, nil)
	if n != MaxBody {
		t.Errorf("parse saw %d bytes, want %d", n, MaxBody)
	}
	err := CheckResponse(response(500, nil, "line one\x1b[31m\nline two"), now, nil, nil)
	if got := err.(*Error).Reason; got != "line one[31m" {
		t.Errorf("reason = %q, want first line without controls", got)
	}
}

func TestResetAt(t *testing.T) {
	unix := func(d time.Duration) string { return itoa(now.Add(d).Unix()) }
	tests := []struct {
		name string
		h    map[string]string
		want time.Duration // 0: zero time
	}{
		{"none", nil, 0},
		{"retry-after seconds", map[string]string{"Retry-After": "30"}, 30 * time.Second},
		{"retry-after date", map[string]string{"Retry-After": now.Add(time.Minute).Format(http.TimeFormat)}, time.Minute},
		{"retry-after past", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{"retry-after garbage", map[string]string{"Retry-After": "soon"}, 0},
		{"retry-after huge", map[string]string{"Retry-After": "99999999"}, 0},
		{"reset-after fraction", map[string]string{"X-RateLimit-Reset-After": "1.5"}, 1500 * time.Millisecond},
		{"ratelimit spent", map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": unix(4 * time.Minute),
			"X-FloodControl-Remaining": "3", "X-FloodControl-Reset": unix(20 * time.Second)}, 4 * time.Minute},
		{"flood spent", map[string]string{"X-Ratelimit-Remaining": "12", "X-Ratelimit-Reset": unix(4 * time.Minute),
			"X-FloodControl-Remaining": "0", "X-FloodControl-Reset": unix(20 * time.Second)}, 20 * time.Second},
		{"both spent: later wins", map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": unix(10 * time.Second),
			"X-FloodControl-Remaining": "0", "X-FloodControl-Reset": unix(50 * time.Second)}, 50 * time.Second},
		{"none spent: earliest", map[string]string{"X-Ratelimit-Reset": unix(4 * time.Minute),
			"X-FloodControl-Reset": unix(20 * time.Second)}, 20 * time.Second},
		{"retry-after later than reset", map[string]string{"Retry-After": "120",
			"X-FloodControl-Remaining": "0", "X-FloodControl-Reset": unix(20 * time.Second)}, 2 * time.Minute},
		{"reset in the past", map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": unix(-time.Minute)}, 0},
		{"reset in milliseconds", map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": itoa(now.UnixMilli())}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.h {
				h.Set(k, v)
			}
			var want time.Time
			if tt.want != 0 {
				want = now.Add(tt.want)
			}
			if got := ResetAt(h, now); !got.Equal(want) {
				t.Errorf("ResetAt = %v, want %v", got, want)
			}
		})
	}
}

func TestCheckResponseRateLimited(t *testing.T) {
	h := http.Header{}
	h.Set("X-Ratelimit-Remaining", "0")
	h.Set("X-Ratelimit-Reset", itoa(now.Add(time.Minute).Unix()))
	err := CheckResponse(response(429, h, ""), now, nil, nil)
	if KindOf(err) != RateLimited || !RetryAt(err).Equal(now.Add(time.Minute)) {
		t.Fatalf("got kind %v retry %v, want rate-limited at +1m", KindOf(err), RetryAt(err))
	}
	if !strings.Contains(err.Error(), "retry after 2026-03-01T12:01:00Z") {
		t.Errorf("error %q does not say when to retry", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
