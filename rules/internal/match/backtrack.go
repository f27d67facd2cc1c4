package match

import (
	"regexp/syntax"
	"strings"
	"sync"
)

// backtracker finds the submatch positions of a regex in ASCII text: the
// regexp package's own backtracking algorithm (the same program, the same
// order of trying, a bit per instruction and position so that no state is
// tried twice, hence linear time), specialised to bytes. Each rune
// instruction becomes a set of the ASCII bytes it takes, so a step is a
// bit test where the regexp package decodes a rune through an interface
// and searches the instruction's ranges: three to four times faster on
// the group_by rules of the benchmark.
//
// find answers ok false for a text holding a non-ASCII byte, or too long
// for the bit vector; the regexp package then does. A table test, random
// regexes and FuzzBacktracker hold it to FindStringSubmatchIndex.
type backtracker struct {
	insts  []btInst
	start  uint32
	prefix string // a literal every match starts with, or ""
	anchor bool   // the regex starts with \A (or ^ outside (?m))
	ncap   int
	maxLen int // the longest text the bit vector allows
}

// btInst is one instruction of the program, with its bytes.
type btInst struct {
	op       syntax.InstOp
	out, arg uint32
	empty    syntax.EmptyOp // InstEmptyWidth
	reads    [2]uint64      // rune instructions: the ASCII bytes they take
	outRune  bool           // InstAltMatch: out reads a rune, arg leads to the match
	// memo: the instruction is reached from more than one place, so a
	// visit at a position is marked and never repeated. One reached from
	// one place only is visited at a position at most as often as that
	// place, hence at most once too, and needs no mark.
	memo bool
	// lit is the run of literal bytes that this InstRune1 starts, when
	// two or more single-byte instructions follow one another with no
	// other way in: the run is compared at once, and litOut follows it.
	lit    string
	litOut uint32
}

// maxBacktrackBits bounds the bit vector (1 MiB): a regex of 60
// instructions searches a line of 128 KiB. A longer text goes to the
// regexp package, also in linear time but slower.
const maxBacktrackBits = 8 << 20

// newBacktracker returns the backtracker of expr, or nil if expr does not
// compile or its program is too long to backtrack.
func newBacktracker(expr string) *backtracker {
	prog, ncap, ok := program(expr)
	if !ok || len(prog.Inst) > 500 {
		return nil
	}
	bt := &backtracker{
		insts:  make([]btInst, len(prog.Inst)),
		start:  uint32(prog.Start),
		prefix: literalPrefix(prog),
		anchor: prog.StartCond()&syntax.EmptyBeginText != 0,
		ncap:   ncap,
		maxLen: maxBacktrackBits/len(prog.Inst) - 1,
	}
	indegree := make([]int, len(prog.Inst))
	indegree[prog.Start]++
	for _, in := range prog.Inst {
		switch in.Op {
		case syntax.InstMatch, syntax.InstFail:
		case syntax.InstAlt, syntax.InstAltMatch:
			indegree[in.Out]++
			indegree[in.Arg]++
		default:
			indegree[in.Out]++
		}
	}
	for pc := range prog.Inst {
		in := &prog.Inst[pc]
		b := &bt.insts[pc]
		b.memo = indegree[pc] != 1
		b.op, b.out, b.arg = in.Op, in.Out, in.Arg
		switch in.Op {
		case syntax.InstRune1:
			b.arg = uint32(in.Rune[0]) // the byte, when ASCII (else no byte matches)
			if in.Rune[0] >= 0x80 {
				b.op = syntax.InstRune // its reads: none
			}
			b.reads = asciiReads(in)
		case syntax.InstRune, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			b.reads = asciiReads(in)
		case syntax.InstEmptyWidth:
			b.empty = syntax.EmptyOp(in.Arg)
		case syntax.InstAltMatch:
			switch prog.Inst[in.Out].Op {
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				b.outRune = true
			}
		}
	}
	for pc := range bt.insts {
		b := &bt.insts[pc]
		if b.op != syntax.InstRune1 || prog.Inst[pc].Rune[0] >= 0x80 {
			continue
		}
		var run []byte
		next := uint32(pc)
		for {
			r := prog.Inst[next].Rune[0]
			run = append(run, byte(r))
			next = prog.Inst[next].Out
			if n := &bt.insts[next]; n.op != syntax.InstRune1 || n.memo || prog.Inst[next].Rune[0] >= 0x80 {
				break
			}
		}
		if len(run) > 1 {
			b.lit, b.litOut = string(run), next
		}
	}
	return bt
}

// btJob is a choice to come back to: try pc at pos (arg: the second
// branch of an Alt), or restore a capture slot (arg: pos is its old
// value).
type btJob struct {
	pc  uint32
	arg bool
	pos int
}

// btState is the working memory of one search, pooled.
type btState struct {
	visited  []uint32
	jobs     []btJob
	cap      []int
	matchcap []int
	// steps counts the instructions run since begin, plus the text's
	// length for clearing the bits: the work the tests of linear time
	// measure.
	steps int
}

var btPool = sync.Pool{New: func() any { return new(btState) }}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	const highs = 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// find returns what FindStringSubmatchIndex returns for text, with ok
// true; ok false when it cannot tell (text not ASCII, or too long).
func (bt *backtracker) find(text string) (loc []int, ok bool) {
	loc, ok, _ = bt.findWork(text)
	return loc, ok
}

