// Package sendertest holds the checks every Notifier's tests share: that
// each HTTP status is classified as the delivery policy says, and that no
// secret leaks into what a Notifier returns or logs.
package sendertest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// AssertNoSecret fails t if any of texts holds secret, as is or in its
// query- or path-escaped form.
func AssertNoSecret(t testing.TB, secret string, texts ...string) {
	t.Helper()
	if secret == "" {
		t.Fatal("AssertNoSecret: empty secret proves nothing")
	}
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	for i, text := range texts {
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Errorf("text %d leaks the secret: %q", i, text)
				break
			}
		}
	}
}

// Codes returns every status from 200 to 599 that net/http names: the
// statuses a Notifier must classify.
func Codes() []int {
	var codes []int
	for c := 200; c < 600; c++ {
		if http.StatusText(c) != "" {
			codes = append(codes, c)
		}
	}
	return codes
}

// Want is the delivery policy, stated independently of sender's code: ok
// for 2xx; RateLimited for 429; Retryable for 408 and 5xx; Permanent for
// anything else.
func Want(status int) (ok bool, kind sender.Kind) {
	switch {
	case status >= 200 && status < 300:
		return true, 0
	case status == http.StatusTooManyRequests:
		return false, sender.RateLimited
	case status == http.StatusRequestTimeout, status >= 500:
		return false, sender.Retryable
	}
	return false, sender.Permanent
}

// RetryTests sends d through the Notifier that newNotifier builds for a
// server answering each of codes (Codes() if nil) in turn, and checks that
// every status is classified as Want says, with exactly one request per
// Notify (retrying is the caller's job).
func RetryTests(t *testing.T, newNotifier func(t *testing.T, url string) sender.Notifier, d *batch.Digest, codes []int) {
	t.Helper()
	if codes == nil {
		codes = Codes()
	}
	var status, hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(`{"error":{"message":"scripted"}}`))
	}))
	t.Cleanup(srv.Close)
	n := newNotifier(t, srv.URL)
	for _, code := range codes {
		status.Store(int64(code))
		hits.Store(0)
		err := n.Notify(t.Context(), d)
		ok, kind := Want(code)
		switch {
		case ok && err != nil:
			t.Errorf("status %d: Notify = %v, want success", code, err)
		case !ok && err == nil:
			t.Errorf("status %d: Notify succeeded, want %v", code, kind)
		case !ok && sender.KindOf(err) != kind:
			t.Errorf("status %d: Notify = %v (%v), want %v", code, err, sender.KindOf(err), kind)
		case !ok && !errors.As(err, new(*sender.Error)):
			t.Errorf("status %d: Notify = %v, want a *sender.Error", code, err)
		}
		if h := hits.Load(); h != 1 {
			t.Errorf("status %d: %d requests, want 1", code, h)
		}
	}
}
