package match

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/rules/internal/match/matchtest"
)

// generated returns n random regexes from a fixed seed: atoms of every
// kind the engine treats apart, in groups, alternations and repetitions,
// and a third of them of the form literal.*rest.
func generated(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 3))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	atoms := []string{
		"a", "b", "ab", "foo", "é", "ß", `\x00`, `\r`, `\n`, " ", ".", "[a-c]", "[^ ]", `\d`, `\w`, `\s`, `\S`,
		`\pL`, `\p{Greek}`, `[^\x00-\x7f]`, `\x{FFFD}`, "(?i:k)", "(?i:ss)", "(?i:ab)", `\b`, `\B`, "^", "$",
		"(?m:^)", "(?m:$)", `\A`, `\z`, "(?s:.)",
	}
	quants := []string{"", "", "", "*", "+", "?", "*?", "+?", "??", "{2}", "{1,3}", "{0,2}?"}
	var expr func(depth int) string
	expr = func(depth int) string {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			var x string
			switch k := rng.IntN(10); {
			case depth < 2 && k < 2:
				x = "(" + expr(depth+1) + "|" + expr(depth+1) + ")"
			case depth < 2 && k < 4:
				x = fmt.Sprintf("(?P<g%d>%s)", rng.IntN(3), expr(depth+1))
			case depth < 2 && k < 5:
				x = "(?:" + expr(depth+1) + ")"
			default:
				x = pick(atoms)
			}
			if q := pick(quants); q != "" {
				if !strings.HasPrefix(x, "(") {
					x = "(?:" + x + ")"
				}
				x += q
			}
			b.WriteString(x)
		}
		return b.String()
	}
	flags := []string{"", "", "", "(?i)", "(?s)", "(?m)", "(?U)"}
	var out []string
	for len(out) < n {
		var e string
		switch rng.IntN(3) {
		case 0:
			e = pick([]string{"foo", "a", "ab", "é", "x y"}) + pick([]string{".*", ".*?", "(?s:.*)"}) +
				pick([]string{"b", "a", "ab", "foo", `\n`}) + expr(1)
		default:
			e = pick(flags) + expr(0)
		}
		if _, err := regexp.Compile(e); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// corpusRegexes is the differential test's regexes: hand-picked ones,
// the engine's own test regexes, the benchmark's rules and generated ones.
func corpusRegexes(t testing.TB, ngen int) []string {
	exprs := slices.Concat(matchtest.HandPicked, matchtest.Tricky, backtrackRegexes, dotStarRegexes, notDotStar,
		matchtest.BenchExprs(t), matchtest.ManyRules(10), generated(ngen, 14))
	slices.Sort(exprs)
	return slices.Compact(exprs)
}

// longLines are lines of n bytes made of pieces that the corpus's
// literals are made of, so that literals recur thousands of times.
func longLines(n int) []string {
	pieces := [][]string{
		{"ssh: Failed password for from ", "sshd user ", " from ", " port ", "x"},
		{"foob", "b", "c", "a", "=", "1", "é", "\x00", "\r\n", "\xff"},
		{"alpha", "beta", "delta ", "a=1", "(", "k", "s", "error ", "ab"},
	}
	var out []string
	for i, ps := range pieces {
		rng := rand.New(rand.NewPCG(uint64(n), uint64(i)))
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(ps[rng.IntN(len(ps))])
		}
		out = append(out, b.String()[:n])
	}
	return out
}

// differ compares, for one regex over lines, the Finder's positions, the
// automaton's answer and the prefilter's with the regexp package's. It
// counts which paths answered in paths and returns the pairs compared.
func differ(t *testing.T, expr string, lines []string, paths map[string]int) int {
	t.Helper()
	re := regexp.MustCompile(expr)
	f := NewFinder(re)
	a := NewAutomaton(expr, maxDFACells)
	p := NewPrefilter([]string{expr})
	lits, hasLits := required(expr)
	cand := make([]uint64, p.Words())
	for _, line := range lines {
		want := re.FindStringSubmatchIndex(line)
		got := f.Find(line)
		if !slices.Equal(got, want) {
			t.Errorf("%q on %q: engine %v, regexp %v", expr, clip(line), got, want)
			continue
		}
		switch {
		case f.ds != nil:
			paths["dotStar"]++
		case f.bt != nil && len(line) <= f.bt.maxLen && isASCII(line):
			paths["backtracker"]++
		default:
			paths["regexp"]++
		}
		if m, ok := a.Match(line); ok {
			paths["automaton"]++
			if m != (want != nil) {
				t.Errorf("%q on %q: automaton %v, regexp %v", expr, clip(line), m, want != nil)
			}
		}
		p.Candidates(line, cand)
		isCand := cand[0]&1 != 0
		if want != nil && !isCand {
			t.Errorf("%q on %q: matches but the prefilter rules it out", expr, clip(line))
		}
		if hasLits && isCand != containsAny(line, lits) {
			t.Errorf("%q on %q: prefilter %v, literals %q", expr, clip(line), isCand, lits)
		}
		if want != nil {
			paths["matched"]++
		}
	}
	return len(lines)
}

