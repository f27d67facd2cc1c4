package batch

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/rules"
)

// Bounds on what a digest line keeps of the values that varied, so that
// an entry's memory stays small (a few KiB at worst) whatever the lines
// hold.
const (
	// maxFieldValues is how many distinct values of one part are listed;
	// lines with other values are counted in Others.
	maxFieldValues = 5
	// maxFields is how many varying parts of one line list their values;
	// past that a part that varies shows as "{…}".
	maxFields = 8
	// maxValueBytes caps one kept value; a longer one is cut and marked.
	maxValueBytes = 96
	// maxLineValueBytes caps the value text one line keeps in all.
	maxLineValueBytes = 512
	// maxHoles is how many holes of a sample are tracked one by one; if
	// the text after them varies, it shows as "{…}".
	maxHoles = 64
)

// others is the value index of a line counted in a Field's Others.
const others = 0xFF

// Field is one part of a Line's text (a number, an address, an id, a
// quoted string) whose value varied among the lines the Line stands for.
// Text[Start:End] is the first line's value; Values lists the distinct
// values, that one first. A Field without Values varied in ways not kept
// (past the bounds above): it shows as "{…}".
type Field struct {
	Start int `json:"start"`
	End   int `json:"end"`
	rules.DigestField
}

// lineValues is what a draft keeps to track the values of one shown line.
type lineValues struct {
	holes   []span // the first maxHoles holes of the line's sample text
	rest    int    // where the text after those holes starts, 0 if none
	fieldOf []int8 // per hole (and one for the rest): index in Line.Values or -1; nil until one varies
	bytes   int    // value text kept
	listed  int    // fields that list values
}

// newLineValues finds the holes of a new line's sample. A cut sample
// loses its last hole, which the cut may have split.
func newLineValues(sample string, cut bool, scratch *[]span) lineValues {
	hs := holesOf(*scratch, sample, maxHoles)
	*scratch = hs
	var lv lineValues
	if len(hs) > maxHoles {
		lv.rest = int(hs[maxHoles].start)
		hs = hs[:maxHoles]
	}
	if cut {
		end := int32(len(sample) - len("…"))
		for len(hs) > 0 && hs[len(hs)-1].end >= end {
			hs = hs[:len(hs)-1]
		}
		lv.rest = 0
	}
	if len(hs) > 0 {
		lv.holes = slices.Clone(hs)
	}
	return lv
}

// add counts, in l, the values of text, a line of the same shape as l's
// sample; l.Count does not count it yet. For a line held below a
// threshold (held) it returns the index of its value in each field of
// l.Values (others: counted in Others), so that remove can take it back;
// nil stands for the first value of every field.
func (lv *lineValues) add(l *Line, text string, scratch *[]span, held bool) []uint8 {
	if len(lv.holes) == 0 && lv.rest == 0 {
		return nil
	}
	var idx []uint8
	set := func(fi int, k uint8) {
		if !held {
			return
		}
		if len(idx) <= fi {
			idx = append(idx, make([]uint8, fi+1-len(idx))...)
		}
		idx[fi] = k
	}
	if text == l.Text {
		for fi := range l.Values {
			f := &l.Values[fi]
			set(fi, lv.count(f, cutValue(l.Text[f.Start:f.End])))
		}
		return idx
	}
	*scratch = holesOf(*scratch, text, len(lv.holes))
	hs := *scratch
	for i, h := range lv.holes[:min(len(lv.holes), len(hs))] {
		v := cutValue(text[hs[i].start:hs[i].end])
		fi := lv.fieldIndex(i)
		if fi < 0 {
			if v == cutValue(l.Text[h.start:h.end]) {
				continue
			}
			fi = lv.newField(l, i, int(h.start), int(h.end))
		}
		set(fi, lv.count(&l.Values[fi], v))
	}
	if lv.rest > 0 && len(hs) > len(lv.holes) {
		fi := lv.fieldIndex(len(lv.holes))
		if fi < 0 && text[hs[len(lv.holes)].start:] != l.Text[lv.rest:] {
			fi = lv.newField(l, len(lv.holes), lv.rest, len(l.Text))
		}
		if fi >= 0 {
			set(fi, lv.count(&l.Values[fi], ""))
		}
	}
	return idx
}

// fieldIndex returns the index in Line.Values of hole i's field, or -1.
func (lv *lineValues) fieldIndex(i int) int {
	if lv.fieldOf == nil {
		return -1
	}
	return int(lv.fieldOf[i])
}

