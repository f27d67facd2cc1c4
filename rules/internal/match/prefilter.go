package match

import (
	"math/bits"
)

// Prefilter picks, for one line, the rules whose regex can match it. Each
// rule's regex yields literals a match cannot do without (see required);
// one pass over the line with an Aho–Corasick automaton of all literals,
// ignoring ASCII case, finds which are present. A rule is a candidate
// when one of its literals is, and always when it has none. Only the
// candidates' regexes run, so the cost of a line that matches nothing is
// one table lookup per byte, whatever the number of rules.
//
// The automaton is a full transition table over byte classes (every byte
// that appears in no literal shares class 0), so the scan has no failure
// links to follow and no branches but the one for a hit. States where a
// literal ends are numbered last, so a hit is a comparison, and the table
// holds 16-bit entries when it is small enough, to stay in the cache.
type Prefilter struct {
	words    int       // length of a candidate bitset
	always   []uint64  // rules without literals: candidates for every line
	class    [256]byte // byte -> class; upper and lower case share one
	nclass   int
	delta16  []uint16  // row offset of a state + class -> next row offset; nil when it does not fit
	delta32  []uint32  // the same, when it does not fit in delta16
	hitStart uint32    // row offsets from here on are of states where a literal ends
	outputs  [][]int32 // by state: the rules one of whose literals ends there
}

// NewPrefilter builds the prefilter of the rules whose regexes are
// exprs, in their order; "" stands for a rule without a regex, which is a
// candidate for every line. Rule i is bit i%64 of word i/64 of a
// candidate bitset.
func NewPrefilter(exprs []string) *Prefilter {
	p := &Prefilter{words: (len(exprs) + 63) / 64}
	p.always = make([]uint64, p.words)
	lits := make([][]string, len(exprs))
	for i, expr := range exprs {
		var ok bool
		if expr != "" {
			lits[i], ok = required(expr)
		}
		if !ok {
			p.always[i/64] |= 1 << (i % 64)
			lits[i] = nil
		}
	}
	p.classes(lits)
	p.build(lits)
	return p
}

// classes gives every byte of a literal (folded to lower case) a class of
// its own, and its upper-case twin the same class.
func (p *Prefilter) classes(lits [][]string) {
	p.nclass = 1
	for _, ls := range lits {
		for _, l := range ls {
			for i := 0; i < len(l); i++ {
				b := lower(l[i])
				if p.class[b] == 0 && p.nclass < 256 {
					p.class[b] = byte(p.nclass)
					p.nclass++
				}
			}
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		p.class[b] = p.class[b+'a'-'A']
	}
}

// build makes the trie of the literals, then the full transition table
// breadth first, each state's missing moves taken from its failure state.
func (p *Prefilter) build(lits [][]string) {
	nc := p.nclass
	trie := [][]int32{make([]int32, nc)} // by state, by class: child or 0
	outputs := [][]int32{nil}
	for rule, ls := range lits {
		for _, l := range ls {
			s := int32(0)
			for i := 0; i < len(l); i++ {
				c := p.class[l[i]]
				if trie[s][c] == 0 {
					trie = append(trie, make([]int32, nc))
					outputs = append(outputs, nil)
					trie[s][c] = int32(len(trie) - 1)
				}
				s = trie[s][c]
			}
			if o := outputs[s]; len(o) == 0 || o[len(o)-1] != int32(rule) {
				outputs[s] = append(o, int32(rule))
			}
		}
	}
	fail := make([]int32, len(trie))
	delta := make([]int32, len(trie)*nc) // by state, by class: next state
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s != 0 {
			outputs[s] = append(outputs[s], outputs[fail[s]]...)
		}
		for c := range nc {
			next := trie[s][c]
			if next == 0 {
				if s != 0 {
					delta[int(s)*nc+c] = delta[int(fail[s])*nc+c]
				}
				continue
			}
			if s != 0 {
				fail[next] = delta[int(fail[s])*nc+c]
			}
			queue = append(queue, next)
			delta[int(s)*nc+c] = next
		}
	}
	p.number(delta, outputs)
}

