// Package matchtest holds what the tests of the regex engine and of the
// rule set share: regexes that are easy to get wrong, the loghub sample
// lines, random and crafted lines, the benchmark's rules.
package matchtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Tricky are regexes whose literals, case folding, assertions and groups
// are easy to get wrong.
var Tricky = []string{
	`(?i)kernel panic`, `(?i)ERROR|warn`, `colou?r`, `a*`, `^$`, `(?:foo)?bar`, `x{2,}y`, `x{0,3}y`,
	`\bsshd\b`, `[Ee]rror`, `(?i)straße`, `日本語`, `(?i)ſ`, `\x{212A}elvin`, `(?i)kelvin`, `(?i)sss`, `.`,
	`(a|b|c)+d`, `(foo|)bar`, `(?s)a.b`, `\x{FFFD}`, `(?i)[a-z]+Exception`, `Failed (password|publickey) for`,
	`^\d+ `, `(?m)^INFO$`, `(?U)a+?b`, `\Qa.b\E`, `[^a]bc`, `(?i)É`, `é`, `(?i)é`, `(?i)Σ`, `(error|)`, `$`,
	`(?i)(?:fatal|panic):\s+(?P<what>.*)`, `(ab){3}c`, `(a|ab)(c|bcd)(d*)`, `[[:upper:]]+FAIL`, `\d{3} \d+$`,
	`(?i)ssh(d)?`, `(?P<x>x)|(?P<y>yy)`, `(?i)(failed|refused|timed? ?out)`, `\pL+ denied`, `ERROR$|^WARN`,
}

// Root returns the module's root directory.
func Root(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("matchtest: no caller information")
	}
	// file is <root>/rules/internal/match/matchtest/matchtest.go.
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..")
}

// LoghubLines returns every line of the loghub samples, with a CR before
// a line's end kept out.
func LoghubLines(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(Root(tb), "testdata", "loghub", "*.log"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no loghub samples: %v", err)
	}
	var lines []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			lines = append(lines, strings.TrimSuffix(l, "\r"))
		}
	}
	return lines
}

// LoghubSample returns every nth loghub line: the samples hold ten
// thousand lines, much alike, and a test that runs many regexes over
// them under the race detector takes a part.
func LoghubSample(tb testing.TB, n int) []string {
	var lines []string
	for i, l := range LoghubLines(tb) {
		if i%n == 0 {
			lines = append(lines, l)
		}
	}
	return lines
}

// BenchExprs returns the match regexes of the benchmark's rules,
// bench/rules.yaml, in order (one key a line, single-quoted).
func BenchExprs(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(Root(tb), "bench", "rules.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	var exprs []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if key := "match: '"; strings.HasPrefix(l, key) && strings.HasSuffix(l, "'") {
			exprs = append(exprs, strings.ReplaceAll(l[len(key):len(l)-1], "''", "'"))
		}
	}
	if len(exprs) < 40 {
		tb.Fatalf("bench/rules.yaml: %d regexes, want at least 40", len(exprs))
	}
	return exprs
}

