package rules

import (
	"math/bits"
)

// prefilter picks, for one line, the rules whose regex can match it. Each
// rule's regex yields literals a match cannot do without (see required);
// one pass over the line with an Aho–Corasick automaton of all literals,
// ignoring ASCII case, finds which are present. A rule is a candidate
// when one of its literals is, and always when it has none. Only the
// candidates' regexes run, so the cost of a line that matches nothing is
// one table lookup per byte, whatever the number of rules.
//
// The automaton is a full transition table over byte classes (every byte
// that appears in no literal shares class 0), so the scan has no failure
// links to follow and no branches but the one for a hit.
type prefilter struct {
	words   int       // length of a candidate bitset
	always  []uint64  // rules without literals: candidates for every line
	class   [256]byte // byte -> class; upper and lower case share one
	nclass  int
	delta   []uint32  // row offset of a state + class -> next row offset, | hitBit
	outputs [][]int32 // by state: the rules one of whose literals ends there
	// captures is, by rule, whether its regex has a named group; the
	// others need no submatch positions.
	captures []bool
}

// hitBit marks a transition into a state where some literal ends.
const hitBit = 1 << 31

// newPrefilter builds the prefilter of rules, in their order.
func newPrefilter(rules []*Rule) *prefilter {
	p := &prefilter{words: (len(rules) + 63) / 64}
	p.always = make([]uint64, p.words)
	lits := make([][]string, len(rules))
	p.captures = make([]bool, len(rules))
	for i, r := range rules {
		p.captures[i] = r.caps
		var ok bool
		if r.match != nil {
			lits[i], ok = required(r.match.String())
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
func (p *prefilter) classes(lits [][]string) {
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
func (p *prefilter) build(lits [][]string) {
	nc := p.nclass
	trie := [][]int32{make([]int32, nc)} // by state, by class: child or 0
	p.outputs = [][]int32{nil}
	for rule, ls := range lits {
		for _, l := range ls {
			s := int32(0)
			for i := 0; i < len(l); i++ {
				c := p.class[l[i]]
				if trie[s][c] == 0 {
					trie = append(trie, make([]int32, nc))
					p.outputs = append(p.outputs, nil)
					trie[s][c] = int32(len(trie) - 1)
				}
				s = trie[s][c]
			}
			if o := p.outputs[s]; len(o) == 0 || o[len(o)-1] != int32(rule) {
				p.outputs[s] = append(o, int32(rule))
			}
		}
	}
	fail := make([]int32, len(trie))
	p.delta = make([]uint32, len(trie)*nc)
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s != 0 {
			p.outputs[s] = append(p.outputs[s], p.outputs[fail[s]]...)
		}
		for c := range nc {
			next := trie[s][c]
			if next == 0 {
				if s != 0 {
					p.delta[int(s)*nc+c] = p.delta[int(fail[s])*nc+c]
				}
				continue
			}
			if s != 0 {
				fail[next] = int32(p.delta[int(fail[s])*nc+c] &^ hitBit / uint32(nc))
			}
			queue = append(queue, next)
			p.delta[int(s)*nc+c] = uint32(int(next) * nc)
		}
	}
	for i, d := range p.delta {
		if len(p.outputs[d/uint32(nc)]) > 0 {
			p.delta[i] = d | hitBit
		}
	}
}

// candidates sets in cand (p.words long) the rules that may match text.
func (p *prefilter) candidates(text string, cand []uint64) {
	copy(cand, p.always)
	if len(p.delta) == 0 {
		return
	}
	delta, class := p.delta, &p.class
	nc := uint32(p.nclass)
	s := uint32(0)
	for i := 0; i < len(text); i++ {
		s = delta[s+uint32(class[text[i]])]
		if s&hitBit != 0 {
			s &^= hitBit
			for _, r := range p.outputs[s/nc] {
				cand[r/64] |= 1 << (r % 64)
			}
		}
	}
}

// next returns the first rule set in cand, and clears it, or -1 when
// none is left.
func next(cand []uint64) int {
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
