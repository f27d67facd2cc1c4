package rules

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/tailer"
)

// trickyRegexes are regexes whose literals are easy to get wrong.
var trickyRegexes = []string{
	`(?i)kernel panic`, `(?i)ERROR|warn`, `colou?r`, `a*`, `^$`, `(?:foo)?bar`, `x{2,}y`, `x{0,3}y`,
	`\bsshd\b`, `[Ee]rror`, `(?i)straße`, `日本語`, `(?i)ſ`, `\x{212A}elvin`, `(?i)kelvin`, `(?i)sss`, `.`,
	`(a|b|c)+d`, `(foo|)bar`, `(?s)a.b`, `\x{FFFD}`, `(?i)[a-z]+Exception`, `Failed (password|publickey) for`,
	`^\d+ `, `(?m)^INFO$`, `(?U)a+?b`, `\Qa.b\E`, `[^a]bc`, `(?i)É`, `é`, `(?i)é`, `(?i)Σ`, `(error|)`, `$`,
	`(?i)(?:fatal|panic):\s+(?P<what>.*)`, `(ab){3}c`, `(a|ab)(c|bcd)(d*)`, `[[:upper:]]+FAIL`, `\d{3} \d+$`,
	`(?i)ssh(d)?`, `(?P<x>x)|(?P<y>yy)`, `(?i)(failed|refused|timed? ?out)`, `\pL+ denied`, `ERROR$|^WARN`,
}

// loghubLines returns every line of the loghub samples.
func loghubLines(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../testdata/loghub/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no loghub samples: %v", err)
	}
	var lines []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			lines = append(lines, strings.TrimSuffix(l, "\r"))
		}
	}
	return lines
}

// loghubSample returns every nth loghub line: the samples hold ten
// thousand lines, much alike, and a test that runs many regexes over
// them under the race detector takes a part.
func loghubSample(t testing.TB, n int) []string {
	var lines []string
	for i, l := range loghubLines(t) {
		if i%n == 0 {
			lines = append(lines, l)
		}
	}
	return lines
}

// benchExprs returns the match regexes of the benchmark's rules.
func benchExprs(t testing.TB) []string {
	var exprs []string
	for _, r := range mustLoadBench(t).Set.Rules() {
		exprs = append(exprs, r.match.String())
	}
	return exprs
}

