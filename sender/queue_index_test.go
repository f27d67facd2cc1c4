package sender

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/roomwatch/roomwatch/batch"
)

// TestKeyIndexFollowsTheQueue submits a storm of digests of a few dozen
// keys to a slow, rate-limited destination that refuses some of them,
// with a cap small enough that the outbox summarizes (and so re-keys)
// digests, and checks after every step that the index of keys says what
// the queue holds. Every matched line is delivered or a dead letter.
func TestKeyIndexFollowsTheQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		delivered, refused, attempts := 0, 0, 0
		n := NotifierFunc(func(ctx context.Context, d *batch.Digest) error {
			time.Sleep(300 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			// Every third attempt fails for a while: the digest stays,
			// and newer digests of its key queue behind it.
			if attempts++; attempts%3 == 0 {
				return &Error{Kind: Retryable, Status: 500, Reason: "Internal Server Error"}
			}
			if strings.HasSuffix(d.Key.Group, "7") {
				refused += d.Count
				return &Error{Kind: Permanent, Status: 404, Reason: "Room not found"}
			}
			delivered += d.Count
			return nil
		})
		limits := Limits{PerRoom: Rate{Events: 2, Per: time.Second}}
		d, err := NewDispatcher(Options{
			Destinations: map[string]Destination{"hc": {Notifier: n, Limits: &limits, MaxBytes: 6000}},
			Logger:       slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go d.Run(ctx)
		q := d.queues["hc"]
		check := func(when string) {
			t.Helper()
			q.mu.Lock()
			defer q.mu.Unlock()
			if err := q.checkIndex(); err != nil {
				t.Fatalf("%s: %v", when, err)
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		lines := 0
		for i := range 400 {
			group := fmt.Sprint(rng.IntN(40))
			dg := &batch.Digest{
				ID:   fmt.Sprintf("d%04d", i),
				Key:  batch.Key{Destination: "hc", Room: []string{"Ops", "Dev"}[rng.IntN(2)], Rule: "r", Group: group},
				Rule: "r", Count: 1 + rng.IntN(3),
				Lines: []batch.Line{{Text: "line of " + group, Count: 1}},
			}
			dg.Room = dg.Key.Room
			dg.Lines[0].Count = dg.Count
			lines += dg.Count
			if err := d.Submit(dg); err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("after digest %d", i))
			time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
			synctest.Wait()
			check(fmt.Sprintf("after the sleep after digest %d", i))
		}
		if err := d.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		check("drained")
		st := d.Stats()["hc"]
		mu.Lock()
		defer mu.Unlock()
		if delivered+refused != lines || st.Summarized == 0 || st.Merged == 0 || st.Dead == 0 || st.Retried == 0 {
			t.Errorf("%d lines delivered and %d refused of %d; stats %+v; want all, with merges, summaries and dead letters",
				delivered, refused, lines, st)
		}
	})
}

// checkIndex compares the queue's index of keys and rooms with the queue.
func (q *queue) checkIndex() error {
	want := map[batch.Key]*keyIndex{}
	for _, e := range q.entries {
		k := e.rec.Digest.Key
		ki := want[k]
		if ki == nil {
			ki = &keyIndex{}
			want[k] = ki
		}
		ki.n++
		if ki.newest == nil || ki.newest.name < e.name {
			ki.newest = e
		}
	}
	if len(want) != len(q.keys) {
		return fmt.Errorf("%d keys indexed, %d queued", len(q.keys), len(want))
	}
	rooms := map[string]int{}
	for _, e := range q.entries {
		rooms[e.rec.Digest.Room]++
	}
	if !maps.Equal(rooms, q.rooms) && len(rooms)+len(q.rooms) > 0 {
		return fmt.Errorf("rooms indexed %v, queued %v", q.rooms, rooms)
	}
	for k, w := range want {
		got := q.keys[k]
		if got == nil || got.n != w.n || got.newest != w.newest {
			return fmt.Errorf("key %s: index %+v, queue %+v", k, got, w)
		}
	}
	return nil
}
