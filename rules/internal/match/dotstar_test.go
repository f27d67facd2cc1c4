package match

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/rules/internal/match/matchtest"
)

// dotStarRegexes are of dotStar's form, with the cases that could go
// wrong: several occurrences of either literal, rest failing at the last
// one, newlines, (?s), lazy stars, optional and repeated groups, $.
var dotStarRegexes = []string{
	`authentication failure;.*rhost=(?P<rhost>[^ ]+)( +user=(?P<user>[^ ]+))?`,
	`error.*user=(\w+)`,
	`a.*ab(c|d)?`,
	`a.*b`,
	`a.*?b(x*)`,
	`x.*y$`,
	`x.*y(?m:$)`,
	`a(?s:.*)b(.)`,
	`a(?s:.*?)b(?s:.)`,
	`a.*\nb(.*)`,
	`ab.*bb*(b)`,
	`a.*(?P<n>b)(?P<n>c)?`,
	`é.*ß(.)`,
	`a.*b(?i:c)`,
	`k.*v=([0-9]+)(,([0-9]+))*`,
}

// notDotStar are regexes dotStar must leave to the regexp package.
var notDotStar = []string{
	`a.*\bb`, // looks behind its start
	`a.*^b`,
	`a.*(?m:^)b`,
	`a.*[bc]`,     // rest starts with no literal
	`(?i)a.*b`,    // case folded
	`a\n.*b`,      // a newline in the first literal
	`\x{FFFD}.*b`, // U+FFFD also matches invalid bytes
	`a.*\x{FFFD}`, // likewise
	`(a).*b`,      // a group before the star
	`a.+b`,        // not a star
	`a[^x]*b`,     // not any character
	`^a.*b`,       // anchored
	`a.*b|c`,      // not a concatenation
	`a.*`,         // nothing after the star
}

// dotStarLines are lines built to trip the reasoning of dotStar.
var dotStarLines = []string{
	"", "a", "ab", "aab", "abab", "a b", "ba", "a\nb", "a\nab", "ab\nab", "abc abd", "a.ab ab",
	"x y xy", "xyxy", "xy\n", "x\ny", "x y\nxy", "a b\nc", "a\n\nb", "ab\nb", "k v=1,2,3 v=4",
	"abb", "abbb", "a bc", "a bC", "aé ß!", "é\xffß\xff", "a\xffb\xff", "\xffa\xfeb", "error user=bob x user=",
	"error user= user=al", "authentication failure; logname= uid=0 rhost=1.2.3.4  user=root",
	"authentication failure; rhost=a rhost=b user=c", "authentication failure; rhost= x",
	"authentication failure;\nrhost=x authentication failure; rhost=y",
}

// TestDotStarAgreesWithRegexp: dotStar finds what FindStringSubmatchIndex
// finds, on made-up lines and real ones.
func TestDotStarAgreesWithRegexp(t *testing.T) {
	lines := slices.Concat(dotStarLines, matchtest.ASCIILines(3000, 5), matchtest.RandomLines(300, 6), matchtest.LoghubSample(t, 5))
	for _, expr := range dotStarRegexes {
		d := newDotStar(expr)
		if d == nil {
			t.Errorf("%q: no dotStar", expr)
			continue
		}
		re := regexp.MustCompile(expr)
		found := 0
		for _, line := range lines {
			want := re.FindStringSubmatchIndex(line)
			got := d.find(line)
			if !slices.Equal(got, want) {
				t.Fatalf("%q on %q: dotStar %v, regexp %v", expr, line, got, want)
			}
			if got != nil {
				found++
			}
		}
		if found == 0 {
			t.Errorf("%q matched no line: the test says nothing of it", expr)
		}
	}
	for _, expr := range notDotStar {
		if d := newDotStar(expr); d != nil {
			t.Errorf("%q: dotStar made for a regex not of its form", expr)
		}
	}
}

// TestDotStarRandom: random regexes of dotStar's form over random lines
// of the same few letters, so that literals recur, rest often fails and
// newlines fall anywhere.
func TestDotStarRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	firsts := []string{"a", "ab", "b", "é", "a b"}
	stars := []string{".*", ".*?", "(?s:.*)", "(?s:.*?)"}
	leads := []string{"a", "b", "ba", "\\n", "(b)", "(?P<k>ab)", " "}
	rests := []string{"", "(a)", "b*", "(b|a)?", "( +(a+))?", "$", "(?m:$)", "(?s:.)", ".", "[^ ]+", "(a*)(b*)", "(?i:a)", "\\nb", "(?:(a)|b)+"}
	alphabet := []string{"a", "b", " ", "\n", "é", "\xff", "ab"}
	for range 400 {
		expr := pick(firsts) + pick(stars) + pick(leads) + pick(rests) + pick(rests)
		d := newDotStar(expr)
		if d == nil {
			t.Fatalf("%q: no dotStar", expr)
		}
		re := regexp.MustCompile(expr)
		for range 50 {
			var b strings.Builder
			for range rng.IntN(12) {
				b.WriteString(pick(alphabet))
			}
			line := b.String()
			if want, got := re.FindStringSubmatchIndex(line), d.find(line); !slices.Equal(got, want) {
				t.Fatalf("%q on %q: dotStar %v, regexp %v", expr, line, got, want)
			}
		}
	}
}

func FuzzDotStar(f *testing.F) {
	for i, e := range dotStarRegexes {
		f.Add(e, dotStarLines[i%len(dotStarLines)])
	}
	f.Add(`a.*b(c)`, "a\xffbc")
	f.Fuzz(func(t *testing.T, expr, line string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		d := newDotStar(expr)
		if d == nil {
			return
		}
		if want, got := re.FindStringSubmatchIndex(line), d.find(line); !slices.Equal(got, want) {
			t.Fatalf("%q on %q: dotStar %v, regexp %v", expr, line, got, want)
		}
	})
}
