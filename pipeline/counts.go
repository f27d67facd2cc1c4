package pipeline

import (
	"sync"
	"sync/atomic"

	"github.com/roomwatch/roomwatch/rules"
)

// counts holds the engine's counters per file and per rule, safe for
// concurrent use; a lineCounter adds to them.
type counts struct {
	files sync.Map // file path -> *atomic.Uint64, lines read
	rules sync.Map // rule name -> *atomic.Uint64, matches
}

// counterOf returns the counter of k in m, adding it if needed.
func counterOf(m *sync.Map, k string) *atomic.Uint64 {
	v, ok := m.Load(k)
	if !ok {
		v, _ = m.LoadOrStore(k, new(atomic.Uint64))
	}
	return v.(*atomic.Uint64)
}

// lineCounter counts lines and matches into counts from one goroutine,
// the engine's handler, keeping the counters it used: lines come in
// batches of one file, and matches of a few rules, so most lines cost an
// atomic add and a comparison.
type lineCounter struct {
	c     *counts
	file  string
	fileN *atomic.Uint64
	rules map[*rules.Rule]*atomic.Uint64
}

func (lc *lineCounter) line(file string) {
	if lc.fileN == nil || file != lc.file {
		lc.file, lc.fileN = file, counterOf(&lc.c.files, file)
	}
	lc.fileN.Add(1)
}

func (lc *lineCounter) match(r *rules.Rule) {
	n := lc.rules[r]
	if n == nil {
		if lc.rules == nil || len(lc.rules) > 4096 {
			lc.rules = map[*rules.Rule]*atomic.Uint64{} // rules of earlier configs go
		}
		n = counterOf(&lc.c.rules, r.Name)
		lc.rules[r] = n
	}
	n.Add(1)
}

func snapshot(m *sync.Map) map[string]uint64 {
	out := map[string]uint64{}
	m.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Uint64).Load()
		return true
	})
	return out
}

// LinesByFile returns the lines handled per file ("-" for standard input).
func (en *Engine) LinesByFile() map[string]uint64 { return snapshot(&en.count.files) }

// MatchesByRule returns the matches per rule name.
func (en *Engine) MatchesByRule() map[string]uint64 { return snapshot(&en.count.rules) }