// findWork is find that also tells the work done: the instructions run,
// plus the text's length.
func (bt *backtracker) findWork(text string) (loc []int, ok bool, work int) {
	st, ok := bt.begin(text)
	if !ok {
		return nil, false, 0
	}
	defer btPool.Put(st)
	if bt.anchor {
		return bt.at(st, text, 0), true, st.steps
	}
	for pos := 0; pos <= len(text); pos++ {
		if bt.prefix != "" {
			i := strings.Index(text[pos:], bt.prefix)
			if i < 0 {
				break
			}
			pos += i
		}
		if loc := bt.at(st, text, pos); loc != nil {
			return loc, true, st.steps
		}
	}
	return nil, true, st.steps
}

// begin readies a search of text: a working memory, from btPool, whose
// visited bits are clear. Searches from several positions of the same
// text (at) share the bits, as the regexp package's unanchored search
// does: a state that failed from one start fails from every other, so no
// (instruction, position) is tried twice however many starts are tried,
// and all of them together take time linear in the text. ok is false if
// the backtracker cannot search text (not ASCII, or too long).
func (bt *backtracker) begin(text string) (st *btState, ok bool) {
	if bt == nil || len(text) > bt.maxLen || !isASCII(text) {
		return nil, false
	}
	st = btPool.Get().(*btState)
	n := (len(bt.insts)*(len(text)+1) + 31) / 32
	if cap(st.visited) < n {
		st.visited = make([]uint32, n)
	} else {
		st.visited = st.visited[:n]
		clear(st.visited)
	}
	if cap(st.cap) < bt.ncap {
		st.cap = make([]int, bt.ncap)
		st.matchcap = make([]int, bt.ncap)
	}
	st.cap, st.matchcap = st.cap[:bt.ncap], st.matchcap[:bt.ncap]
	for i := range st.cap {
		st.cap[i], st.matchcap[i] = -1, -1
	}
	st.steps = len(text)
	return st, true
}

// at returns the positions of a match that starts at pos, as
// FindStringSubmatchIndex of the regex anchored there would on text[pos:]
// (shifted by pos), or nil. The regex must not look behind pos (^, \b)
// unless pos is 0. st is begin's, for the same text.
func (bt *backtracker) at(st *btState, text string, pos int) []int {
	// The slots are -1 from begin: a failed try restores every slot it
	// set, and a match ends the search.
	st.cap[0] = pos
	if !bt.try(st, text, pos) {
		return nil
	}
	return append([]int(nil), st.matchcap...)
}

// try runs the backtracking from the start of the program at pos, as the
// regexp package's tryBacktrack does for a leftmost-first match.
func (bt *backtracker) try(st *btState, text string, pos int) bool {
	end := len(text)
	width := uint32(end + 1)
	visit := func(pc uint32, pos int) bool {
		n := pc*width + uint32(pos)
		if st.visited[n/32]&(1<<(n&31)) != 0 {
			return false
		}
		st.visited[n/32] |= 1 << (n & 31)
		return true
	}
	jobs := st.jobs[:0]
	if visit(bt.start, pos) {
		jobs = append(jobs, btJob{pc: bt.start, pos: pos})
	}
	insts := bt.insts
	steps := 0
	for len(jobs) > 0 {
		j := jobs[len(jobs)-1]
		jobs = jobs[:len(jobs)-1]
		pc, pos, arg := j.pc, j.pos, j.arg
		checked := true // the job's (pc, pos) was marked when pushed
		for {
			steps++
			in := &insts[pc]
			if !checked && in.memo && !visit(pc, pos) {
				break
			}
			checked = false
			switch in.op {
			case syntax.InstAlt:
				if arg {
					arg = false
					pc = in.arg
					continue
				}
				jobs = append(jobs, btJob{pc: pc, arg: true, pos: pos})
				pc = in.out
				continue
			case syntax.InstAltMatch:
				if in.outRune {
					if visit(in.arg, pos) {
						jobs = append(jobs, btJob{pc: in.arg, pos: pos})
					}
					pc, pos = in.arg, end
					continue
				}
				if visit(in.out, end) {
					jobs = append(jobs, btJob{pc: in.out, pos: end})
				}
				pc = in.out
				continue
			case syntax.InstRune1:
				if in.lit != "" {
					if !strings.HasPrefix(text[pos:], in.lit) {
						break
					}
					pos += len(in.lit)
					pc = in.litOut
					continue
				}
				if pos >= end || text[pos] != byte(in.arg) {
					break
				}
				pos++
				pc = in.out
				continue
			case syntax.InstRune, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				if pos >= end {
					break
				}
				c := text[pos]
				if in.reads[c/64]&(1<<(c%64)) == 0 {
					break
				}
				pos++
				pc = in.out
				continue
			case syntax.InstCapture:
				if arg {
					st.cap[in.arg] = pos // restore
					break
				}
				if int(in.arg) < len(st.cap) {
					jobs = append(jobs, btJob{pc: pc, arg: true, pos: st.cap[in.arg]})
					st.cap[in.arg] = pos
				}
				pc = in.out
				continue
			case syntax.InstEmptyWidth:
				if in.empty&^emptyAt(text, pos) != 0 {
					break
				}
				pc = in.out
				continue
			case syntax.InstNop:
				pc = in.out
				continue
			case syntax.InstMatch:
				if len(st.cap) > 1 {
					st.cap[1] = pos
				}
				if st.matchcap[1] == -1 {
					copy(st.matchcap, st.cap)
				}
				st.jobs = jobs
				st.steps += steps
				return true
			}
			break // InstFail, or a failed step
		}
	}
	st.jobs = jobs
	st.steps += steps
	return false
}

// emptyAt returns the empty-width conditions that hold at pos in text.
func emptyAt(text string, pos int) syntax.EmptyOp {
	r1, r2 := rune(-1), rune(-1)
	if pos > 0 {
		r1 = rune(text[pos-1])
	}
	if pos < len(text) {
		r2 = rune(text[pos])
	}
	return syntax.EmptyOpContext(r1, r2)
}
