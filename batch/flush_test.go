package batch

import (
	"fmt"
	"sort"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// Flush at shutdown sends every open digest (waiting and quiet ones),
// drops what is held below a threshold, stops every timer, and leaves the
// Batcher usable.
func TestFlushWithOpenDigests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		quiet := testRule("quiet", nil)
		waiting := testRule("waiting", nil)
		idle := testRule("idle", nil)
		held := sshRule()

		b.Add(match(quiet, "q1"))
		b.Add(match(idle, "i1"))
		time.Sleep(quiet.Wait) // quiet and idle send their first digest
		b.Add(match(quiet, "q2"))
		b.Add(match(quiet, "q3"))
		b.Add(match(waiting, "w1"))
		b.Add(match(held, "h1", "1.1.1.1"))
		synctest.Wait()
		if n := len(rec.got()); n != 2 {
			t.Fatalf("%d digests before Flush, want 2", n)
		}

		b.Flush()
		var got []string
		for _, d := range rec.got()[2:] {
			got = append(got, fmt.Sprintf("%s %d", d.Rule, d.Count))
		}
		sort.Strings(got)
		if diff := cmp.Diff([]string{"quiet 2", "waiting 1"}, got); diff != "" {
			t.Errorf("flushed digests (-want +got):\n%s", diff)
		}
		st := b.Stats()
		if st.Open != 0 || st.BelowThreshold["ssh"] != 1 || st.Digests != 4 {
			t.Errorf("Stats after Flush = %+v, want Open 0, BelowThreshold[ssh] 1, Digests 4", st)
		}

		time.Sleep(time.Hour) // every timer is stopped: nothing more comes
		synctest.Wait()
		if n := len(rec.got()); n != 4 {
			t.Errorf("%d digests an hour after Flush, want 4", n)
		}

		b.Add(match(quiet, "again"))
		time.Sleep(quiet.Wait)
		synctest.Wait()
		if n := len(rec.got()); n != 5 {
			t.Errorf("%d digests after a match following Flush, want 5", n)
		}
	})
}

// Every matched line's position is held by the digest that counts it until
// the digest is released, across digests of one key.
func TestPositionsHeldUntilRelease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := testRule("r", nil)
		c := tailer.NewCursor(0)
		off := int64(0)
		add := func(text string) int64 {
			at := off
			b.Add(matchAt(r, text, c, off))
			off += int64(len(text)) + 1
			c.Handled(off)
			return at
		}
		add("one")
		add("two")
		time.Sleep(r.Wait) // first digest sent, not released
		synctest.Wait()
		third := add("three")
		if got := c.Safe(); got != 0 {
			t.Fatalf("Safe() = %d with the first digest unreleased, want 0", got)
		}
		rec.got()[0].Release()
		if got := c.Safe(); got != third {
			t.Fatalf("Safe() = %d after releasing the first digest, want %d (the third line, still open)", got, third)
		}
		b.Flush()
		ds := rec.got()
		if len(ds) != 2 {
			t.Fatalf("%d digests, want 2", len(ds))
		}
		ds[1].Release()
		ds[1].Release() // twice is harmless
		if got := c.Safe(); got != off {
			t.Errorf("Safe() = %d with every digest released, want %d", got, off)
		}
	})
}

func TestOverflowKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, func(o *Options) { o.MaxKeysPerRule = 3 })
		r := testRule("ssh", func(r *rules.Rule) { r.GroupBy = []string{"ip"} })
		for i := range 10 {
			ip := fmt.Sprintf("10.0.0.%d", i)
			b.Add(match(r, "fail from "+ip, ip))
			b.Add(match(r, "fail from "+ip, ip))
		}
		if n := b.Open(); n != 4 {
			t.Errorf("Open() = %d, want 3 keys and the overflow key", n)
		}
		time.Sleep(r.Wait)
		synctest.Wait()
		var over *Digest
		for _, d := range rec.got() {
			if d.Key.Overflow {
				over = d
			}
		}
		if over == nil {
			t.Fatal("no overflow digest")
		}
		if over.Count != 14 || over.Folded != 7 || over.Group["ip"] != "other" {
			t.Errorf("overflow digest Count %d Folded %d Group %v, want 14, 7, ip=other", over.Count, over.Folded, over.Group)
		}
		if want := "14 × ssh on web-01 ip=other (7 keys folded)\n" +
			"(×14) fail from {10.0.0.3 ×2, 10.0.0.4 ×2, 10.0.0.5 ×2, 10.0.0.6 ×2, 10.0.0.7 ×2, +4 others}"; over.Message != want {
			t.Errorf("Message = %q, want %q", over.Message, want)
		}
		st := b.Stats()
		if len(rec.got()) != 4 || st.Folded != 14 || st.Lines != 20 {
			t.Errorf("%d digests, Stats %+v; want 4 digests, Folded 14, Lines 20", len(rec.got()), st)
		}
	})
}

// Flush returns only once every digest closed so far was handed to Send,
// also those that a timer's goroutine is still sending, and keeps the
// key's order.
func TestFlushWaitsForSendsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		rec.delay = time.Minute
		b := newBatcher(rec, nil)
		r := testRule("r", nil)
		start := time.Now()
		b.Add(match(r, "first"))
		time.Sleep(20 * time.Second) // the first digest is being sent until 70s
		b.Add(match(r, "second"))
		b.Flush()
		ds := rec.got()
		if len(ds) != 2 || ds[0].Lines[0].Text != "first" || ds[1].Lines[0].Text != "second" {
			t.Fatalf("after Flush got %d digests, want first then second", len(ds))
		}
		if took := time.Since(start); took != 130*time.Second {
			t.Errorf("Flush returned at +%v, want +130s (two sends of a minute, in turn)", took)
		}
	})
}

// TestFlushManyDigests: a flush of hundreds of digests (rendered on every
// CPU) sends each once, in Seq order, with its own message.
func TestFlushManyDigests(t *testing.T) {
	rec := newRecorder(t)
	b := newBatcher(rec, nil)
	r := testRule("ssh", func(r *rules.Rule) { r.GroupBy = []string{"ip"} })
	const keys = 700
	count := map[string]int{}
	for i := range keys {
		ip := fmt.Sprintf("10.0.%d.%d", i/256, i%256)
		count[ip] = 1 + i%3
		for j := range count[ip] {
			b.Add(match(r, fmt.Sprintf("fail %d from %s", j, ip), ip))
		}
	}
	b.Flush()
	got := rec.got()
	if len(got) != keys {
		t.Fatalf("%d digests, want %d", len(got), keys)
	}
	for i, d := range got {
		if i > 0 && d.Seq <= got[i-1].Seq {
			t.Fatalf("digest %d has Seq %d after %d", i, d.Seq, got[i-1].Seq)
		}
		again := *d
		again.Message, again.rendered = "", false
		b.render(outgoing{d: &again, rule: r})
		if d.Message != again.Message || d.Count != count[d.Group["ip"]] {
			t.Fatalf("digest %d (%s, %d lines): message %q, want %q", i, d.Key, d.Count, d.Message, again.Message)
		}
	}
}
