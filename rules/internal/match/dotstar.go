package match

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// dotStar finds the submatch positions of a regex of the common form
// `literal.*rest` — `authentication failure;.*rhost=(?P<rhost>[^ ]+)` —
// without running the whole regex. The regexp package's backtracker lets
// the `.*` take the rest of the line and then gives it back a byte at a
// time; that costs microseconds a line. The same match is found directly:
//
//   - it starts at the first occurrence of the literal after which rest
//     matches somewhere in the star's reach (up to the next newline,
//     unless (?s));
//   - a greedy star ends at the last position in that reach where rest
//     matches, a lazy one (.*?) at the first;
//   - rest matches there as ^(?:rest) matches the text from there.
//
// Only positions where rest's own leading literal occurs are tried, found
// with strings.LastIndex (or Index). The groups keep their numbers: the
// literal and the star hold none, so rest's groups are the regex's, in
// order.
//
// newDotStar takes only what this reasoning covers: rest may not look
// behind its start (^, \A, \b, \B), literals are case-sensitive and hold
// neither a newline (the first) nor U+FFFD (which the regexp package also
// matches for an invalid byte). Anything else gets nil and the regexp
// package. FuzzDotStar holds the two to the same answers.
//
// Linear time: a crafted line can hold thousands of places to try rest
// from ("foo" then "b" 30,000 times for foo.*b(.*)c), and each try can
// read to the end of the line. On ASCII text all the tries of one line
// share one backtracker's visited bits (a state that failed from one
// start fails from every other), so together they cost what one search
// of the line costs. Otherwise (a non-ASCII byte, a line too long for
// the bits) the regexp package tries rest from at most maxTailTries
// places; past them the whole regex runs once on the regexp package.
type dotStar struct {
	lit     string         // the literal the regex starts with
	anyNL   bool           // the star crosses newlines: (?s)
	greedy  bool           // .* rather than .*?
	tailLit string         // the literal rest starts with
	tail    *regexp.Regexp // ^(?:rest)
	tailBT  *backtracker   // (?:rest), searched at a position of ASCII text; nil if none
	whole   *regexp.Regexp // the regex itself
}

// maxTailTries is how many places the regexp package tries rest from
// before the whole regex runs instead.
const maxTailTries = 4

// newDotStar returns the dotStar of expr, or nil if expr is not of its
// form.
func newDotStar(expr string) *dotStar {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) < 3 {
		return nil
	}
	lit, star, rest := re.Sub[0], re.Sub[1], re.Sub[2:]
	if !plainLiteral(lit) || strings.ContainsRune(string(lit.Rune), '\n') {
		return nil
	}
	if star.Op != syntax.OpStar || star.Sub[0].Op != syntax.OpAnyCharNotNL && star.Sub[0].Op != syntax.OpAnyChar {
		return nil
	}
	tailLit := leadingLiteral(rest[0])
	if tailLit == "" || !forwardOnly(rest) {
		return nil
	}
	src, ok := restSource(expr, lit, rest)
	if !ok {
		return nil
	}
	tail, err := regexp.Compile("^(?:" + src + ")")
	if err != nil || !slices.Equal(re.CapNames(), tail.SubexpNames()) {
		return nil
	}
	whole, err := regexp.Compile(expr)
	if err != nil {
		return nil
	}
	return &dotStar{
		lit:     string(lit.Rune),
		anyNL:   star.Sub[0].Op == syntax.OpAnyChar,
		greedy:  star.Flags&syntax.NonGreedy == 0,
		tailLit: tailLit,
		tail:    tail,
		tailBT:  newBacktracker("(?:" + src + ")"),
		whole:   whole,
	}
}

// restSource returns the text of expr that is rest: what follows a star
// (.*, .*?, (?s:.*) or (?s:.*?)) before which the text parses as lit and
// after which it parses as rest. (syntax.Regexp.String would print rest,
// but takes milliseconds for a class like [^ ].)
func restSource(expr string, lit *syntax.Regexp, rest []*syntax.Regexp) (string, bool) {
	for _, star := range []string{".*?", ".*", "(?s:.*?)", "(?s:.*)"} {
		for k := 0; ; k++ {
			n := strings.Index(expr[k:], star)
			if n < 0 {
				break
			}
			k += n
			head, err1 := syntax.Parse(expr[:k], syntax.Perl)
			tail, err2 := syntax.Parse(expr[k+len(star):], syntax.Perl)
			if err1 == nil && err2 == nil && head.Equal(lit) && sameTree(tail, rest) {
				return expr[k+len(star):], true
			}
		}
	}
	return "", false
}

// sameTree reports whether re is the concatenation of subs.
func sameTree(re *syntax.Regexp, subs []*syntax.Regexp) bool {
	if len(subs) == 1 {
		return re.Equal(subs[0])
	}
	if re.Op != syntax.OpConcat || len(re.Sub) != len(subs) {
		return false
	}
	for i := range subs {
		if !re.Sub[i].Equal(subs[i]) {
			return false
		}
	}
	return true
}

