package rules

import (
	"fmt"
	"testing"

	"github.com/roomwatch/roomwatch/rules/internal/match/matchtest"
	"github.com/roomwatch/roomwatch/tailer"
)

// BenchmarkSetMatch matches every loghub line (one line per op) with 10,
// 40 and 200 rules (the benchmark's 40, cut or extended), with and
// without the prefilter.
func BenchmarkSetMatch(b *testing.B) {
	lines := matchtest.LoghubLines(b)
	exprs := benchExprs(b)
	sizes := map[int][]string{10: exprs[:10], 40: exprs, 200: append(exprs[:len(exprs):len(exprs)], matchtest.ManyRules(160)...)}
	for _, n := range []int{10, 40, 200} {
		cfg, err := Parse([]byte(rulesConfig(sizes[n], false)), "bench.yaml", testOptions())
		if err != nil {
			b.Fatal(err)
		}
		for _, mode := range []string{"prefilter", "plain"} {
			set := cfg.Set
			if mode == "plain" {
				set = &Set{rules: cfg.Set.rules, direct: true}
			}
			b.Run(fmt.Sprintf("rules=%d/%s", n, mode), func(b *testing.B) {
				b.ReportAllocs()
				// The first Match builds the prefilter and the automata.
				buf := set.Match(tailer.Line{Text: lines[0]}, nil)
				i := 0
				for b.Loop() {
					buf = set.Match(tailer.Line{Text: lines[i]}, buf[:0])
					if i++; i == len(lines) {
						i = 0
					}
				}
			})
		}
	}
}
