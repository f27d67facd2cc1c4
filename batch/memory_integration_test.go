package batch

import (
	"strconv"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// A storm of a million unique lines, or of a million distinct group_by
// values, keeps memory flat: the live heap after the storm is about what
// it was after its first tenth.
func TestMemoryFlatUnderStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("a million matches per case")
	}
	const n = 1_000_000
	unique := testRule("r", func(r *rules.Rule) { r.Wait = time.Hour })
	groups := testRule("ssh", func(r *rules.Rule) { r.Wait = time.Hour; r.GroupBy = []string{"ip"} })
	tests := []struct {
		name string
		mk   func(buf []byte, i int) rules.Match
		keys int // open keys expected after the storm
	}{
		{"unique lines", func(buf []byte, i int) rules.Match { return match(unique, uniqueText(buf, i)) }, 1},
		{"distinct groups", func(buf []byte, i int) rules.Match {
			ip := "10." + strconv.Itoa(i>>16) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
			return match(groups, "Failed password for root from "+ip, ip)
		}, DefaultMaxKeysPerRule + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []*Digest
			b := New(Options{Send: func(d *Digest) { got = append(got, d) }})
			buf := make([]byte, 0, 64)
			base := heapMiB()
			var tenth float64
			for i := range n {
				b.Add(tt.mk(buf, i))
				if i == n/10 {
					tenth = heapMiB()
				}
			}
			end := heapMiB()
			t.Logf("live heap: %.2f MiB before, %.2f MiB after %d matches, %.2f MiB after %d", base, tenth, n/10, end, n)
			if grew := end - tenth; grew > 1 {
				t.Errorf("heap grew %.2f MiB from %d to %d matches, want flat (< 1 MiB)", grew, n/10, n)
			}
			if open := b.Open(); open != tt.keys {
				t.Errorf("Open() = %d, want %d", open, tt.keys)
			}
			b.Flush()
			total, folded := 0, 0
			for _, d := range got {
				total += d.Count
				folded += d.Folded
				checkSum(t, d, 20)
			}
			if total != n {
				t.Errorf("digests count %d lines, want %d", total, n)
			}
			if tt.keys > 1 {
				want := n - DefaultMaxKeysPerRule
				if d := folded - want; d > want/20 || -d > want/20 {
					t.Errorf("overflow digest folded %d keys, want about %d", folded, want)
				}
				t.Logf("overflow digest: Folded %d (exact %d)", folded, want)
			}
		})
	}
}