// plainLiteral reports whether re is a case-sensitive literal without
// U+FFFD.
func plainLiteral(re *syntax.Regexp) bool {
	return re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase == 0 && len(re.Rune) > 0 &&
		!strings.ContainsRune(string(re.Rune), utf8.RuneError)
}

// leadingLiteral returns the literal every match of re starts with, as
// far as the first element says, or "".
func leadingLiteral(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if plainLiteral(re) {
			return string(re.Rune)
		}
	case syntax.OpCapture:
		return leadingLiteral(re.Sub[0])
	case syntax.OpConcat:
		if len(re.Sub) > 0 {
			return leadingLiteral(re.Sub[0])
		}
	}
	return ""
}

// forwardOnly reports whether the regexes assert nothing about the text
// before where they start: ^, \A, \b and \B look back.
func forwardOnly(res []*syntax.Regexp) bool {
	for _, re := range res {
		switch re.Op {
		case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
			return false
		}
		if !forwardOnly(re.Sub) {
			return false
		}
	}
	return true
}

// find returns what FindStringSubmatchIndex of the regex returns for
// text.
func (d *dotStar) find(text string) []int {
	loc, _ := d.findWork(text)
	return loc
}

// findWork is find that also tells the work done: the backtracker's
// (see btState.steps) plus the length of every text handed to the regexp
// package.
func (d *dotStar) findWork(text string) (loc []int, work int) {
	s := dsSearch{d: d, text: text}
	loc, ok := s.find()
	if s.bt != nil {
		s.work += s.bt.steps
		btPool.Put(s.bt)
	}
	if !ok {
		return d.whole.FindStringSubmatchIndex(text), s.work + len(text)
	}
	return loc, s.work
}

// dsSearch is one search of a dotStar in a text.
type dsSearch struct {
	d     *dotStar
	text  string
	bt    *btState // the backtracker's memory for text, from the first try on
	noBT  bool     // the backtracker cannot take text: the regexp package tries
	tries int      // how many places the regexp package tried rest from
	work  int      // the bytes handed to the regexp package
}

// find returns the match, or ok false if the regexp package would have
// to try rest from more than maxTailTries places.
func (s *dsSearch) find() (loc []int, ok bool) {
	d, text := s.d, s.text
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], d.lit)
		if i < 0 {
			return nil, true
		}
		i += from
		lo, hi := i+len(d.lit), len(text)
		if !d.anyNL {
			if j := strings.IndexByte(text[lo:], '\n'); j >= 0 {
				hi = lo + j
			}
		}
		loc, ok := s.rest(lo, hi)
		if !ok {
			return nil, false
		}
		if loc != nil {
			loc[0] = i
			return loc, true
		}
		// A later occurrence of the literal before hi reaches no further:
		// the next chance is past the newline.
		if hi == len(text) {
			return nil, true
		}
		from = hi + 1
	}
	return nil, true
}

// rest matches rest at the position in [lo, hi] the star's greed picks,
// and returns the positions with the end of the whole match in loc[1].
func (s *dsSearch) rest(lo, hi int) (loc []int, ok bool) {
	d, text := s.d, s.text
	if d.greedy {
		end := min(hi+len(d.tailLit), len(text))
		for {
			q := strings.LastIndex(text[lo:end], d.tailLit)
			if q < 0 {
				return nil, true
			}
			p := lo + q
			if loc, ok := s.at(p); loc != nil || !ok {
				return loc, ok
			}
			end = p + len(d.tailLit) - 1
		}
	}
	for p := lo; p <= hi; p++ {
		q := strings.Index(text[p:min(hi+len(d.tailLit), len(text))], d.tailLit)
		if q < 0 {
			return nil, true
		}
		p += q
		if loc, ok := s.at(p); loc != nil || !ok {
			return loc, ok
		}
	}
	return nil, true
}

// at matches rest from p.
func (s *dsSearch) at(p int) (loc []int, ok bool) {
	if s.bt == nil && !s.noBT {
		// Readied at the first try only: most lines without a match
		// lack the literal, and cost no more than looking for it.
		s.bt, s.noBT = nil, true
		if st, ok := s.d.tailBT.begin(s.text); ok {
			s.bt, s.noBT = st, false
		}
	}
	if s.bt != nil {
		return s.d.tailBT.at(s.bt, s.text, p), true
	}
	if s.tries++; s.tries > maxTailTries {
		return nil, false
	}
	loc = s.d.tail.FindStringSubmatchIndex(s.text[p:])
	s.work += len(s.text) - p
	for k := range loc {
		if loc[k] >= 0 {
			loc[k] += p
		}
	}
	return loc, true
}
