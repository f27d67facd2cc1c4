package batch

import (
	"hash/maphash"

	"github.com/roomwatch/roomwatch/rules"
)

// mergeSeed is the seed of shapeKey: shapes compared across digests (and
// restarts, for lines read back from the outbox) need one seed.
var mergeSeed = maphash.MakeSeed()

// shapeKey returns the shape hash of a line's text, the same for every
// text that differs only in numbers, addresses, ids and quoted strings.
// Only other shapeKey results in this process compare to it.
func shapeKey(text string) uint64 { return shapeOf(mergeSeed, text) }

// Merge adds o, a line of the same shape (shapeKey), to l: the counts add
// up, and each part that varies in either keeps its values (at most
// maxFieldValues listed, the rest counted in Others).
func (l *Line) Merge(o Line) {
	if o.Text != l.Text || len(o.Values) > 0 || len(l.Values) > 0 {
		l.mergeValues(o)
	}
	l.Count += o.Count
}

func (l *Line) mergeValues(o Line) {
	lh := holesOf(nil, l.Text, maxHoles)
	oh := holesOf(nil, o.Text, maxHoles)
	n := min(len(lh), len(oh), maxHoles)
	for i := range n {
		a := valuesAt(*l, lh[i])
		b := valuesAt(o, oh[i])
		if a.Others == 0 && b.Others == 0 && len(a.Values) == 1 && len(b.Values) == 1 && a.Values[0].Text == b.Values[0].Text {
			continue // the same value on every line of both
		}
		for _, v := range b.Values {
			addValue(&a, v)
		}
		a.Others += b.Others
		l.setField(Field{Start: int(lh[i].start), End: int(lh[i].end), DigestField: a})
	}
	// A part o marks as varying past the tracked holes (or a damaged
	// record's) still varies in l: it keeps its mark without values.
	for _, f := range o.Values {
		if !startsHole(oh[:n], f.Start) && !l.hasField(len(l.Text)) {
			l.Values = append(l.Values, Field{Start: min(f.Start, len(l.Text)), End: len(l.Text),
				DigestField: rules.DigestField{Others: l.Count + o.Count}})
		}
	}
}

// valuesAt returns the values hole h took on the lines l stands for.
func valuesAt(l Line, h span) rules.DigestField {
	for _, f := range l.Values {
		if f.Start == int(h.start) {
			return rules.DigestField{Values: append([]rules.DigestValue(nil), f.Values...), Others: f.Others}
		}
	}
	v := cutValue(l.Text[h.start:h.end])
	return rules.DigestField{Values: []rules.DigestValue{{Text: v, Count: l.Count}}}
}

// addValue counts v's lines in f, listing v if there is room.
func addValue(f *rules.DigestField, v rules.DigestValue) {
	for k := range f.Values {
		if f.Values[k].Text == v.Text {
			f.Values[k].Count += v.Count
			return
		}
	}
	if len(f.Values) > 0 && len(f.Values) < maxFieldValues {
		f.Values = append(f.Values, v)
		return
	}
	f.Others += v.Count
}

// setField replaces l's field at f.Start, or adds f.
func (l *Line) setField(f Field) {
	for i := range l.Values {
		if l.Values[i].Start == f.Start {
			l.Values[i] = f
			return
		}
	}
	l.Values = append(l.Values, f)
}

func (l *Line) hasField(end int) bool {
	for _, f := range l.Values {
		if f.End == end {
			return true
		}
	}
	return false
}

func startsHole(hs []span, start int) bool {
	for _, h := range hs {
		if int(h.start) == start {
			return true
		}
	}
	return false
}
