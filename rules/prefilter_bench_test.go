package rules

import (
	"fmt"
	"testing"

	"github.com/roomwatch/roomwatch/tailer"
)

// manyRules returns n distinct rules of the kinds an operator adds one by
// one: a service name, an error code, a job, each with its own literal.
func manyRules(n int) []string {
	kinds := []string{
		`service-%d\[[0-9]+\]: .*(failed|crashed)`,
		`(?P<code>E%04d) `,
		`worker %d (died|exited with status [1-9][0-9]*)`,
		`job-%d: (timeout|connection refused)`,
		`tenant=acme%d .*quota exceeded`,
	}
	exprs := make([]string, n)
	for i := range exprs {
		exprs[i] = fmt.Sprintf(kinds[i%len(kinds)], i)
	}
	return exprs
}

// BenchmarkSetMatch matches every loghub line (one line per op) with 10,
// 40 and 200 rules (the benchmark's 40, cut or extended), with and
// without the prefilter.
func BenchmarkSetMatch(b *testing.B) {
	lines := loghubLines(b)
	exprs := benchExprs(b)
	sizes := map[int][]string{10: exprs[:10], 40: exprs, 200: append(exprs[:len(exprs):len(exprs)], manyRules(160)...)}
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
