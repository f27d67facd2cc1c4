package rules

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/rules/internal/match/matchtest"
	"github.com/roomwatch/roomwatch/tailer"
)

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
		cells += run.match.Cells()
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
	for i, e := range matchtest.Tricky {
		f.Add(e, matchtest.ASCIILines(1, uint64(i))[0])
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

func mustLoadBench(t testing.TB) *Loaded {
	t.Helper()
	cfg, err := Load("../bench/rules.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestDotStarRunsInTheSet: a rule of that form gets a dotStar when its
// groups are needed, and its group values are the regexp package's.
func TestDotStarRunsInTheSet(t *testing.T) {
	cfg := mustParse(t, `destinations: {o: {type: console}}
rules:
  - name: pam
    match: 'authentication failure;.*rhost=(?P<rhost>[^ ]+)( +user=(?P<user>[^ ]+))?'
    group_by: [rhost, user]
`)
	set := cfg.Set
	line := "pam_unix(sshd:auth): authentication failure; logname= rhost=10.1.2.3 x rhost=218.188.2.4  user=root"
	ms := set.Match(tailer.Line{Text: line}, nil)
	if set.runs[0].find == nil || !set.runs[0].find.QuickReject() {
		t.Fatal("the rule got no dotStar")
	}
	if len(ms) != 1 || !slices.Equal(ms[0].Group, []string{"218.188.2.4", "root"}) {
		t.Fatalf("got %+v, want one match grouped by 218.188.2.4, root", ms)
	}
}

// outcome is what a test compares of one line's matching.
type outcome struct {
	Rules    []string
	Captures []map[string]string
	Groups   [][]string
	Texts    []string
	Drop     string
}

// benchExprs returns the match regexes of the benchmark's rules.
func benchExprs(t testing.TB) []string {
	var exprs []string
	for _, r := range mustLoadBench(t).Set.Rules() {
		exprs = append(exprs, r.match.String())
	}
	return exprs
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

func outcomeOf(set *Set, line string) outcome {
	ms, drop := set.MatchAll(tailer.Line{Text: line, File: "f"}, nil)
	var o outcome
	for _, m := range ms {
		o.Rules = append(o.Rules, m.Rule.Name)
		o.Captures = append(o.Captures, m.Captures)
		o.Groups = append(o.Groups, m.Group)
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
		"tricky": mustParse(t, configOf(matchtest.Tricky)).Set,
	}
	lines := append(matchtest.LoghubLines(t), matchtest.RandomLines(20000, 1)...)
	lines = append(lines, matchtest.ASCIILines(5000, 3)...) // what the automata answer for
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

func TestMatchNoAllocations(t *testing.T) {
	bench, err := Load("../bench/rules.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	big := mustParse(t, configOf(matchtest.ManyRules(600))).Set // a bitset off the stack
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

// TestMatchLinesAsMatchAll: matching lines in batches (two at a time
// through the prefilter, of any lengths, an odd one last) gives every
// line what matching it alone gives, with the plain set as reference.
func TestMatchLinesAsMatchAll(t *testing.T) {
	bench := mustLoadBench(t)
	texts := matchtest.LoghubSample(t, 3)
	texts = append(texts, matchtest.RandomLines(3000, 5)...)
	texts = append(texts, matchtest.ASCIILines(3000, 6)...)
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
					got.Groups = append(got.Groups, m.Group)
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

// TestSetDifferential: rules made of the hand-picked regexes (each with
// group_by on its first named group or a template that uses it, so that
// their groups are found on the engine's capture path, and with an
// unless on some), over
// loghub lines, crafted lines (invalid UTF-8, NUL, U+FFFD, CRLF) and
// lines of 16 KiB, match, group and capture (every named group's text)
// exactly what the regexp package alone gives, rule by rule.
func TestSetDifferential(t *testing.T) {
	var b strings.Builder
	b.WriteString("destinations:\n  o: {type: console}\nrules:\n")
	for i, e := range matchtest.HandPicked {
		re := regexp.MustCompile(e)
		fmt.Fprintf(&b, "  - name: r%d\n    match: '%s'\n    continue: true\n", i, strings.ReplaceAll(e, "'", "''"))
		for _, n := range re.SubexpNames() {
			if n == "" {
				continue
			}
			if i%2 == 0 {
				fmt.Fprintf(&b, "    group_by: [%s]\n", n)
			} else {
				// A template that uses the groups: every named group is taken.
				fmt.Fprintf(&b, "    template: '{{.%s}} in {{.line}}'\n", n)
			}
			break
		}
		switch i % 4 {
		case 1:
			b.WriteString("    unless: '(?i)ROOT'\n")
		case 2:
			b.WriteString("    unless: '\\bport\\b'\n")
		}
	}
	set := mustParse(t, b.String()).Set
	direct := &Set{rules: set.rules, direct: true}
	n := 10
	if testing.Short() {
		n = 50
	}
	lines := slices.Concat(matchtest.LoghubSample(t, n), matchtest.CraftedLines(), matchtest.RandomLines(300, 31))
	for i, piece := range []string{"ssh: Failed password for from ", "sshd user ", "foob", "a=1a=", "é 1", "\x00\xff\r\n"} {
		lines = append(lines, strings.Repeat(piece, (16<<10)/len(piece))+[]string{" port 1", " from x", "c", ";", "!", "z"}[i])
	}
	matched := 0
	for _, l := range lines {
		want, got := outcomeOf(direct, l), outcomeOf(set, l)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("line %.200q: (-regexp package +engine):\n%s", l, diff)
		}
		matched += len(want.Rules)
	}
	t.Logf("%d rules × %d lines: %d matches, each with its groups, as the regexp package finds them", len(set.rules), len(lines), matched)
	if matched < 500 {
		t.Errorf("only %d matches: the test checks too little", matched)
	}
}
