package sendertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// RedirectStatuses are the redirects a Notifier must refuse to follow.
var RedirectStatuses = []int{
	http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
	http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
}

// NewNotifierFunc builds the Notifier under test for a server at url,
// sending through client (which trusts the test's TLS servers). secret is
// what the Notifier must never reveal or send anywhere but url: its token,
// or "" when its URL is the secret.
type NewNotifierFunc func(t *testing.T, url string, client *http.Client) (n sender.Notifier, secret string)

// RedirectTests checks that the Notifier that newNotifier builds never
// follows a redirect: for each of RedirectStatuses, from a plain http
// server and from an https one pointing to plain http, Notify must fail
// Permanently with an error that names the Location's host and says "the
// URL redirects", the server redirected to must see no request at all, and
// the secret must not appear in the error.
func RedirectTests(t *testing.T, newNotifier NewNotifierFunc, d *batch.Digest) {
	t.Helper()
	var landed atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		landed.Add(1) // answers everything with 200, as a login page would
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(target.Close)
	var status, hits atomic.Int64
	redirect := func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, target.URL+"/elsewhere"+r.URL.Path, int(status.Load()))
	}
	plain := httptest.NewServer(http.HandlerFunc(redirect))
	t.Cleanup(plain.Close)
	tls := httptest.NewTLSServer(http.HandlerFunc(redirect))
	t.Cleanup(tls.Close)
	host := strings.TrimPrefix(target.URL, "http://")
	for _, srv := range []*httptest.Server{plain, tls} {
		for _, code := range RedirectStatuses {
			name := fmt.Sprintf("%s %d", strings.SplitN(srv.URL, ":", 2)[0], code)
			status.Store(int64(code))
			hits.Store(0)
			landed.Store(0)
			n, secret := newNotifier(t, srv.URL, tls.Client())
			err := n.Notify(t.Context(), d)
			switch {
			case err == nil:
				t.Errorf("%s: Notify succeeded, want a permanent failure", name)
				continue
			case sender.KindOf(err) != sender.Permanent:
				t.Errorf("%s: Notify = %v (%v), want Permanent", name, err, sender.KindOf(err))
			case !strings.Contains(err.Error(), "the URL redirects") || !strings.Contains(err.Error(), host):
				t.Errorf("%s: Notify = %v, want it to say the URL redirects to %s", name, err, host)
			}
			if secret != "" {
				AssertNoSecret(t, secret, err.Error())
			}
			if h := hits.Load(); h != 1 {
				t.Errorf("%s: the configured server got %d requests, want 1", name, h)
			}
			if l := landed.Load(); l != 0 {
				t.Errorf("%s: the redirect was followed: its target got %d requests", name, l)
			}
		}
	}
}
