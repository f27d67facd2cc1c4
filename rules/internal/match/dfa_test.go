package match

import (
	"regexp"
	"slices"
	"testing"

	"github.com/roomwatch/roomwatch/rules/internal/match/matchtest"
)

// TestDFAAgreesWithRegexp: wherever the automaton answers, it answers
// what the regexp package does, for the tricky regexes, the benchmark's
// rules and many made-up rules, on real and random lines.
func TestDFAAgreesWithRegexp(t *testing.T) {
	exprs := slices.Concat(matchtest.Tricky, matchtest.ManyRules(20), matchtest.BenchExprs(t))
	// Every third real line and random ones: with a hundred regexes this
	// runs under the race detector in CI.
	lines := matchtest.LoghubSample(t, 3)
	lines = append(lines, matchtest.ASCIILines(2000, 1)...)
	lines = append(lines, matchtest.RandomLines(500, 2)...)
	for _, expr := range exprs {
		re := regexp.MustCompile(expr)
		d := NewAutomaton(expr, maxDFACells)
		if d == nil {
			continue
		}
		answered := 0
		for _, line := range lines {
			got, ok := d.Match(line)
			if !ok {
				continue
			}
			answered++
			if want := re.MatchString(line); got != want {
				t.Fatalf("%q on %q: automaton says %v, regexp %v", expr, line, got, want)
			}
		}
		if answered == 0 {
			t.Errorf("%q: the automaton answered for no line", expr)
		}
	}
}

// TestDFAWhereItApplies: an automaton is made for plain regexes, also
// with ^ and $, and not for line and word assertions; it leaves empty and
// non-ASCII text to the regexp package.
func TestDFAWhereItApplies(t *testing.T) {
	for expr, want := range map[string]bool{
		`Failed password for (?P<user>\S+) from`: true,
		`^\d+ `:                                  true,
		`ERROR$|^WARN`:                           true,
		`\Aa|b\z`:                                true,
		`(?i)kelvin`:                             true,
		`\bsshd\b`:                               false,
		`x\By`:                                   false,
		`(?m)^INFO$`:                             false,
		`(a|b|c|d|e)+f.*g`:                       true,
	} {
		if got := NewAutomaton(expr, maxDFACells) != nil; got != want {
			t.Errorf("%q: automaton made %v, want %v", expr, got, want)
		}
	}
	d := NewAutomaton(`[ab]c`, maxDFACells)
	for _, s := range []string{"", "é a", "b\xff a"} {
		if _, ok := d.Match(s); ok {
			t.Errorf("%q: the automaton answered, want it left to the regexp package", s)
		}
	}
	// A regex with a literal prefix starts at its first occurrence: what
	// comes before does not matter, what comes after does.
	d = NewAutomaton(`ab+c`, maxDFACells)
	for s, want := range map[string]struct{ matched, ok bool }{
		"é abbc":    {true, true},
		"\xff ab c": {false, true},
		"é xyz":     {false, true}, // no "ab": no match
		"ab é bc":   {false, false},
		"abbé":      {false, false},
	} {
		if matched, ok := d.Match(s); matched != want.matched || ok != want.ok {
			t.Errorf("ab+c on %q: (%v, %v), want (%v, %v)", s, matched, ok, want.matched, want.ok)
		}
	}
	for _, expr := range []string{`(a|b)*a(a|b){14}`, `g.{0,20}h`} {
		if NewAutomaton(expr, maxDFACells) != nil {
			t.Errorf("%q: an automaton of exponential size was made; want none past maxDFACells", expr)
		}
	}
}

// FuzzDFA compares the automaton with the regexp package on any regex
// and line for which it answers.
func FuzzDFA(f *testing.F) {
	for i, e := range matchtest.Tricky {
		f.Add(e, matchtest.ASCIILines(1, uint64(i))[0])
	}
	f.Add(`^$`, "x")
	f.Add(`a$|^b`, "ba")
	f.Add(`(?i)K`, "k")
	f.Add(`(?s).`, "\n")
	f.Add(`[^\n]x`, "\nx")
	f.Fuzz(func(t *testing.T, expr, line string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		d := NewAutomaton(expr, maxDFACells)
		got, ok := d.Match(line)
		if !ok {
			return
		}
		if want := re.MatchString(line); got != want {
			t.Fatalf("%q on %q: automaton says %v, regexp %v", expr, line, got, want)
		}
	})
}
