package batch

import (
	"fmt"
	"math/rand/v2"
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
				shown bool
			}
			var log []added
			for range 1000 {
				if len(log) > 0 && rng.IntN(4) == 0 {
					// Take back the oldest line, as an expiring threshold does.
					a := log[0]
					log = log[1:]
					f.remove(a.shape, a.shown, time.Time{})
				} else {
					shape := uint64(rng.IntN(2 * maxLines))
					log = append(log, added{shape, f.add(fmt.Sprint("line ", shape), shape, time.Time{})})
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
				for _, a := range log {
					if a.shown {
						counts[a.shape]++
					}
				}
				for _, h := range f.shapes {
					want = append(want, Line{Text: fmt.Sprint("line ", h), Count: counts[h]})
					delete(counts, h)
				}
				if len(counts) != 0 {
					t.Fatalf("shown shapes %v missing from the draft", counts)
				}
				if diff := cmp.Diff(want, f.d.Lines, cmpopts.EquateEmpty()); diff != "" {
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
