package match

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxRequired bounds the literals kept for one regex: an alternation of
// more alternatives than this is cheaper to run than to look for.
const maxRequired = 32

// required returns literals (in ASCII lower case) at least one of which every match of the
// regex contains, or ok false when there is no such set (the regex can
// match without any fixed text, or its text is too varied).
//
// The literals are meant for a search that ignores ASCII case, so a
// case-insensitive literal is usable as long as its letters fold only
// among ASCII letters; those that do not (k and s also fold to the Kelvin
// sign and the long s) cut the literal, keeping its longest usable piece.
func required(expr string) (lits []string, ok bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	lits, ok = requiredOf(re.Simplify())
	if !ok || len(lits) == 0 || len(lits) > maxRequired {
		return nil, false
	}
	for i, l := range lits {
		if l == "" {
			return nil, false
		}
		lits[i] = foldASCII(l)
	}
	return lits, true
}

// requiredOf is required for one node of a parsed, simplified regex.
func requiredOf(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		l := literal(re)
		return []string{l}, l != ""
	case syntax.OpCapture:
		return requiredOf(re.Sub[0])
	case syntax.OpPlus:
		return requiredOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredOf(re.Sub[0])
		}
		return nil, false
	case syntax.OpConcat:
		return bestOf(re.Sub)
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits, ok := requiredOf(sub)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
			if len(all) > maxRequired {
				return nil, false
			}
		}
		return all, true
	}
	// Star, quest, classes, any char, anchors, empty: nothing required.
	return nil, false
}

// bestOf returns the most selective literal set among the parts of a
// concatenation: a match contains every part, so any part's set will do.
func bestOf(subs []*syntax.Regexp) ([]string, bool) {
	var best []string
	score := 0
	for _, sub := range subs {
		lits, ok := requiredOf(sub)
		if !ok {
			continue
		}
		if s := selectivity(lits); s > score {
			best, score = lits, s
		}
	}
	return best, best != nil
}

// selectivity ranks a literal set: its shortest literal counts most, and
// fewer alternatives are better.
func selectivity(lits []string) int {
	short := len(lits[0])
	for _, l := range lits[1:] {
		short = min(short, len(l))
	}
	return short*64 - len(lits)
}

// literal returns the text of a literal node for an ASCII-case-insensitive
// search: its longest run of usable runes, or "" when there is none. In a
// case-insensitive literal, a rune is usable when it folds only among ASCII
// letters (or not at all). U+FFFD is never usable: the regexp engine
// matches it against any invalid byte, which the text does not contain.
func literal(re *syntax.Regexp) string {
	fold := re.Flags&syntax.FoldCase != 0
	var best, cur strings.Builder
	keep := func() {
		if cur.Len() > best.Len() {
			best.Reset()
			best.WriteString(cur.String())
		}
		cur.Reset()
	}
	for _, r := range re.Rune {
		if r == utf8.RuneError || fold && !asciiFold(r) {
			keep()
			continue
		}
		cur.WriteRune(r)
	}
	keep()
	return best.String()
}

// asciiFold reports whether every rune that r case-folds to is matched by
// an ASCII case-insensitive comparison with r.
func asciiFold(r rune) bool {
	if r >= utf8.RuneSelf {
		return false
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldASCII returns s with ASCII letters in lower case.
func foldASCII(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = lower(b[i])
	}
	return string(b)
}
