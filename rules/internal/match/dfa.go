package match

import (
	"math"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxDFACells bounds the transition table of one dfa (4 bytes a cell): a
// regex whose automaton would be larger keeps to the regexp package.
const maxDFACells = 1 << 15

// nonASCII is the class of the bytes a dfa does not handle.
const nonASCII = 0xFF

// Automaton answers whether a regex matches an ASCII text, without telling
// where: a deterministic automaton, built in full ahead of use from the
// regex's program, that reads each byte once and never backtracks. It
// does for the question "does the line match" what the regexp package's
// backtracker does in several passes, and stops at the first byte where a
// match is certain (or impossible).
//
// Only what the automaton can decide from the bytes alone is taken: a
// regex with line or word assertions (?m)^ $ \b \B has none, and a text
// that is empty or holds a non-ASCII byte is left to the regexp package
// (Match reports ok false). The table is read-only once built, so one dfa
// serves every goroutine.
type Automaton struct {
	class  [256]uint8 // byte -> class; nonASCII for bytes >= 0x80
	nclass uint32
	delta  []uint32 // row offset of a state + class -> row offset of the next
	start  uint32   // row offset of the state before the first byte
	accept uint32   // row offsets from here on are of states where a match ended
	dead   uint32   // row offset of the state no match can leave; MaxUint32 if none
	atEnd  []bool   // by state: a match ends at the end of the text
	// prefix is the literal every match starts with, or "": the text
	// before its first occurrence cannot take part in a match, and the
	// automaton starts there.
	prefix string
}

// Cells returns the size of the automaton's table (0 for nil).
func (d *Automaton) Cells() int {
	if d == nil {
		return 0
	}
	return len(d.delta)
}

// Match reports whether the regex matches s; ok false means that the
// automaton cannot tell (it is nil, s is empty or not ASCII) and the regexp
// package must.
func (d *Automaton) Match(s string) (matched, ok bool) {
	if d == nil || len(s) == 0 {
		return false, false
	}
	if d.prefix != "" {
		i := strings.Index(s, d.prefix)
		if i < 0 {
			return false, true
		}
		s = s[i:]
	}
	st := d.start
	if st >= d.accept {
		return true, true
	}
	delta, class := d.delta, &d.class
	for i := 0; i < len(s); i++ {
		c := class[s[i]]
		if c == nonASCII {
			return false, false
		}
		st = delta[st+uint32(c)]
		if st >= d.accept {
			return true, true
		}
		if st == d.dead {
			return false, true
		}
	}
	return d.atEnd[st/d.nclass], true
}

// dfaState is a set of threads of the program at one position: the
// instructions that wait for a byte, and those that wait for the end of
// the text ($); matched when one reached the end of the regex.
type dfaState struct {
	leaves  []uint32
	matched bool
}

func (s dfaState) key() string { return string(s.appendKey(nil)) }

// appendKey appends to b what tells s from every other state.
func (s dfaState) appendKey(b []byte) []byte {
	if s.matched {
		b = append(b, '!')
	}
	return appendPCs(b, s.leaves)
}

// appendPCs appends pcs to b, four bytes each.
func appendPCs(b []byte, pcs []uint32) []byte {
	for _, pc := range pcs {
		b = append(b, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	return b
}

// dfaBuilder makes the states of a dfa by following the program.
type dfaBuilder struct {
	prog     *syntax.Prog
	seen     []bool      // by pc: already followed in the current closure
	reads    [][2]uint64 // by pc of a rune instruction: the ASCII bytes it takes
	maxCells int
	leaves   []uint32 // follow's scratch: a state's leaves until it is kept
	key      []byte   // build's scratch for state keys
}

// NewAutomaton returns the automaton of the regex expr (Perl syntax, as
// the regexp package compiles it), or nil when it has none (see
// Automaton) or its table would have more than maxCells cells (and never
// more than 32,768: 128 KiB).
func NewAutomaton(expr string, maxCells int) *Automaton {
	prog, _, ok := program(expr)
	if !ok {
		return nil
	}
	var runes []uint32 // the instructions that read a rune
	for pc, in := range prog.Inst {
		switch in.Op {
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&^(syntax.EmptyBeginText|syntax.EmptyEndText) != 0 {
				return nil
			}
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			runes = append(runes, uint32(pc))
		}
	}
	b := &dfaBuilder{prog: prog, seen: make([]bool, len(prog.Inst)), maxCells: min(maxCells, maxDFACells)}
	b.reads = make([][2]uint64, len(prog.Inst))
	for _, pc := range runes {
		b.reads[pc] = asciiReads(&prog.Inst[pc])
	}
	d := &Automaton{}
	if !beginsText(prog) {
		d.prefix = literalPrefix(prog)
	}
	reps := d.classes(b.reads, runes)
	return b.build(d, reps)
}

// classes gives the ASCII bytes that every instruction treats alike one
// class, and returns a byte of each class.
func (d *Automaton) classes(reads [][2]uint64, runes []uint32) []byte {
	bySig := map[string]uint8{}
	var reps []byte
	sig := make([]byte, len(runes))
	for c := range 256 {
		if c >= 0x80 {
			d.class[c] = nonASCII
			continue
		}
		for i, pc := range runes {
			sig[i] = '0'
			if reads[pc][c/64]&(1<<(c%64)) != 0 {
				sig[i] = '1'
			}
		}
		k, ok := bySig[string(sig)]
		if !ok {
			k = uint8(len(reps))
			bySig[string(sig)] = k
			reps = append(reps, byte(c))
		}
		d.class[c] = k
	}
	d.nclass = uint32(len(reps))
	return reps
}

// program compiles expr as the regexp package does (Perl syntax,
// simplified) and returns the number of submatch slots its results have.
func program(expr string) (prog *syntax.Prog, ncap int, ok bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, 0, false
	}
	ncap = 2 * (re.MaxCap() + 1)
	prog, err = syntax.Compile(re.Simplify())
	return prog, ncap, err == nil
}

// literalPrefix returns the literal every match of prog starts with, or
// "". Not one holding U+FFFD, which the regexp package also matches for
// an invalid byte.
func literalPrefix(prog *syntax.Prog) string {
	if p, _ := prog.Prefix(); !strings.ContainsRune(p, utf8.RuneError) {
		return p
	}
	return ""
}

// beginsText reports whether the program asserts the start of the text
// anywhere: the automaton could not then start later in the text.
func beginsText(prog *syntax.Prog) bool {
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth && syntax.EmptyOp(in.Arg)&syntax.EmptyBeginText != 0 {
			return true
		}
	}
	return false
}

// asciiReads returns the ASCII bytes that the rune instruction in takes,
// as a bit set.
func asciiReads(in *syntax.Inst) (set [2]uint64) {
	add := func(lo, hi rune) {
		for c := max(lo, 0); c <= min(hi, 127); c++ {
			set[c/64] |= 1 << (c % 64)
		}
	}
	switch {
	case in.Op == syntax.InstRune1:
		add(in.Rune[0], in.Rune[0])
	case in.Op == syntax.InstRune && syntax.Flags(in.Arg)&syntax.FoldCase == 0:
		for i := 0; i+1 < len(in.Rune); i += 2 {
			add(in.Rune[i], in.Rune[i+1])
		}
		if len(in.Rune) == 1 {
			add(in.Rune[0], in.Rune[0])
		}
	default:
		for c := range 128 {
			if readsByte(in, byte(c)) {
				set[c/64] |= 1 << (c % 64)
			}
		}
	}
	return set
}

// readsByte reports whether the rune instruction in takes the ASCII byte c.
func readsByte(in *syntax.Inst, c byte) bool {
	switch in.Op {
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return c != '\n'
	}
	return in.MatchRune(rune(c))
}

// closure adds to st the threads that pc leads to without reading a byte,
// at the start of the text or not (begin), at its end or not (end). A
// thread that waits for the end ($) when not at the end is kept as a leaf.
func (b *dfaBuilder) closure(st *dfaState, pc uint32, begin, end bool) {
	if b.seen[pc] {
		return
	}
	b.seen[pc] = true
	in := &b.prog.Inst[pc]
	switch in.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		b.closure(st, in.Out, begin, end)
		b.closure(st, in.Arg, begin, end)
	case syntax.InstCapture, syntax.InstNop:
		b.closure(st, in.Out, begin, end)
	case syntax.InstEmptyWidth:
		op := syntax.EmptyOp(in.Arg)
		if op&syntax.EmptyBeginText != 0 && !begin {
			return
		}
		if op&syntax.EmptyEndText != 0 && !end {
			st.leaves = append(st.leaves, pc) // waits for the end
			return
		}
		b.closure(st, in.Out, begin, end)
	case syntax.InstMatch:
		st.matched = true
	case syntax.InstFail:
	default:
		st.leaves = append(st.leaves, pc)
	}
}

