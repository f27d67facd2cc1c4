package sender_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// A server that answers 500 for ten seconds gets retries spaced by the
// backoff, and the digest (with one merged into it while it waited) is
// delivered once it recovers.
func TestServerErrorsThenRecovery(t *testing.T) {
	var until time.Time
	f := newFake(t, hipchattest.Options{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		if time.Now().Before(until) {
			w.WriteHeader(http.StatusInternalServerError)
			return true
		}
		return false
	}})
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		until = t0.Add(10 * time.Second)
		r := start(t, sender.Options{Destinations: dests("hc", f.notifier(t, "tok"), nil)})
		r.submit(t, digest("hc", "disk", 1, "disk full on /"))
		time.Sleep(2 * time.Second)
		r.submit(t, digest("hc", "disk", 2, "disk full on /var"))
		r.drain(t, time.Minute)

		var gaps []time.Duration
		log := f.tr.log()
		for i := 1; i < len(log); i++ {
			gaps = append(gaps, log[i].at.Sub(log[i-1].at))
		}
		// Jitter 0.5: three quarters of 1s, 2s, 4s, 8s.
		want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 6 * time.Second}
		if diff := cmp.Diff(want, gaps); diff != "" {
			t.Errorf("attempt spacing (-want +got):\n%s", diff)
		}
		t.Logf("attempts %d, delivered at +%v", len(log), log[len(log)-1].at.Sub(t0))
		lines, total := f.linesSent()
		if diff := cmp.Diff(map[string][]string{"disk": {"disk full on /", "disk full on /var"}}, lines); diff != "" {
			t.Errorf("delivered lines (-want +got):\n%s", diff)
		}
		if total != 2 {
			t.Errorf("delivered count = %d, want 2", total)
		}
		st := r.Stats()["hc"]
		want2 := sender.Stats{Sent: 1, Failed: 4, Retried: 4, Merged: 1}
		if diff := cmp.Diff(want2, st); diff != "" {
			t.Errorf("stats (-want +got):\n%s", diff)
		}
	})
}

// A 429 with HipChat's reset headers makes the next attempt to that room
// wait for the reset, so few requests are refused.
func TestRateLimitedWaitsForReset(t *testing.T) {
	f := newFake(t, hipchattest.Options{FloodLimit: 2, FloodWindow: time.Minute})
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		// No limits of our own: the server has to say so.
		r := start(t, sender.Options{Destinations: dests("hc", f.notifier(t, "tok"), &sender.Limits{})})
		for i := range 6 {
			r.submit(t, digest("hc", fmt.Sprintf("rule%d", i), i, fmt.Sprintf("line %d", i)))
		}
		r.drain(t, 10*time.Minute)
		log := f.tr.log()
		for i, a := range log {
			if a.status == http.StatusTooManyRequests && i+1 < len(log) {
				if wait := log[i+1].at.Sub(a.at); wait < 59*time.Second {
					t.Errorf("attempt after a 429 came %v later, before the reset", wait)
				}
			}
		}
		if got := len(f.srv.Notifications()); got != 6 {
			t.Errorf("delivered %d, want 6", got)
		}
		if n := f.tr.count(http.StatusTooManyRequests); n > 2 {
			t.Errorf("%d requests got 429, want at most 2", n)
		}
		t.Logf("requests %d, 429s %d, done at +%v", len(log), f.tr.count(http.StatusTooManyRequests), log[len(log)-1].at.Sub(t0))
	})
}

// With a per-room limit as small as the server's, nothing is refused,
// everything is delivered, and each key's lines arrive in order.
func TestFloodControlInOrder(t *testing.T) {
	f := newFake(t, hipchattest.Options{FloodLimit: 3, FloodWindow: time.Minute})
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		limits := &sender.Limits{PerRoom: sender.Rate{Events: 3, Per: time.Minute}}
		r := start(t, sender.Options{Destinations: dests("hc", f.notifier(t, "tok"), limits)})
		want := map[string][]string{}
		for i := range 40 {
			rule := []string{"alpha", "beta"}[i%2]
			// Letters, not digits: lines of one shape would merge into one.
			line := fmt.Sprintf("%s-%c%c", rule, 'a'+i/26, 'a'+i%26)
			want[rule] = append(want[rule], line)
			r.submit(t, digest("hc", rule, i, line))
			time.Sleep(3 * time.Second)
		}
		r.drain(t, 10*time.Minute)
		lines, total := f.linesSent()
		if diff := cmp.Diff(want, lines); diff != "" {
			t.Errorf("lines per key, in delivery order (-want +got):\n%s", diff)
		}
		if total != 40 {
			t.Errorf("delivered count = %d, want 40", total)
		}
		if n := f.tr.count(http.StatusTooManyRequests); n != 0 {
			t.Errorf("%d requests got 429, want none", n)
		}
		st := r.Stats()["hc"]
		t.Logf("40 digests over 2m as %d messages (%d merged), 429s %d, done at +%v",
			len(f.srv.Notifications()), st.Merged, f.tr.count(429), f.tr.log()[len(f.tr.log())-1].at.Sub(t0))
	})
}

