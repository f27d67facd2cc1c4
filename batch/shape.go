package batch

import (
	"hash/maphash"
	"strings"
	"unicode/utf8"
)

// maxSample is the most bytes of one sample line a digest keeps.
const maxSample = 1 << 10

// hole stands for a variable part of a line in a shape hash. 0xFF never
// occurs in valid UTF-8, so no literal text can imitate it.
const hole = 0xFF

// shapeOf hashes the shape of s: s with every number, hex id, UUID, IP
// address (v4 and v6) and quoted string replaced by a hole. Holes joined
// by at most two of `.:-,/` become one hole, so 10.0.0.1, fe80::1 and
// 10.0.0.1:8080 have one shape. Lines of equal shape count as similar.
//
// It reads s once, writes literal runs to the hash as they are, and
// allocates nothing.
func shapeOf(seed maphash.Seed, s string) uint64 {
	sc := scanner{hashing: true, s: s, lastHole: -1}
	sc.h.SetSeed(seed)
	sc.run()
	sc.h.WriteString(s[sc.lit:])
	return sc.h.Sum64()
}

// scanner walks one line for shapeOf (hashing) or holesOf (the holes are
// appended to spans).
type scanner struct {
	hashing  bool
	h        maphash.Hash
	s        string
	lit      int // start of the literal text not yet hashed
	lastHole int // end of the last hole, -1 before the first
	spans    []span
	limit    int  // holesOf: stop once more than limit holes are found
	stop     bool // holesOf: the limit is passed
}

func (sc *scanner) run() {
	s := sc.s
	for i := 0; i < len(s); {
		c := s[i]
		k := class[c]
		if k&cAlnum != 0 {
			// A word: most hold no digit and leave the shape as it is.
			j, all, any := i, uint8(cAlnum|cDigit|cHex), uint8(0)
			for j < len(s) {
				c := class[s[j]]
				if c&cAlnum == 0 {
					break
				}
				all &= c
				any |= c
				j++
			}
			if any&cDigit != 0 {
				sc.word(i, j, all&cHex != 0)
				if sc.stop {
					return
				}
			}
			i = j
			continue
		}
		switch {
		case k&cQuote == 0:
			i++
		case c == '"' || c == '\'' && (i == 0 || !isAlnum(s[i-1])):
			i = sc.quoted(i, s[i:i+1])
		case c == '&' && strings.HasPrefix(s[i:], "&quot;"):
			i = sc.quoted(i, "&quot;")
		default:
			i++
		}
	}
}

// quoted makes a quoted string starting at i a hole, if it closes.
func (sc *scanner) quoted(i int, q string) int {
	j := strings.Index(sc.s[i+len(q):], q)
	if j < 0 {
		return i + len(q)
	}
	end := i + len(q) + j + len(q)
	sc.mark(i, end)
	return end
}

// word handles the alphanumeric run s[i:j], which holds a digit (hex: and
// only hex digits and letters): a run of digits, a hex id (0x-prefixed or
// not) is one hole; in any other word (user42) each run of digits is a
// hole.
func (sc *scanner) word(i, j int, hex bool) {
	s := sc.s
	start := i
	if i > 0 && s[i-1] == '-' && isDigit(s[i]) && (i == 1 || !isAlnum(s[i-2])) {
		start = i - 1 // a negative number
	}
	prefixed := j-i > 2 && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && isHexRun(s[i+2:j])
	switch {
	case hex || prefixed:
		sc.mark(start, j)
	default:
		for k := i; k < j; {
			if !isDigit(s[k]) {
				k++
				continue
			}
			e := k
			for e < j && isDigit(s[e]) {
				e++
			}
			sc.mark(k, e)
			k = e
		}
	}
}

// mark makes s[i:end] a hole, joining it to the hole before when only a
// short separator lies between them.
func (sc *scanner) mark(i, end int) {
	if sc.lastHole >= 0 && i-sc.lit <= 2 && isJoiner(sc.s[sc.lit:i]) {
		if !sc.hashing {
			sc.spans[len(sc.spans)-1].end = int32(end)
		}
		sc.lit, sc.lastHole = end, end
		return
	}
	if !sc.hashing {
		sc.spans = append(sc.spans, span{int32(i), int32(end)})
		sc.stop = len(sc.spans) > sc.limit
	} else {
		sc.h.WriteString(sc.s[sc.lit:i])
		sc.h.WriteByte(hole)
	}
	sc.lit, sc.lastHole = end, end
}

// span is where one hole of a line is: s[start:end].
type span struct{ start, end int32 }

// holesOf appends to buf the holes of s that shapeOf finds, in order, and
// returns it. It stops after the first limit holes (and the start of the
// next), so a long line costs no more than the holes it is asked for.
func holesOf(buf []span, s string, limit int) []span {
	sc := scanner{s: s, lastHole: -1, spans: buf[:0], limit: limit}
	sc.run()
	return sc.spans
}

// Byte classes for the scanner, looked up in one table.
const (
	cAlnum = 1 << iota
	cDigit
	cHex
	cJoiner
	cQuote // may open a quoted string: " ' &
)

var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cAlnum | cDigit | cHex
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = cAlnum
		t[c-'a'+'A'] = cAlnum
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= cHex
		t[c-'a'+'A'] |= cHex
	}
	for _, c := range ".:-,/" {
		t[c] = cJoiner
	}
	for _, c := range `"'&` {
		t[c] = cQuote
	}
	return t
}()

func isJoiner(sep string) bool {
	for i := 0; i < len(sep); i++ {
		if class[sep[i]]&cJoiner == 0 {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool { return class[c]&cAlnum != 0 }

func isDigit(c byte) bool { return class[c]&cDigit != 0 }

func isHexRun(s string) bool {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&cHex == 0 {
			return false
		}
	}
	return true
}

// cutSample bounds the text a digest keeps of one line: at most maxSample
// bytes, cut at a rune boundary and never inside an HTML entity, marked
// with "…". A cut result does not share memory with s.
func cutSample(s string) string {
	if len(s) <= maxSample {
		return s
	}
	const mark = "…"
	n := maxSample - len(mark)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	cut := s[:n]
	// An entity is at most a few bytes long (&#x1F600;): an '&' near the
	// end with no ';' after it starts one that the cut would break.
	if a := strings.LastIndexByte(cut, '&'); a >= 0 && a >= len(cut)-12 && !strings.Contains(cut[a:], ";") {
		cut = cut[:a]
	}
	return cut + mark
}