// clip shortens a long line for a message.
func clip(s string) string {
	if len(s) > 200 {
		return fmt.Sprintf("%s...(%d bytes)", s[:200], len(s))
	}
	return s
}

// TestDifferential holds every path of the engine to the regexp package:
// for each regex of the corpus (hand-picked, the engine's own, the
// benchmark's rules, a few hundred generated from a fixed seed) and each
// line (loghub samples, random, crafted, long, and for each regex a line
// of its own literals repeated), the positions of the match and of every
// group, whether the automaton says it matches, whether the prefilter
// keeps it. A disagreement is a bug of the engine. The test also fails if
// a path it means to cover answered for too few pairs, so that the
// corpus cannot drift away from what it tests.
func TestDifferential(t *testing.T) {
	ngen, every, random, huge := 300, 6, 200, true
	if testing.Short() {
		// The race detector's pass: a twentieth of the pairs.
		ngen, every, random, huge = 50, 80, 50, false
	}
	exprs := corpusRegexes(t, ngen)
	lines := slices.Concat(matchtest.LoghubSample(t, every), matchtest.RandomLines(random, 21),
		matchtest.ASCIILines(random, 22), matchtest.CraftedLines())
	longs := longLines(8 << 10)
	// Lines of 64 KiB (max_line_bytes) for the hand-picked regexes and
	// the benchmark's rules: the regexp package takes milliseconds for
	// each, too long for every regex.
	var huges []string
	if huge {
		huges = longLines(64 << 10)
	}
	heavy := map[string]bool{}
	for _, e := range slices.Concat(matchtest.HandPicked, matchtest.BenchExprs(t)) {
		heavy[e] = true
	}
	paths := map[string]int{}
	pairs := 0
	for _, expr := range exprs {
		ls := slices.Concat(lines, longs, []string{ownLine(expr, 4<<10)})
		if heavy[expr] {
			ls = slices.Concat(ls, huges, []string{ownLine(expr, 64<<10)})
		}
		pairs += differ(t, expr, ls, paths)
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d regexes × %d lines (+%d of 8 KiB, +1 of 4 KiB of its own literals; +%d of 64 KiB for %d of them): "+
		"%d pairs compared; answered by %v", len(exprs), len(lines), len(longs), len(huges)+1, len(heavy), pairs, paths)
	for path, least := range map[string]int{
		"dotStar": 20000, "backtracker": 50000, "regexp": 20000, "automaton": 50000, "matched": 20000,
	} {
		if testing.Short() {
			least /= 20
		}
		if paths[path] < least {
			t.Errorf("%s answered %d pairs, want at least %d: the corpus no longer covers it", path, paths[path], least)
		}
	}
}

// ownLine returns a line of n bytes made of the literals of expr (those
// the prefilter requires and the leading ones dotStar looks for)
// repeated, the worst case for an engine that retries at every
// occurrence.
func ownLine(expr string, n int) string {
	pieces, _ := required(expr)
	if d := newDotStar(expr); d != nil {
		pieces = append(pieces, d.lit, d.tailLit)
	}
	if len(pieces) == 0 {
		pieces = []string{"a"}
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(pieces[i%len(pieces)])
	}
	return b.String()
}

// FuzzDifferential is TestDifferential for any regex and line.
func FuzzDifferential(f *testing.F) {
	for i, e := range matchtest.HandPicked {
		f.Add(e, matchtest.CraftedLines()[i%len(matchtest.CraftedLines())])
	}
	for i, e := range generated(40, 14) {
		f.Add(e, matchtest.ASCIILines(1, uint64(i))[0])
	}
	f.Add(`foo.*b(?P<x>.*)c`, "foo"+strings.Repeat("b", 3000))
	f.Fuzz(func(t *testing.T, expr, line string) {
		if _, err := regexp.Compile(expr); err != nil {
			return
		}
		differ(t, expr, []string{line, ownLine(expr, 512)}, map[string]int{})
	})
}
