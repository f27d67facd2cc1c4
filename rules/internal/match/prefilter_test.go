package match

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/rules/internal/match/matchtest"
)

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
	for i, e := range matchtest.Tricky {
		f.Add(e, matchtest.RandomLines(1, uint64(i))[0])
	}
	f.Add(`Failed password for (?P<user>\S+)`, "Dec 10 sshd[1]: Failed password for root from 1.2.3.4")
	f.Add(`(?i)KERNEL`, "kernel: oops")
	f.Add(`\x{212A}`, "\u212A")
	f.Fuzz(func(t *testing.T, expr, line string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		rules := []*regexp.Regexp{re, regexp.MustCompile(`error`), re}
		p := NewPrefilter([]string{expr, `error`, expr})
		cand := make([]uint64, p.Words())
		p.Candidates(line, cand)
		for i, r := range rules {
			set := cand[i/64]&(1<<(i%64)) != 0
			if r.MatchString(line) && !set {
				t.Fatalf("rule %d %q matches %q but is no candidate", i, r, line)
			}
			lits, ok := required(r.String())
			if want := !ok || containsAny(line, lits); set != want {
				t.Fatalf("rule %d %q, literals %q, line %q: candidate %v, want %v", i, r, lits, line, set, want)
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

// TestPrefilterTableWidths checks both layouts of the automaton (16-bit
// entries for a small table, 32-bit for a large one) against the plain
// substring search of the literals, on lines that hold some of them.
func TestPrefilterTableWidths(t *testing.T) {
	for _, tt := range []struct {
		n    int
		wide bool
	}{{40, false}, {2000, true}} {
		exprs := matchtest.ManyRules(tt.n)
		p := NewPrefilter(exprs)
		if got := p.delta32 != nil; got != tt.wide {
			t.Fatalf("%d rules: 32-bit table %v, want %v", tt.n, got, tt.wide)
		}
		lines := matchtest.RandomLines(200, 7)
		for i := range lines {
			lines[i] += fmt.Sprintf(" service-%d[1]: job-%d: E%04d ", i%tt.n, (i*7)%tt.n, (i*13)%tt.n)
		}
		lits := make([][]string, len(exprs))
		for i, e := range exprs {
			lits[i], _ = required(e)
		}
		cand := make([]uint64, p.Words())
		for _, line := range lines {
			p.Candidates(line, cand)
			folded := foldASCII(line)
			for i, r := range exprs {
				want := slices.ContainsFunc(lits[i], func(l string) bool { return strings.Contains(folded, l) })
				if got := cand[i/64]&(1<<(i%64)) != 0; got != want {
					t.Fatalf("%d rules, rule %d %q, line %q: candidate %v, want %v", tt.n, i, r, line, got, want)
				}
			}
		}
	}
}
