package match

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

// shape is a regex of a form the engine special-cases and the line that
// is worst for it: piece repeated, then end, so that every literal the
// regex needs is there many times and the match still fails as late as
// it can.
type shape struct {
	name, expr, piece, end string
}

var shapes = []shape{
	{"literal.*rest ssh", `ssh: Failed password for .*from (?P<ip>.*) port (?P<port>\d+)`, "ssh: Failed password for from ", " port x"},
	{"literal.*rest sshd", `sshd.*user (?P<user>.*) from (?P<ip>\S+)`, "sshd user ", " from "},
	{"literal.*rest foo", `foo.*b(?P<x>.*)c`, "foob", "x"},
	{"literal.*?rest lazy", `foo.*?b(?P<x>.*?)c$`, "foob", "cx"},
	{"literal.*rest non-ASCII", `foo.*b(?P<x>.*)c`, "foobé", "x"},
	{"leading .*", `.*(?P<x>a+)b`, "a", "x"},
	{"leading .* two groups", `(?P<x>.*)=(?P<y>.*);`, "=", "x"},
	{"trailing .*", `(?P<x>err)or (?P<y>\w+) .*x$`, "error a ", "y"},
	{"nested captures", `((?P<x>(?P<y>[a-z]+)=)+(?P<z>\d+))+;`, "a=1a=", "x"},
	{"alternation of literals", `(?P<x>alpha|beta|gamma)+ (?P<y>delta|epsilon) end`, "alphabeta delta ", "x"},
	{"case-folded", `(?i)FAILED .*for (?P<u>\S+) (?P<p>\d+)x`, "failed for ", "y"},
	{"unicode classes", `(?P<x>\p{L}+)\s+(?P<y>\p{Nd}+)!`, "é 1", "x"},
}

// line returns the shape's crafted line of n bytes.
func (s shape) line(n int) string {
	return strings.Repeat(s.piece, n/len(s.piece)+1)[:n-len(s.end)] + s.end
}

// complexitySizes are the lengths of the crafted lines: 4, 16, 64 KiB.
var complexitySizes = []int{4 << 10, 16 << 10, 64 << 10}

// TestLinearWork: for every shape, the work the engine does on its
// crafted line (the backtracker's instructions and the bytes it clears,
// the bytes handed to the regexp package) grows at most 2.5 times per
// doubling of the line's length, from 4 to 16 to 64 KiB, and the answer
// is the regexp package's. It counts work, not time, so a busy machine
// cannot make it fail; before the tries of dotStar shared their visited
// bits, the first three shapes grew four times per doubling.
func TestLinearWork(t *testing.T) {
	sizes := complexitySizes
	if testing.Short() {
		sizes = []int{1 << 10, 4 << 10, 16 << 10} // the race detector's pass
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			re := regexp.MustCompile(s.expr)
			f := NewFinder(re)
			var prev int
			for i, n := range sizes {
				line := s.line(n)
				loc, work := f.findWork(line)
				if want := re.FindStringSubmatchIndex(line); fmt.Sprint(loc) != fmt.Sprint(want) {
					t.Fatalf("%d bytes: engine %v, regexp %v", n, loc, want)
				}
				if work < n {
					t.Fatalf("%d bytes: work %d, less than the line's length: not counted", n, work)
				}
				if i > 0 {
					growth := math.Pow(float64(work)/float64(prev), 1/math.Log2(float64(n)/float64(sizes[i-1])))
					if growth > 2.5 {
						t.Errorf("%d → %d bytes: work %d → %d, ×%.2f per doubling; want at most 2.5", sizes[i-1], n, prev, work, growth)
					}
				}
				prev = work
			}
		})
	}
}

// BenchmarkComplexity times the Finder on every shape's crafted line of
// 4, 16 and 64 KiB, reports the time per KiB, and logs a table with the
// growth per doubling (linear: 2; quadratic: 4), failing past 2.5:
//
//	go test -run '^$' -bench Complexity ./rules/internal/match
//
// (bench/complexity.sh -g runs it.)
func BenchmarkComplexity(b *testing.B) {
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-26s %8s %12s %10s %8s\n", "shape", "KiB", "per line", "per KiB", "growth")
	for _, s := range shapes {
		re := regexp.MustCompile(s.expr)
		f := NewFinder(re)
		var prev time.Duration
		for i, n := range complexitySizes {
			line := s.line(n)
			var perOp time.Duration
			b.Run(fmt.Sprintf("%s/%dKiB", s.name, n>>10), func(b *testing.B) {
				for b.Loop() {
					f.Find(line)
				}
				perOp = b.Elapsed() / time.Duration(b.N)
				b.ReportMetric(float64(perOp.Nanoseconds())/float64(n>>10), "ns/KiB")
			})
			growth := "-"
			if i > 0 && prev > 0 {
				g := math.Pow(float64(perOp)/float64(prev), 1/math.Log2(float64(n)/float64(complexitySizes[i-1])))
				growth = fmt.Sprintf("%.2f", g)
				if g > 2.5 {
					b.Errorf("%s: ×%.2f per doubling from %d to %d KiB; want at most 2.5", s.name, g, complexitySizes[i-1]>>10, n>>10)
				}
			}
			fmt.Fprintf(&table, "%-26s %8d %12s %10s %8s\n", s.name, n>>10, perOp.Round(time.Microsecond/10),
				(perOp / time.Duration(n>>10)).Round(time.Nanosecond), growth)
			prev = perOp
		}
	}
	b.Log(table.String())
}

// BenchmarkFallback times what a line costs on each path of the Finder:
// an ordinary sshd line on the fast path (dotStar, or the backtracker),
// the same line with one non-ASCII byte (which the fast paths hand on),
// and the regexp package alone, for comparison.
func BenchmarkFallback(b *testing.B) {
	line := "Dec 10 06:55:48 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186  user=root"
	for _, expr := range []string{
		`authentication failure;.*rhost=(?P<rhost>[^ ]+)( +user=(?P<user>[^ ]+))?`, // dotStar
		`rhost=(?P<rhost>[^ ]+)\s+user=(?P<user>\w+)`,                              // backtracker
	} {
		re := regexp.MustCompile(expr)
		f := NewFinder(re)
		kind := "backtracker"
		if f.ds != nil {
			kind = "dotStar"
		}
		for _, c := range []struct {
			name, line string
			find       func(string) []int
		}{
			{kind + "/ascii", line, f.Find},
			{kind + "/non-ascii", strings.Replace(line, "LabSZ", "LabSZé", 1), f.Find},
			{kind + "/regexp", line, re.FindStringSubmatchIndex},
		} {
			if c.find(c.line) == nil {
				b.Fatalf("%s: no match", c.name)
			}
			b.Run(c.name, func(b *testing.B) {
				for b.Loop() {
					c.find(c.line)
				}
			})
		}
	}
}
