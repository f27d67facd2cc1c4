package batch

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/rules"
)

// sent is what the timing tests compare: when a digest left (from the
// start) and how many lines it counts.
type sent struct {
	At    time.Duration
	Count int
}

func TestDebounceEdges(t *testing.T) {
	const s = time.Second
	every := func(step, until time.Duration) []time.Duration {
		var ts []time.Duration
		for d := time.Duration(0); d <= until; d += step {
			ts = append(ts, d)
		}
		return ts
	}
	// wait 10s, interval 1m
	tests := []struct {
		name    string
		matches []time.Duration
		want    []sent
	}{
		{"lone line arrives after wait", []time.Duration{0}, []sent{{10 * s, 1}}},
		{"burst within wait is one digest", []time.Duration{0, 1 * s, 9 * s}, []sent{{10 * s, 3}}},
		{"match exactly at wait goes to the next digest", []time.Duration{0, 10 * s}, []sent{{10 * s, 1}, {70 * s, 1}}},
		{"match in the quiet interval waits for its end", []time.Duration{0, 30 * s}, []sent{{10 * s, 1}, {70 * s, 1}}},
		{"match exactly at the end of a busy interval goes to the next", []time.Duration{0, 30 * s, 70 * s},
			[]sent{{10 * s, 1}, {70 * s, 1}, {130 * s, 1}}},
		{"match exactly at the end of an empty interval opens afresh", []time.Duration{0, 70 * s},
			[]sent{{10 * s, 1}, {80 * s, 1}}},
		{"a quiet interval closes the key", []time.Duration{0, 75 * s}, []sent{{10 * s, 1}, {85 * s, 1}}},
		{"storm across several intervals: one digest per interval", every(5*s, 200*s),
			[]sent{{10 * s, 2}, {70 * s, 12}, {130 * s, 12}, {190 * s, 12}, {250 * s, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder(t)
				b := newBatcher(rec, nil)
				r := testRule("r", nil)
				start := time.Now()
				for i, at := range tt.matches {
					time.Sleep(at - time.Since(start))
					b.Add(match(r, fmt.Sprintf("line %d", i)))
				}
				time.Sleep(time.Hour)
				synctest.Wait()
				var got []sent
				for _, d := range rec.got() {
					got = append(got, sent{d.At.Sub(start), d.Count})
					checkSum(t, d, r.MaxLines)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("digests (-want +got):\n%s", diff)
				}
				if n := b.Open(); n != 0 {
					t.Errorf("Open() = %d after an hour of quiet, want 0", n)
				}
			})
		})
	}
}

func TestDigestNotBeforeWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := testRule("r", nil)
		b.Add(match(r, "boom"))
		time.Sleep(r.Wait - time.Nanosecond)
		synctest.Wait()
		if n := len(rec.got()); n != 0 {
			t.Fatalf("%d digests before wait ended, want 0", n)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		got := rec.got()
		if len(got) != 1 {
			t.Fatalf("%d digests when wait ended, want 1", len(got))
		}
		d := got[0]
		if !d.At.Equal(d.First.Add(r.Wait)) {
			t.Errorf("At = %v, want First+wait %v", d.At, d.First.Add(r.Wait))
		}
		if d.Message != "1 × r on web-01\nboom" {
			t.Errorf("Message = %q", d.Message)
		}
		if b.Open() != 1 {
			t.Errorf("Open() = %d in the quiet interval, want 1", b.Open())
		}
	})
}

func TestKeysAreSeparate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r1 := testRule("one", func(r *rules.Rule) { r.GroupBy = []string{"ip"} })
		r2 := testRule("two", func(r *rules.Rule) { r.Room = "Web" })
		b.Add(match(r1, "a", "10.0.0.1"))
		b.Add(match(r1, "b", "10.0.0.2"))
		b.Add(match(r1, "c", "10.0.0.1"))
		b.Add(match(r2, "d"))
		time.Sleep(r1.Wait)
		synctest.Wait()
		got := map[string]int{}
		for _, d := range rec.got() {
			got[d.Key.String()] = d.Count
		}
		want := map[string]int{"/Ops/one/10.0.0.1": 2, "/Ops/one/10.0.0.2": 1, "/Web/two": 1}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("digests by key (-want +got):\n%s", diff)
		}
	})
}

