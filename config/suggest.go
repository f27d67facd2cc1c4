package config

import "fmt"

// DidYouMean returns `; did you mean "x"?` for the known word nearest to
// got, or "" when none is near enough to be what was meant: at most one
// edit for short words, two for longer ones (a letter added, dropped,
// changed, or two swapped: colour, destinaton, hipcaht).
func DidYouMean(got string, known []string) string {
	best, bestD := "", -1
	for _, k := range known {
		d := editDistance(got, k)
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	limit := 1
	if len(got) > 5 {
		limit = 2
	}
	if bestD < 1 || bestD > limit {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // not a typo of a key
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