// number lays out the table: states without output first (the root
// first of all), then those with, each state's entries the row offset of
// the next state.
func (p *Prefilter) number(delta []int32, outputs [][]int32) {
	nc := p.nclass
	n := len(outputs)
	order := make([]int32, n) // new number -> old state
	at := make([]uint32, n)   // old state -> new row offset
	k := 0
	for _, hit := range []bool{false, true} {
		for s := range n {
			if (len(outputs[s]) > 0) == hit {
				order[k] = int32(s)
				at[s] = uint32(k * nc)
				k++
			}
			if !hit && s == n-1 {
				p.hitStart = uint32(k * nc)
			}
		}
	}
	p.outputs = make([][]int32, n)
	rows := make([]uint32, n*nc)
	for k, s := range order {
		p.outputs[k] = outputs[s]
		for c := range nc {
			rows[k*nc+c] = at[delta[int(s)*nc+c]]
		}
	}
	if len(rows) <= 1<<16 {
		p.delta16 = make([]uint16, len(rows))
		for i, r := range rows {
			p.delta16[i] = uint16(r)
		}
		return
	}
	p.delta32 = rows
}

// Words returns the length of a candidate bitset.
func (p *Prefilter) Words() int { return p.words }

// Candidates sets in cand (Words long) the rules that may match text.
func (p *Prefilter) Candidates(text string, cand []uint64) {
	copy(cand, p.always)
	if p.delta16 != nil {
		scanFrom(p, p.delta16, 0, text, cand)
	} else if p.delta32 != nil {
		scanFrom(p, p.delta32, 0, text, cand)
	}
}

// CandidatesPair is Candidates for two texts at once.
func (p *Prefilter) CandidatesPair(a, b string, ca, cb []uint64) {
	copy(ca, p.always)
	copy(cb, p.always)
	if p.delta16 != nil {
		scanPair(p, p.delta16, a, b, ca, cb)
	} else if p.delta32 != nil {
		scanPair(p, p.delta32, a, b, ca, cb)
	}
}

// scanPair runs the automaton over a and b side by side while both have
// bytes, then over the rest of the longer.
func scanPair[T uint16 | uint32](p *Prefilter, delta []T, a, b string, ca, cb []uint64) {
	class := &p.class
	nc, hit := uint32(p.nclass), p.hitStart
	sa, sb := uint32(0), uint32(0)
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		sa = uint32(delta[sa+uint32(class[a[i]])])
		sb = uint32(delta[sb+uint32(class[b[i]])])
		if sa >= hit || sb >= hit {
			p.hit(sa, nc, hit, ca)
			p.hit(sb, nc, hit, cb)
		}
	}
	scanFrom(p, delta, sa, a[n:], ca)
	scanFrom(p, delta, sb, b[n:], cb)
}

// hit marks in cand the rules whose literals end in state s, if any do.
func (p *Prefilter) hit(s, nc, hit uint32, cand []uint64) {
	if s >= hit {
		for _, r := range p.outputs[s/nc] {
			cand[r/64] |= 1 << (r % 64)
		}
	}
}

// scanFrom runs the automaton with the table delta over text from state
// s (0: the start).
func scanFrom[T uint16 | uint32](p *Prefilter, delta []T, s uint32, text string, cand []uint64) {
	class := &p.class
	nc, hit := uint32(p.nclass), p.hitStart
	for i := 0; i < len(text); i++ {
		s = uint32(delta[s+uint32(class[text[i]])])
		p.hit(s, nc, hit, cand)
	}
}

// Next returns the first rule set in cand, and clears it, or -1 when
// none is left.
func Next(cand []uint64) int {
	for w, b := range cand {
		if b != 0 {
			cand[w] = b & (b - 1)
			return w*64 + bits.TrailingZeros64(b)
		}
	}
	return -1
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