// A Send slower than the interval must not overlap the next digest of the
// same key, nor reorder them (the recorder checks both).
func TestSlowSendKeepsKeyOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		rec.delay = 3 * time.Minute
		b := newBatcher(rec, nil)
		r := testRule("r", nil)
		for i := range 600 {
			b.Add(match(r, fmt.Sprintf("line %d", i)))
			time.Sleep(time.Second)
		}
		b.Flush()
		total := 0
		for _, d := range rec.got() {
			total += d.Count
		}
		if total != 600 {
			t.Errorf("digests count %d lines, want 600", total)
		}
	})
}

// TestKeptTextIsACopy: a line's text may be a slice of a whole read
// buffer; what a digest keeps of it (its sample, its group values, its
// key) must be copies, or one kept sample would keep the whole buffer.
func TestKeptTextIsACopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := testRule("ssh", func(r *rules.Rule) { r.GroupBy = []string{"ip"} })
		block := strings.Repeat("Failed password for root from 10.0.0.1 port 22\n", 1000)
		within := func(s string) bool {
			p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(block)))
			return len(s) > 0 && p >= lo && p < lo+uintptr(len(block))
		}
		b.Add(match(r, block[:46], block[30:38]))
		time.Sleep(r.Wait)
		synctest.Wait()
		ds := rec.got()
		if len(ds) != 1 {
			t.Fatalf("got %d digests, want 1", len(ds))
		}
		d := ds[0]
		if d.Lines[0].Text != block[:46] || d.Group["ip"] != "10.0.0.1" || d.Key.Group != "10.0.0.1" {
			t.Fatalf("digest %+v does not hold the match", d)
		}
		for what, s := range map[string]string{"sample": d.Lines[0].Text, "group value": d.Group["ip"], "key": d.Key.Group} {
			if within(s) {
				t.Errorf("the digest's %s is a slice of the line's buffer", what)
			}
		}
	})
}

// TestKeysOfOneHash: keys whose hashes collide (all in two buckets here)
// still keep their own digests, close one by one, and flush.
func TestKeysOfOneHash(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		b.hashMask = 1
		r := testRule("ssh", func(r *rules.Rule) { r.GroupBy = []string{"ip"} })
		slow := testRule("slow", func(r *rules.Rule) { r.Wait = time.Hour; r.GroupBy = []string{"ip"} })
		for i := range 40 {
			for range i%3 + 1 {
				b.Add(match(r, "a", fmt.Sprint(i)))
			}
			b.Add(match(slow, "b", fmt.Sprint(i)))
		}
		if got := b.Open(); got != 80 {
			t.Fatalf("Open() = %d, want 80", got)
		}
		time.Sleep(r.Wait)
		synctest.Wait()
		got := map[string]int{}
		for _, d := range rec.got() {
			got[d.Key.String()] = d.Count
		}
		if len(got) != 40 {
			t.Fatalf("%d digests after the wait, want 40 (one per ssh key): %v", len(got), got)
		}
		for i := range 40 {
			if n := got["/Ops/ssh/"+fmt.Sprint(i)]; n != i%3+1 {
				t.Errorf("key %d: count %d, want %d", i, n, i%3+1)
			}
		}
		// The ssh keys go quiet and close; the slow ones stay open.
		time.Sleep(r.Interval)
		synctest.Wait()
		if got := b.Open(); got != 40 {
			t.Errorf("Open() = %d after the ssh keys closed, want 40", got)
		}
		b.Flush()
		if got := b.Open(); got != 0 {
			t.Errorf("Open() = %d after Flush, want 0", got)
		}
		if n := len(rec.got()); n != 80 {
			t.Errorf("%d digests after Flush, want 80", n)
		}
	})
}
