package match

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/rules/internal/match/matchtest"
)

// backtrackRegexes stress what a backtracker can get wrong: the order of
// alternatives, greedy against lazy, groups inside loops (the last
// iteration wins, an unused one is -1), empty matches, and every
// assertion.
var backtrackRegexes = []string{
	`(a|ab)(c|bcd)(d*)`, `(a+)(a*)`, `(a+?)(a*)`, `(a*)+`, `(a|b)*c`, `(?:(a)|(b))+`, `(a*)*b`,
	`x*`, `(x?)(x?)(x?)$`, `^(\w+)\s*=\s*(.*?)\s*$`, `\b(\w+)\b`, `\B(o+)\B`, `(?m)^(\w+)$`,
	`(?m)(a)$`, `\A(a)|(b)\z`, `(?s)a(.)c`, `a(.)c`, `(?i)(k)(s)`, `[^ ]+ (\d+)`, `(\d{2,3})-(\d{1,})`,
	`(?U)(a+)(a+)`, `()`, `(|a)+`, `(a|)+b`, `((a)|b)*`, `(?P<n>x)|(?P<n>y)`, `(a)(?:b|(c))`,
	`Failed password for (invalid user )?(?P<user>[^ ]+) from (?P<ip>[0-9.]+)`,
	`authentication failure;.*rhost=(?P<rhost>[^ ]+)( +user=(?P<user>[^ ]+))?`,
	`kernel: .*(IN=[a-z0-9]+ OUT=.* DPT=(?P<port>[0-9]+))`, `(?i)(?:fatal|panic):\s+(?P<what>.*)`,
}

// TestBacktrackerAgreesWithRegexp: wherever the backtracker answers, it
// answers what FindStringSubmatchIndex does, for the regexes above, the
// tricky ones, the benchmark's and made-up rules, on real and random
// lines; it leaves non-ASCII text to the regexp package.
func TestBacktrackerAgreesWithRegexp(t *testing.T) {
	exprs := slices.Concat(backtrackRegexes, matchtest.Tricky, matchtest.ManyRules(20), matchtest.BenchExprs(t))
	lines := matchtest.LoghubSample(t, 25)
	// Few enough that this runs in seconds under the race detector.
	lines = append(lines, matchtest.ASCIILines(500, 3)...)
	lines = append(lines, matchtest.RandomLines(150, 4)...)
	lines = append(lines, "", "a", "ab", "abcd", "aaa", "xxx", "k=v", " k = v ", "a\nb", "foo bar", "IN=eth0 OUT= DPT=22")
	for _, expr := range exprs {
		re := regexp.MustCompile(expr)
		bt := newBacktracker(expr)
		if bt == nil {
			t.Errorf("%q: no backtracker", expr)
			continue
		}
		for _, line := range lines {
			got, ok := bt.find(line)
			if !ok {
				if isASCII(line) {
					t.Fatalf("%q on %q: the backtracker did not answer for ASCII text", expr, line)
				}
				continue
			}
			if want := re.FindStringSubmatchIndex(line); !slices.Equal(got, want) {
				t.Fatalf("%q on %q: backtracker %v, regexp %v", expr, line, got, want)
			}
		}
	}
}

// TestBacktrackerRandom: random regexes over random lines of a few
// letters, so that alternatives overlap and loops repeat.
func TestBacktrackerRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	atoms := []string{"a", "b", "ab", ".", "[ab]", "[^a]", `\w`, `\s`, " ", "(a)", "(b|ab)", "(a|)", "(?:ab|a)", `\b`, "^", "$", "(?m:^)", "(?m:$)"}
	quants := []string{"", "", "*", "+", "?", "*?", "+?", "??", "{2}", "{1,2}"}
	for range 600 {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			atom := pick(atoms)
			if q := pick(quants); q != "" && !strings.ContainsAny(atom, `^$\`) {
				atom = "(" + atom + ")" + q
			}
			b.WriteString(atom)
		}
		expr := b.String()
		re, err := regexp.Compile(expr)
		if err != nil {
			continue
		}
		bt := newBacktracker(expr)
		for range 40 {
			var l strings.Builder
			for range rng.IntN(10) {
				l.WriteString(pick([]string{"a", "b", " ", "ab", "\n", "c"}))
			}
			line := l.String()
			got, ok := bt.find(line)
			if !ok {
				t.Fatalf("%q on %q: no answer", expr, line)
			}
			if want := re.FindStringSubmatchIndex(line); !slices.Equal(got, want) {
				t.Fatalf("%q on %q: backtracker %v, regexp %v", expr, line, got, want)
			}
		}
	}
}

func FuzzBacktracker(f *testing.F) {
	for i, e := range backtrackRegexes {
		f.Add(e, matchtest.ASCIILines(1, uint64(i))[0])
	}
	f.Fuzz(func(t *testing.T, expr, line string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		bt := newBacktracker(expr)
		if bt == nil {
			return
		}
		got, ok := bt.find(line)
		if !ok {
			return
		}
		if want := re.FindStringSubmatchIndex(line); !slices.Equal(got, want) {
			t.Fatalf("%q on %q: backtracker %v, regexp %v", expr, line, got, want)
		}
	})
}
