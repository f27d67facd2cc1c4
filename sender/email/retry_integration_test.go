package email

import (
	"context"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/internal/realtest"
	"github.com/roomwatch/roomwatch/sender"
)

// TestDispatcherRetriesUntilServerUp: the daemon's delivery loop keeps a
// digest for a mail server that is down, retries it, and delivers it
// once (and only once) when the server comes up.
func TestDispatcherRetriesUntilServerUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real SMTP server")
	}
	addr := realtest.Addr(t)
	n := newNotifier(t, Config{SMTP: addr})
	d, err := sender.NewDispatcher(sender.Options{
		Destinations: map[string]sender.Destination{"mail": {Notifier: n, Type: "email"}},
		Dir:          t.TempDir(),
		Backoff:      sender.Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	dg := htmlDigest()
	dg.Key = batch.Key{Destination: "mail", Room: dg.Room, Rule: dg.Rule}
	if err := d.Submit(dg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "failed attempts", func() bool { return d.Stats()["mail"].Failed >= 2 })
	mp := startMailpit(t, mailpitOptions{smtpAddr: addr})
	waitFor(t, "delivery", func() bool { return d.Stats()["mail"].Sent == 1 })
	st := d.Stats()["mail"]
	if st.Dead != 0 || st.Depth != 0 {
		t.Errorf("stats %+v", st)
	}
	if got := len(mp.messages(t)); got != 1 {
		t.Errorf("%d messages, want 1", got)
	}
	t.Logf("delivered after %d failed attempts (%d retries)", st.Failed, st.Retried)
}

// waitFor polls cond for up to 20 s: the server and the retries run in
// real time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
