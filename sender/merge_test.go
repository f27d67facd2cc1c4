package sender

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
)

func TestMergeInto(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		a, b     batch.Digest
		maxLines int
		want     batch.Digest
	}{
		{
			name:     "same line counts add",
			a:        batch.Digest{Count: 3, First: t0, Last: t0, Lines: []batch.Line{{Text: "x", Count: 3}}},
			b:        batch.Digest{Count: 2, First: t0.Add(time.Minute), Last: t0.Add(2 * time.Minute), Lines: []batch.Line{{Text: "x", Count: 2}}},
			maxLines: 5,
			want:     batch.Digest{Count: 5, First: t0, Last: t0.Add(2 * time.Minute), Lines: []batch.Line{{Text: "x", Count: 5}}},
		},
		{
			name:     "lines past max_lines go to More",
			a:        batch.Digest{Count: 4, Lines: []batch.Line{{Text: "x", Count: 1}, {Text: "y", Count: 1}}, More: 2},
			b:        batch.Digest{Count: 6, Lines: []batch.Line{{Text: "z", Count: 3}, {Text: "y", Count: 2}}, More: 1},
			maxLines: 2,
			want:     batch.Digest{Count: 10, Lines: []batch.Line{{Text: "x", Count: 1}, {Text: "y", Count: 3}}, More: 6},
		},
		{
			name:     "new lines fill up to max_lines",
			a:        batch.Digest{Count: 1, Lines: []batch.Line{{Text: "x", Count: 1}}},
			b:        batch.Digest{Count: 2, Lines: []batch.Line{{Text: "y", Count: 1}, {Text: "z", Count: 1}}, Notify: true},
			maxLines: 3,
			want:     batch.Digest{Count: 3, Lines: []batch.Line{{Text: "x", Count: 1}, {Text: "y", Count: 1}, {Text: "z", Count: 1}}, Notify: true},
		},
		{
			name: "lines of one text merge, and their values",
			a: batch.Digest{Count: 6, Lines: []batch.Line{{Text: "from 1.1.1.1 port 22", Count: 6, Values: []batch.Field{{
				Start: 5, End: 12, DigestField: rules.DigestField{Values: []rules.DigestValue{{Text: "1.1.1.1", Count: 1}, {Text: "203.0.113.5", Count: 5}}},
			}}}}},
			b:        batch.Digest{Count: 2, Lines: []batch.Line{{Text: "from 1.1.1.1 port 22", Count: 2}}},
			maxLines: 1,
			want: batch.Digest{Count: 8, Lines: []batch.Line{{Text: "from 1.1.1.1 port 22", Count: 8, Values: []batch.Field{{
				Start: 5, End: 12, DigestField: rules.DigestField{Values: []rules.DigestValue{{Text: "1.1.1.1", Count: 3}, {Text: "203.0.113.5", Count: 5}}},
			}}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			mergeInto(&a, &tt.b, tt.maxLines)
			if diff := cmp.Diff(tt.want, a, cmp.AllowUnexported(batch.Digest{})); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
			shown := 0
			for _, l := range a.Lines {
				shown += l.Count
			}
			if shown+a.More != a.Count {
				t.Errorf("lines %d + more %d != count %d", shown, a.More, a.Count)
			}
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 10 * time.Second}
	now := time.Unix(1000, 0)
	tests := []struct {
		n       int
		j       float64
		retryAt time.Time
		want    time.Duration
	}{
		{1, 0, time.Time{}, 500 * time.Millisecond},
		{1, 0.999999999, time.Time{}, time.Second - time.Nanosecond},
		{3, 0.5, time.Time{}, 3 * time.Second},
		{20, 0, time.Time{}, 5 * time.Second},
		{1, 0, now.Add(42 * time.Second), 42 * time.Second},
		{5, 1, now.Add(time.Second), 10 * time.Second},
	}
	for _, tt := range tests {
		if got := b.delay(tt.n, tt.j, now, tt.retryAt); got != tt.want {
			t.Errorf("delay(%d, %v, %v) = %v, want %v", tt.n, tt.j, tt.retryAt, got, tt.want)
		}
	}
}

// The limiter never lets more than Events through in any window of Per,
// however the attempts are timed.
func TestLimiterWindow(t *testing.T) {
	for _, r := range []Rate{{30, time.Minute}, {1, time.Second}, {5, 2 * time.Second}, {500, 5 * time.Minute}} {
		l := newLimiter(r)
		now := time.Unix(0, 0)
		var sent []time.Time
		for range 5000 {
			if w := limiterWait(l, now); w > 0 {
				now = now.Add(w)
				continue
			}
			l.AllowN(now, 1)
			sent = append(sent, now)
		}
		j := 0
		for i := range sent {
			for sent[i].Sub(sent[j]) >= r.Per {
				j++
			}
			if i-j+1 > r.Events {
				t.Fatalf("%v: %d sent within %v ending %v", r, i-j+1, r.Per, sent[i])
			}
		}
		if len(sent) < 100 {
			t.Errorf("%v: only %d sent", r, len(sent))
		}
	}
}
