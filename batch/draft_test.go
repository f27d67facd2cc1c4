package batch

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestDraftCountsLikeAModel adds and takes back lines of many shapes in
// random order, below and past the point where a draft indexes its
// shapes, and wants the counts of a plain model: the first max_lines
// shapes shown in arrival order, each with its count, the rest in More.
func TestDraftCountsLikeAModel(t *testing.T) {
	for _, maxLines := range []int{3, maxScan, maxScan + 1, 60} {
		t.Run(fmt.Sprint("max_lines=", maxLines), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(maxLines), 3))
			r := testRule("r", nil)
			r.MaxLines = maxLines
			f := newDraft(Key{Rule: "r"}, r, nil, time.Time{})
			type added struct {
				shape uint64
				ip    int
				shown bool
				vals  []uint8
			}
			var scratch []span
			var log []added
			for range 1000 {
				if len(log) > 0 && rng.IntN(4) == 0 {
					// Take back the oldest line, as an expiring threshold does.
					a := log[0]
					log = log[1:]
					f.remove(a.shape, a.shown, a.vals, time.Time{})
				} else {
					shape := uint64(rng.IntN(2 * maxLines))
					ip := rng.IntN(4)
					shown, vals := f.add(lineText(shape, ip), shape, time.Time{}, &scratch, true)
					log = append(log, added{shape, ip, shown, vals})
				}
				// The model: lines in the draft, in order of their shapes'
				// first showing, counted.
				var want []Line
				more := 0
				for _, a := range log {
					if !a.shown {
						more++
					}
				}
				counts := map[uint64]int{}
				ips := map[uint64]map[string]int{}
				for _, a := range log {
					if a.shown {
						counts[a.shape]++
						if ips[a.shape] == nil {
							ips[a.shape] = map[string]int{}
						}
						ips[a.shape][fmt.Sprint("10.0.0.", a.ip)]++
					}
				}
				for i, h := range f.shapes {
					want = append(want, Line{Text: f.d.Lines[i].Text, Count: counts[h]})
					if got := valueCounts(f.d.Lines[i]); !cmp.Equal(got, ips[h]) {
						t.Fatalf("line %q values %v, want %v", f.d.Lines[i].Shown(), got, ips[h])
					}
					delete(counts, h)
				}
				if len(counts) != 0 {
					t.Fatalf("shown shapes %v missing from the draft", counts)
				}
				if diff := cmp.Diff(want, f.d.Lines, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Line{}, "Values")); diff != "" {
					t.Fatalf("lines (-want +got):\n%s", diff)
				}
				if f.d.More != more || f.d.Count != len(log) {
					t.Fatalf("more %d count %d, want %d and %d", f.d.More, f.d.Count, more, len(log))
				}
				for i, h := range f.shapes {
					if f.find(h) != i {
						t.Fatalf("find(%d) = %d, want %d", h, f.find(h), i)
					}
				}
			}
		})
	}
}

func lineText(shape uint64, ip int) string {
	return fmt.Sprint("line ", shape, " from 10.0.0.", ip)
}

// valueCounts returns how many lines of l had each value of its second
// hole (the address), from its fields or, if none varied, its text.
func valueCounts(l Line) map[string]int {
	at := strings.Index(l.Text, "10.0.0.")
	for _, f := range l.Values {
		if f.Start != at {
			continue
		}
		got := map[string]int{}
		for _, v := range f.Values {
			if v.Count > 0 {
				got[v.Text] = v.Count
			}
		}
		return got
	}
	return map[string]int{l.Text[at:]: l.Count}
}
