package rules

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// asciiLines returns random ASCII lines made of pieces that the tricky
// regexes and the benchmark's rules look for, so that many of them match.
func asciiLines(n int, seed uint64) []string {
	pieces := []string{
		"kernel", "KERNEL", "Panic", " ", "error", "Error", "ERROR", "warn", "color", "colour", "foo", "bar",
		"xxy", "sshd", "a", "b", "c", "d", "\n", "Exception", "Failed password for ", "123 ", "INFO", "a.b",
		"ab", "bcd", "FAIL", "denied", "refused", "timed out", "timeout", ":", "\t", "0", "9", "root from ",
		"10.0.0.1", " port ", "authentication failure; rhost=", " user=", "Timeout waiting", "WARN", "$",
		"kelvin", "KELVIN", "sss", "SSS", ".", "-", "[error] ", "2015-07-29 17:41:44,747 - ", "FATAL ",
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	lines := make([]string, n)
	for i := range lines {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		lines[i] = b.String()
	}
	return lines
}

// TestDFAAgreesWithRegexp: wherever the automaton answers, it answers
// what the regexp package does, for the tricky regexes, the benchmark's
// rules and many made-up rules, on real and random lines.
func TestDFAAgreesWithRegexp(t *testing.T) {
	exprs := slices.Concat(trickyRegexes, manyRules(20), benchExprs(t))
	// Every third real line and random ones: with a hundred regexes this
	// runs under the race detector in CI.
	lines := loghubSample(t, 3)
	lines = append(lines, asciiLines(2000, 1)...)
	lines = append(lines, randomLines(500, 2)...)
	for _, expr := range exprs {
		re := regexp.MustCompile(expr)
		d := newDFA(expr, maxDFACells)
		if d == nil {
			continue
		}
		answered := 0
		for _, line := range lines {
			got, ok := d.match(line)
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
		if got := newDFA(expr, maxDFACells) != nil; got != want {
			t.Errorf("%q: automaton made %v, want %v", expr, got, want)
		}
	}
	d := newDFA(`[ab]c`, maxDFACells)
	for _, s := range []string{"", "é a", "b\xff a"} {
		if _, ok := d.match(s); ok {
			t.Errorf("%q: the automaton answered, want it left to the regexp package", s)
		}
	}
	// A regex with a literal prefix starts at its first occurrence: what
	// comes before does not matter, what comes after does.
	d = newDFA(`ab+c`, maxDFACells)
	for s, want := range map[string]struct{ matched, ok bool }{
		"é abbc":    {true, true},
		"\xff ab c": {false, true},
		"é xyz":     {false, true}, // no "ab": no match
		"ab é bc":   {false, false},
		"abbé":      {false, false},
	} {
		if matched, ok := d.match(s); matched != want.matched || ok != want.ok {
			t.Errorf("ab+c on %q: (%v, %v), want (%v, %v)", s, matched, ok, want.matched, want.ok)
		}
	}
	for _, expr := range []string{`(a|b)*a(a|b){14}`, `g.{0,20}h`} {
		if newDFA(expr, maxDFACells) != nil {
			t.Errorf("%q: an automaton of exponential size was made; want none past maxDFACells", expr)
		}
	}
}

func mustLoadBench(t testing.TB) *Loaded {
	t.Helper()
	cfg, err := Load("../bench/rules.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// FuzzDFA compares the automaton with the regexp package on any regex
// and line for which it answers.
func FuzzDFA(f *testing.F) {
	for i, e := range trickyRegexes {
		f.Add(e, asciiLines(1, uint64(i))[0])
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
		d := newDFA(expr, maxDFACells)
		got, ok := d.match(line)
		if !ok {
			return
		}
		if want := re.MatchString(line); got != want {
			t.Fatalf("%q on %q: automaton says %v, regexp %v", expr, line, got, want)
		}
	})
}

// TestDFABudgetOfASet: the automata of one set together stay within
// maxSetDFACells; rules past the budget run on the regexp package alone,
// with the same results.
func TestDFABudgetOfASet(t *testing.T) {
	defer func(n int) { maxSetDFACells = n }(maxSetDFACells)
	maxSetDFACells = 20000
	var exprs []string
	for i := range 120 {
		exprs = append(exprs, fmt.Sprintf(`(a|b)*a(a|b){6}z%d`, i))
	}
	set := mustParse(t, rulesConfig(exprs, false)).Set
	line := strings.Repeat("ab", 20) + "z7"
	got := outcomeOf(set, line)
	cells, without := 0, 0
	for _, run := range set.runs {
		cells += run.match.cells()
		if run.match == nil {
			without++
		}
	}
	if cells > maxSetDFACells || without == 0 || without == len(exprs) {
		t.Errorf("%d cells in all, %d of %d rules without an automaton; want at most %d cells and some of each",
			cells, without, len(exprs), maxSetDFACells)
	}
	direct := &Set{rules: set.rules, direct: true}
	if want := outcomeOf(direct, line); !cmp.Equal(want, got) {
		t.Errorf("outcome %+v, want %+v", got, want)
	}
}

// FuzzSetMatch compares a Set, with its prefilter and automata, with
// running every regex, for rules made of any regex (as match, as unless,
// with and without captures taken) over any line.
func FuzzSetMatch(f *testing.F) {
	for i, e := range trickyRegexes {
		f.Add(e, asciiLines(1, uint64(i))[0])
	}
	f.Add(`Failed password for (?P<user>\S+) from (?P<ip>[0-9.]+)`, "sshd: Failed password for root from 1.2.3.4 port 22")
	f.Fuzz(func(t *testing.T, expr, line string) {
		if _, err := regexp.Compile(expr); err != nil || strings.ContainsAny(expr, "'\n") {
			return
		}
		config := fmt.Sprintf(`destinations: {o: {type: console}}
rules:
  - {name: plain, match: '%[1]s', continue: true}
  - {name: vetoed, match: 'x|%[1]s', unless: '%[1]s', continue: true}
  - {name: grouped, match: '(?P<g>%[1]s)', group_by: [g], continue: true}
  - {name: dropped, match: '%[1]s', action: drop}
  - {name: after, match: '.'}
`, expr)
		cfg, err := Parse([]byte(config), "fuzz.yaml", testOptions())
		if err != nil {
			return
		}
		plain := &Set{rules: cfg.Set.rules, direct: true}
		if diff := cmp.Diff(outcomeOf(plain, line), outcomeOf(cfg.Set, line)); diff != "" {
			t.Fatalf("%q on %q: (-every regex +set):\n%s", expr, line, diff)
		}
	})
}