// follow returns the state of the threads from pcs, plus those of a match
// starting afresh (inject) when not at the start of the text.
//
// The state's leaves are the builder's scratch, valid until the next
// follow: a state that is kept takes a copy.
func (b *dfaBuilder) follow(pcs []uint32, begin bool, inject bool) dfaState {
	clear(b.seen)
	st := dfaState{leaves: b.leaves[:0]}
	for _, pc := range pcs {
		b.closure(&st, pc, begin, false)
	}
	if inject {
		b.closure(&st, uint32(b.prog.Start), false, false)
	}
	slices.Sort(st.leaves)
	st.leaves = slices.Compact(st.leaves)
	b.leaves = st.leaves
	return st
}

// endsHere reports whether a thread of st matches if the text ends now
// (never at its start: an empty text is left to the regexp package).
func (b *dfaBuilder) endsHere(st dfaState) bool {
	if st.matched {
		return true
	}
	clear(b.seen)
	var end dfaState
	for _, pc := range st.leaves {
		if in := &b.prog.Inst[pc]; in.Op == syntax.InstEmptyWidth {
			b.closure(&end, in.Out, false, true)
		}
	}
	return end.matched
}

// build finds every state reachable from the start, breadth first, and
// lays out the table with the matching states last.
func (b *dfaBuilder) build(d *Automaton, reps []byte) *Automaton {
	nc := int(d.nclass)
	first := b.follow([]uint32{uint32(b.prog.Start)}, true, false)
	first.leaves = slices.Clone(first.leaves)
	states := []dfaState{first}
	index := map[string]int{first.key(): 0}
	var next []int // by state, by class: the next state
	var outs []uint32
	var outsKey []byte
	// Most classes of a state lead to the same few thread sets: a row
	// follows each set once.
	byOuts := map[string]int{}
	for i := 0; i < len(states); i++ {
		if (i+1)*nc > b.maxCells {
			return nil
		}
		row := make([]int, nc)
		clear(byOuts)
		for c, rb := range reps {
			if states[i].matched {
				row[c] = i // never left: a match is certain
				continue
			}
			outs = outs[:0]
			for _, pc := range states[i].leaves {
				in := &b.prog.Inst[pc]
				if in.Op != syntax.InstEmptyWidth && b.reads[pc][rb/64]&(1<<(rb%64)) != 0 {
					outs = append(outs, in.Out)
				}
			}
			outsKey = appendPCs(outsKey[:0], outs)
			if j, ok := byOuts[string(outsKey)]; ok {
				row[c] = j
				continue
			}
			st := b.follow(outs, false, true)
			b.key = st.appendKey(b.key[:0])
			j, ok := index[string(b.key)]
			if !ok {
				j = len(states)
				index[string(b.key)] = j
				st.leaves = slices.Clone(st.leaves)
				states = append(states, st)
			}
			byOuts[string(outsKey)] = j
			row[c] = j
		}
		next = append(next, row...)
	}
	// Number the states: those without a match first, then those with.
	n := len(states)
	at := make([]uint32, n) // old state -> new row offset
	d.atEnd = make([]bool, n)
	d.dead = math.MaxUint32
	k := 0
	for _, matched := range []bool{false, true} {
		if matched {
			d.accept = uint32(k * nc)
		}
		for s, st := range states {
			if st.matched != matched {
				continue
			}
			at[s] = uint32(k * nc)
			d.atEnd[k] = b.endsHere(st)
			if !st.matched && len(st.leaves) == 0 {
				d.dead = at[s]
			}
			k++
		}
	}
	d.delta = make([]uint32, n*nc)
	for s := range states {
		for c := range nc {
			d.delta[int(at[s])+c] = at[next[s*nc+c]]
		}
	}
	d.start = at[0]
	return d
}