// Digests waiting for a server that is down stay in the outbox across a
// stop, and the next start delivers them once, oldest first.
func TestDownAcrossRestart(t *testing.T) {
	f := newFake(t, hipchattest.Options{})
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		f.tr.setDown(true)
		opts := sender.Options{Dir: dir, Destinations: dests("hc", f.notifier(t, "tok"), nil)}
		r := start(t, opts)
		r.submit(t, digest("hc", "first", 1, "one"))
		r.submit(t, digest("hc", "second", 2, "two"))
		time.Sleep(30 * time.Second)
		r.stop()
		left := r.Undelivered()
		if len(left) != 2 || left[0].Key.Rule != "first" || !strings.HasPrefix(left[0].Path, dir) {
			t.Fatalf("undelivered after stop = %+v, want first and second in %s", left, dir)
		}
		attempts := len(f.tr.log())

		f.tr.setDown(false)
		r2 := start(t, opts)
		r2.drain(t, time.Minute)
		var got []string
		for _, n := range f.srv.Notifications() {
			got = append(got, n.Message)
		}
		if diff := cmp.Diff([]string{"1 × first\none", "1 × second\ntwo"}, got); diff != "" {
			t.Errorf("delivered after restart (-want +got):\n%s", diff)
		}
		if names, _ := sender.ListRecords(r2.Dir("hc")); len(names) != 0 {
			t.Errorf("outbox still holds %v", names)
		}
		t.Logf("attempts while down: %d in 30s", attempts)
	})
}

// A 401 is not retried: it is logged with HipChat's message and the hint,
// and the digest is kept as a dead letter that can be retried.
func TestUnauthorizedIsDeadLetter(t *testing.T) {
	f := newFake(t, hipchattest.Options{})
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		var logs logBuffer
		r := start(t, sender.Options{Dir: dir, Logger: logs.logger(), Destinations: dests("hc", f.notifier(t, "v1-token"), nil)})
		r.submit(t, digest("hc", "disk", 1, "disk full"))
		r.drain(t, time.Minute)
		time.Sleep(time.Hour)
		if n := len(f.tr.log()); n != 1 {
			t.Errorf("%d requests, want 1 (no retry)", n)
		}
		if st := r.Stats()["hc"]; st.Dead != 1 || st.Sent != 0 {
			t.Errorf("stats = %+v, want 1 dead", st)
		}
		text := logs.String()
		for _, want := range []string{"status 401", "Authenticated requests only", "room notification token works only for its own room", "dead letter"} {
			if !strings.Contains(text, want) {
				t.Errorf("log lacks %q:\n%s", want, text)
			}
		}
		u := r.Undelivered()
		if len(u) != 1 || !u[0].Dead {
			t.Fatalf("undelivered = %+v, want one dead letter", u)
		}
		rec, err := sender.ReadRecord(u[0].Path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rec.Error, "status 401") || rec.Digest.Count != 1 {
			t.Errorf("dead letter = %+v", rec)
		}
		if err := sender.Retry(u[0].Path); err != nil {
			t.Fatal(err)
		}
		if names, _ := sender.ListRecords(r.Dir("hc")); len(names) != 1 {
			t.Errorf("after Retry the outbox holds %v, want the digest back", names)
		}
	})
}

// One destination that hangs never delays another.
func TestIsolation(t *testing.T) {
	f := newFake(t, hipchattest.Options{})
	synctest.Test(t, func(t *testing.T) {
		hang := sender.NotifierFunc(func(ctx context.Context, _ *batch.Digest) error {
			<-ctx.Done()
			return ctx.Err()
		})
		d := dests("good", f.notifier(t, "tok"), nil)
		d["stuck"] = sender.Destination{Notifier: hang}
		r := start(t, sender.Options{Destinations: d})
		t0 := time.Now()
		r.submit(t, digest("stuck", "a", 1, "x"))
		r.submit(t, digest("good", "b", 2, "y"))
		synctest.Wait()
		if got := len(f.srv.Notifications()); got != 1 || time.Since(t0) != 0 {
			t.Errorf("good destination: %d delivered after %v, want 1 at once", got, time.Since(t0))
		}
		if st := r.Stats()["stuck"]; st.Depth != 1 {
			t.Errorf("stuck destination depth = %d, want 1", st.Depth)
		}
	})
}

// Past the outbox cap, waiting digests of one rule are merged into a
// summary: the counts stay exact and the loss of detail is stated.
func TestOutboxCap(t *testing.T) {
	f := newFake(t, hipchattest.Options{})
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		f.tr.setDown(true)
		d := dests("hc", f.notifier(t, "tok"), nil)
		d["hc"] = sender.Destination{Notifier: d["hc"].Notifier, MaxBytes: 4000}
		r := start(t, sender.Options{Dir: dir, Destinations: d})
		for i := range 30 {
			dg := digest("hc", "ssh", i, fmt.Sprintf("failed password from 10.0.0.%d", i), "another line")
			dg.Key.Group = fmt.Sprint(i)
			dg.Group = map[string]string{"ip": fmt.Sprint(i)}
			r.submit(t, dg)
		}
		st := r.Stats()["hc"]
		if st.Bytes > 4000 || st.Summarized == 0 {
			t.Errorf("stats = %+v, want the outbox within 4000 bytes through summaries", st)
		}
		f.tr.setDown(false)
		r.drain(t, time.Hour)
		_, total := f.linesSent()
		if total != 60 {
			t.Errorf("delivered count = %d, want 60", total)
		}
		found := slices.ContainsFunc(f.srv.Notifications(), func(n hipchattest.Notification) bool {
			return strings.Contains(n.Message, "outbox full") && strings.Contains(n.Message, "digests merged into this summary")
		})
		if !found {
			t.Errorf("no message states the summary: %+v", f.srv.Notifications())
		}
		t.Logf("30 digests in a 4000-byte outbox: %d messages, %d summarized, %d samples dropped, peak depth %d", len(f.srv.Notifications()), st.Summarized, st.Dropped, st.Depth)
	})
}