// RandomLines returns lines built from pieces of the tricky regexes'
// text, loghub words, odd case, unicode and invalid UTF-8.
func RandomLines(n int, seed uint64) []string {
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

// ASCIILines returns random ASCII lines made of pieces that the tricky
// regexes and the benchmark's rules look for, so that many of them match.
func ASCIILines(n int, seed uint64) []string {
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

// ManyRules returns n distinct rules of the kinds an operator adds one by
// one: a service name, an error code, a job, each with its own literal.
func ManyRules(n int) []string {
	kinds := []string{
		`service-%d\[[0-9]+\]: .*(failed|crashed)`,
		`(?P<code>E%04d) `,
		`worker %d (died|exited with status [1-9][0-9]*)`,
		`job-%d: (timeout|connection refused)`,
		`tenant=acme%d .*quota exceeded`,
	}
	exprs := make([]string, n)
	for i := range exprs {
		exprs[i] = fmt.Sprintf(kinds[i%len(kinds)], i)
	}
	return exprs
}

// HandPicked are regexes chosen for what an engine gets wrong: every
// shape the engine special-cases (literal.*rest, leading and trailing
// .*, nested and repeated groups, alternations of literals), anchors,
// line and word assertions, case folding (also of k and s, which fold to
// non-ASCII runes), Unicode classes, U+FFFD (which also matches an
// invalid byte), NUL, CR, and the rules users write for sshd and web
// logs.
var HandPicked = []string{
	`ssh: Failed password for .*from (?P<ip>.*) port (?P<port>\d+)`,
	`sshd.*user (?P<user>.*) from (?P<ip>\S+)`,
	`foo.*b(?P<x>.*)c`, `foo.*?b(?P<x>.*?)c`, `foo(?s:.*)b(?P<x>.*)c$`,
	`.*(?P<x>a+)b`, `(?P<x>.*)=(?P<y>.*)`, `(?P<x>err)or (?P<y>\w+).*`, `^.*$`, `.*`, `(?s).*x`,
	`((?P<x>(?P<y>[a-z]+)=)+(?P<z>\d+))+;`, `((a)|(b))+`, `(a(b(c(d)?)?)?)+`,
	`(?P<x>alpha|beta|gamma)+ (?P<y>delta|epsilon) end`, `(GET|POST|PUT|DELETE) (?P<path>/\S*) HTTP/1\.[01]" (?P<status>5\d\d)`,
	`(?i)FAILED .*for (?P<u>\S+) (?P<p>\d+)x`, `(?i)(?P<w>kelvin|straße|ſ)`, `(?i)k.*s(?P<x>k)`,
	`(?P<x>\p{L}+)\s+(?P<y>\p{Nd}+)!`, `(?P<g>\p{Greek}+)`, `[^\x00-\x7f]+(?P<x>a)`, `(?P<x>\x{FFFD}+)`,
	`a.*\x{FFFD}(?P<x>.)`, `(?P<x>\x00+)`, `a\x00.*b(?P<x>\x00)`, `(?P<x>[^\r\n]*)\r$`, `(?m)^(?P<x>\w+)\r?$`,
	`\A(?P<x>\S+)`, `(?P<x>\S+)\z`, `\b(?P<w>\w+)\b$`, `\B(?P<x>o+)\B`, `(?m)(?P<x>.+)$`, `^(?P<x>)$`,
	`(?U)(?P<x>a+)(?P<y>a+)`, `(?P<x>a*?)(?P<y>a*)b`, `(?P<x>a{2,5}?)(?P<y>a{0,3})`, `(?P<x>(?:ab|a)(?:bc|c))`,
	`authentication failure;.*rhost=(?P<rhost>[^ ]+)( +user=(?P<user>[^ ]+))?`,
	`Failed password for (invalid user )?(?P<user>[^ ]+) from (?P<ip>[0-9.]+) port (?P<port>\d+)`,
	`kernel: .*(IN=[a-z0-9]+ OUT=.* DPT=(?P<port>[0-9]+))`, `(?P<a>x).*(?P<b>y).*(?P<c>z)`,
}

// CraftedLines are lines an attacker or a broken program writes: invalid
// UTF-8, NUL, U+FFFD, CRLF, lone CR, very long runs.
func CraftedLines() []string {
	lines := []string{
		"", "\x00", "a\x00b", "foo\x00bar\x00c", "\xff", "a\xffb", "\xc3", "\xc3(", "\xe2\x82", "\xe2\x82\xac",
		"\xf0\x9f\x98", "\ufffd", "a\ufffdb", "\xef\xbf\xbd\xff", "line\r", "line\r\n", "a\r\nb\r\n", "\r",
		"ssh: Failed password for root from 10.0.0.1 port 22\r", "é 1!", "αβγ 123!", "kelvin \u212Aelvin ſ",
		"STRASSE straße", "foo b\xffc", "foo\nb1c", "foob\nc", "x\x00y\x00z", "a=1a=2;", "alpha delta end\r",
		"GET /x HTTP/1.1\" 503", "sshd[1]: Invalid user \xff\xfe from 10.0.0.2",
	}
	return lines
}