// newField starts the field of hole i (i == len(holes): the rest), which
// has had the sample's value on every line counted so far.
func (lv *lineValues) newField(l *Line, i, start, end int) int {
	if lv.fieldOf == nil {
		lv.fieldOf = make([]int8, len(lv.holes)+1)
		for j := range lv.fieldOf {
			lv.fieldOf[j] = -1
		}
	}
	f := Field{Start: start, End: end}
	v := cutValue(l.Text[start:end])
	if i < len(lv.holes) && lv.listed < maxFields && lv.bytes+len(v) <= maxLineValueBytes {
		f.Values = []rules.DigestValue{{Text: strings.Clone(v), Count: l.Count}}
		lv.bytes += len(v)
		lv.listed++
	} else {
		f.Others = l.Count
	}
	lv.fieldOf[i] = int8(len(l.Values))
	l.Values = append(l.Values, f)
	return len(l.Values) - 1
}

// count counts one line with value v in f and returns v's index, or
// others.
func (lv *lineValues) count(f *Field, v string) uint8 {
	for k := range f.Values {
		if f.Values[k].Text == v {
			f.Values[k].Count++
			return uint8(k)
		}
	}
	if n := len(f.Values); n > 0 && n < maxFieldValues && lv.bytes+len(v) <= maxLineValueBytes {
		f.Values = append(f.Values, rules.DigestValue{Text: strings.Clone(v), Count: 1})
		lv.bytes += len(v)
		return uint8(n)
	}
	f.Others++
	return others
}

// uncount takes back a line counted with the value indexes idx (see add).
func uncount(l *Line, idx []uint8) {
	for fi := range l.Values {
		f := &l.Values[fi]
		k := uint8(0)
		if fi < len(idx) {
			k = idx[fi]
		}
		switch {
		case k != others && int(k) < len(f.Values) && f.Values[k].Count > 0:
			f.Values[k].Count--
		case f.Others > 0:
			f.Others--
		}
	}
}

// cutValue bounds a value at maxValueBytes, at a rune boundary and never
// inside an HTML entity. The result may share memory with s.
func cutValue(s string) string {
	if len(s) <= maxValueBytes {
		return s
	}
	n := maxValueBytes - len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	cut := s[:n]
	if a := strings.LastIndexByte(cut, '&'); a >= 0 && a >= len(cut)-12 && !strings.Contains(cut[a:], ";") {
		cut = cut[:a]
	}
	return cut + "…"
}

// Shown returns the line's text as a digest shows it: every part that
// varied replaced by its values, "{1.1.1.1, 203.0.113.5 ×5}", at most
// maxFieldValues of them, then "+N others" for the lines with another
// value. A part that, in the end, took one value shows it plainly.
func (l Line) Shown() string {
	if len(l.Values) == 0 {
		return l.Text
	}
	fs := slices.Clone(l.Values)
	slices.SortFunc(fs, func(a, b Field) int { return a.Start - b.Start })
	var b strings.Builder
	last := 0
	for _, f := range fs {
		if f.Start < last || f.End < f.Start || f.End > len(l.Text) {
			continue // not from this text (a damaged outbox record)
		}
		b.WriteString(l.Text[last:f.Start])
		b.WriteString(fieldText(f.DigestField))
		last = f.End
	}
	b.WriteString(l.Text[last:])
	return b.String()
}

// fieldText shows the values of one varying part.
func fieldText(f rules.DigestField) string {
	live := make([]rules.DigestValue, 0, len(f.Values))
	for _, v := range f.Values {
		if v.Count > 0 {
			live = append(live, v)
		}
	}
	if len(live) == 1 && f.Others == 0 {
		return live[0].Text
	}
	if len(live) == 0 {
		return "{…}"
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range live {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.Text)
		if v.Count > 1 {
			b.WriteString(" ×" + strconv.Itoa(v.Count))
		}
	}
	if f.Others > 0 {
		b.WriteString(", +" + strconv.Itoa(f.Others) + " others")
	}
	b.WriteByte('}')
	return b.String()
}

// fieldsOf returns the varying parts of l for a template, in the order of
// the line, leaving out the parts that ended with one value.
func fieldsOf(l Line) []rules.DigestField {
	if len(l.Values) == 0 {
		return nil
	}
	fs := slices.Clone(l.Values)
	slices.SortFunc(fs, func(a, b Field) int { return a.Start - b.Start })
	out := make([]rules.DigestField, 0, len(fs))
	for _, f := range fs {
		live := make([]rules.DigestValue, 0, len(f.Values))
		for _, v := range f.Values {
			if v.Count > 0 {
				live = append(live, v)
			}
		}
		if len(live) == 1 && f.Others == 0 {
			continue
		}
		out = append(out, rules.DigestField{Values: live, Others: f.Others})
	}
	return out
}

// DigestLines returns the lines of d as templates see them: the text with
// its varying parts shown, and their values.
func DigestLines(d *Digest) []rules.DigestLine {
	lines := make([]rules.DigestLine, len(d.Lines))
	for i, l := range d.Lines {
		lines[i] = rules.DigestLine{Text: l.Shown(), Count: l.Count, Values: fieldsOf(l)}
	}
	return lines
}