// randomLines returns lines built from pieces of the tricky regexes'
// text, loghub words, odd case, unicode and invalid UTF-8.
func randomLines(n int, seed uint64) []string {
	pieces := []string{
		"kernel", "KERNEL", "Panic", " ", "error", "Error", "ERROR", "warn", "color", "colour", "foo", "bar",
		"xxy", "sshd", "straße", "STRASSE", "日本語", "ſ", "\u212Aelvin", "kelvin", "KELVIN", "a", "b", "c", "d",
		"\n", "\xff", "\xc3", "\ufffd", "é", "É", "Σ", "σ", "ς", "Exception", "Failed password for", "123 ",
		"INFO", "a.b", "ab", "bcd", "FAIL", "denied", "refused", "timed out", "timeout", ":", "\t", "0", "9",
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	lines := make([]string, n)
	for i := range lines {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		lines[i] = b.String()
	}
	return lines
}

// configOf returns a config with one rule per regex, some of them
// continuing, dropping or with an unless, so that every path of MatchAll
// runs.
func configOf(exprs []string) string { return rulesConfig(exprs, true) }

// rulesConfig returns a config with one rule per regex; varied gives
// some of them continue, action: drop or unless.
func rulesConfig(exprs []string, varied bool) string {
	var b strings.Builder
	b.WriteString("destinations:\n  o: {type: console}\nrules:\n")
	for i, e := range exprs {
		fmt.Fprintf(&b, "  - name: r%d\n    match: '%s'\n", i, strings.ReplaceAll(e, "'", "''"))
		switch {
		case !varied:
		case i%7 == 3:
			b.WriteString("    action: drop\n")
		case i%2 == 0:
			b.WriteString("    continue: true\n")
		case i%5 == 1:
			b.WriteString("    unless: 'a'\n")
		}
	}
	return b.String()
}

// outcome is what a test compares of one line's matching.
type outcome struct {
	Rules    []string
	Captures []map[string]string
	Texts    []string
	Drop     string
}

func outcomeOf(set *Set, line string) outcome {
	ms, drop := set.MatchAll(tailer.Line{Text: line, File: "f"}, nil)
	var o outcome
	for _, m := range ms {
		o.Rules = append(o.Rules, m.Rule.Name)
		o.Captures = append(o.Captures, m.Captures)
		o.Texts = append(o.Texts, m.Text)
	}
	if drop != nil {
		o.Drop = drop.Name
	}
	return o
}

// TestPrefilterKeepsResults runs every rule of the benchmark's rules and
// of the tricky regexes over every loghub line and random lines, with and
// without the prefilter, and wants the same result for every line.
func TestPrefilterKeepsResults(t *testing.T) {
	bench, err := Load("../bench/rules.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string]*Set{
		"bench":  bench.Set,
		"tricky": mustParse(t, configOf(trickyRegexes)).Set,
	}
	lines := append(loghubLines(t), randomLines(20000, 1)...)
	lines = append(lines, asciiLines(5000, 3)...) // what the automata answer for
	for name, set := range sets {
		t.Run(name, func(t *testing.T) {
			plain := &Set{rules: set.rules, direct: true}
			hits := 0
			for _, l := range lines {
				want, got := outcomeOf(plain, l), outcomeOf(set, l)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("line %q: prefilter changed the result (-plain +prefiltered):\n%s", l, diff)
				}
				if len(want.Rules) > 0 || want.Drop != "" {
					hits++
				}
			}
			if hits == 0 {
				t.Fatal("no line matched: the test checks nothing")
			}
		})
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		expr string
		want []string // nil: the rule always runs
	}{
		{expr: `Failed password for (?:invalid user )?(?P<user>\S+)`, want: []string{"failed password for "}},
		{expr: `[Cc]onnection refused`, want: []string{"onnection refused"}},
		{expr: `(Out of memory|oom-killer)`, want: []string{"out of memory", "oom-killer"}},
		{expr: `(?i)kernel panic`, want: []string{"ernel panic"}},
		{expr: `(?i)disk`, want: []string{"di"}},
		{expr: `(error|)`},
		{expr: `a*`},
		{expr: `^[0-9]+$`},
		{expr: `\x{FFFD}`},
		{expr: `colou?r`, want: []string{"colo"}},
		{expr: `(ab){2,}`, want: []string{"ab"}},
		{expr: `x{0,3}y`, want: []string{"y"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, ok := required(tt.expr)
			if ok != (tt.want != nil) {
				t.Fatalf("required(%q) ok = %v, want literals %q", tt.expr, ok, tt.want)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("required(%q) (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

// FuzzPrefilter checks, for any regex and line, that a rule whose regex
// matches the line is always a candidate, and that the automaton finds
// exactly the rules a plain substring search of their literals finds.
func FuzzPrefilter(f *testing.F) {
	for i, e := range trickyRegexes {
		f.Add(e, randomLines(1, uint64(i))[0])
	}
	f.Add(`Failed password for (?P<user>\S+)`, "Dec 10 sshd[1]: Failed password for root from 1.2.3.4")
	f.Add(`(?i)KERNEL`, "kernel: oops")
	f.Add(`\x{212A}`, "\u212A")
	f.Fuzz(func(t *testing.T, expr, line string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		rules := []*Rule{{match: re}, {match: regexp.MustCompile(`error`)}, {match: re}}
		p := newPrefilter(rules)
		cand := make([]uint64, p.words)
		p.candidates(line, cand)
		for i, r := range rules {
			set := cand[i/64]&(1<<(i%64)) != 0
			if r.match.MatchString(line) && !set {
				t.Fatalf("rule %d %q matches %q but is no candidate", i, r.match, line)
			}
			lits, ok := required(r.match.String())
			if want := !ok || containsAny(line, lits); set != want {
				t.Fatalf("rule %d %q, literals %q, line %q: candidate %v, want %v", i, r.match, lits, line, set, want)
			}
		}
	})
}

// containsAny is the plain search the automaton must agree with.
func containsAny(s string, lits []string) bool {
	ls := foldASCII(s)
	for _, l := range lits {
		if strings.Contains(ls, foldASCII(l)) {
			return true
		}
	}
	return false
}

func TestMatchNoAllocations(t *testing.T) {
	bench, err := Load("../bench/rules.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	big := mustParse(t, configOf(manyRules(600))).Set // a bitset off the stack
	line := tailer.Line{Text: "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200"}
	for name, set := range map[string]*Set{"bench": bench.Set, "600 rules": big} {
		buf := set.Match(line, nil)
		if len(buf) != 0 {
			t.Fatalf("%s: the line should match nothing, got %v", name, buf[0].Rule.Name)
		}
		if n := testing.AllocsPerRun(100, func() { buf = set.Match(line, buf[:0]) }); n != 0 {
			t.Errorf("%s: Match of a line that matches nothing allocates %v times, want 0", name, n)
		}
	}
}

// TestPrefilterTableWidths checks both layouts of the automaton (16-bit
// entries for a small table, 32-bit for a large one) against the plain
// substring search of the literals, on lines that hold some of them.
func TestPrefilterTableWidths(t *testing.T) {
	for _, tt := range []struct {
		n    int
		wide bool
	}{{40, false}, {2000, true}} {
		exprs := manyRules(tt.n)
		rules := make([]*Rule, len(exprs))
		for i, e := range exprs {
			rules[i] = &Rule{match: regexp.MustCompile(e)}
		}
		p := newPrefilter(rules)
		if got := p.delta32 != nil; got != tt.wide {
			t.Fatalf("%d rules: 32-bit table %v, want %v", tt.n, got, tt.wide)
		}
		lines := randomLines(200, 7)
		for i := range lines {
			lines[i] += fmt.Sprintf(" service-%d[1]: job-%d: E%04d ", i%tt.n, (i*7)%tt.n, (i*13)%tt.n)
		}
		lits := make([][]string, len(rules))
		for i, r := range rules {
			lits[i], _ = required(r.match.String())
		}
		cand := make([]uint64, p.words)
		for _, line := range lines {
			p.candidates(line, cand)
			folded := foldASCII(line)
			for i, r := range rules {
				want := slices.ContainsFunc(lits[i], func(l string) bool { return strings.Contains(folded, l) })
				if got := cand[i/64]&(1<<(i%64)) != 0; got != want {
					t.Fatalf("%d rules, rule %d %q, line %q: candidate %v, want %v", tt.n, i, r.match, line, got, want)
				}
			}
		}
	}
}

// TestMatchLinesAsMatchAll: matching lines in batches (two at a time
// through the prefilter, of any lengths, an odd one last) gives every
// line what matching it alone gives, with the plain set as reference.
func TestMatchLinesAsMatchAll(t *testing.T) {
	bench := mustLoadBench(t)
	texts := loghubSample(t, 3)
	texts = append(texts, randomLines(3000, 5)...)
	texts = append(texts, asciiLines(3000, 6)...)
	rng := rand.New(rand.NewPCG(3, 3))
	rng.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	for name, set := range map[string]*Set{"bench": bench.Set, "plain": {rules: bench.Set.rules, direct: true}} {
		var ms []Match
		var res []LineResult
		hits := 0
		for texts := texts; len(texts) > 0; {
			n := min(len(texts), 1+rng.IntN(9))
			lines := make([]tailer.Line, n)
			for i := range lines {
				lines[i] = tailer.Line{Text: texts[i], File: "f"}
			}
			ms, res = set.MatchLines(lines, ms[:0], res[:0])
			if len(res) != n {
				t.Fatalf("%s: %d results for %d lines", name, len(res), n)
			}
			from := 0
			for i, l := range lines {
				var got outcome
				for _, m := range ms[from:res[i].To] {
					got.Rules = append(got.Rules, m.Rule.Name)
					got.Captures = append(got.Captures, m.Captures)
					got.Texts = append(got.Texts, m.Text)
				}
				if res[i].Drop != nil {
					got.Drop = res[i].Drop.Name
				}
				from = res[i].To
				if diff := cmp.Diff(outcomeOf(set, l.Text), got); diff != "" {
					t.Fatalf("%s: line %q in a batch of %d: (-alone +batched):\n%s", name, l.Text, n, diff)
				}
				if len(got.Rules) > 0 {
					hits++
				}
			}
			texts = texts[n:]
		}
		if hits == 0 {
			t.Fatalf("%s: no line matched: the test checks nothing", name)
		}
	}
}
