package batch

import (
	"slices"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// defaultMaxLines is the number of distinct lines shown when a rule sets
// none.
const defaultMaxLines = 20

// draft is a digest still collecting matches. Its memory is bounded
// whatever arrives: at most maxLines samples of at most maxSample bytes,
// and their shapes. A batcher holds a draft for every open key, so it
// keeps no more than that: the digest's Group map is made when it leaves
// (done).
//
// Invariant: the counts of d.Lines plus d.More equal d.Count.
type draft struct {
	d        *Digest
	maxLines int
	shapes   []uint64       // shape hash of each of d.Lines, in order
	values   []lineValues   // the varying values of each of d.Lines
	index    map[uint64]int // shape -> index in shapes, once there are many
	fold     *sketch        // overflow keys: the distinct keys folded
	groupBy  []string       // the rule's group_by names
	group    []string       // their values for this key
}

func newDraft(k Key, r *rules.Rule, group []string, now time.Time) *draft {
	d := &Digest{
		ID: NewID(), Key: k, Rule: r.Name, Room: r.Room, Color: r.Color, Format: r.Format,
		Notify: r.Notify, Mention: r.Mention, Interval: r.Interval, First: now, Last: now,
	}
	f := &draft{d: d, maxLines: r.MaxLines, groupBy: r.GroupBy, group: group}
	if f.maxLines <= 0 {
		f.maxLines = defaultMaxLines
	}
	if k.Overflow {
		f.fold = new(sketch)
	}
	return f
}

// done completes the digest as it leaves the batcher: the values of its
// group_by captures ("other" for every one of an overflow key) and the
// number of keys it folded.
func (f *draft) done() {
	d := f.d
	if len(f.groupBy) > 0 {
		d.Group = make(map[string]string, len(f.groupBy))
		for i, g := range f.groupBy {
			switch {
			case d.Key.Overflow:
				d.Group[g] = "other"
			case i < len(f.group):
				d.Group[g] = f.group[i]
			default:
				d.Group[g] = ""
			}
		}
	}
	if f.fold != nil {
		d.Folded = f.fold.count()
	}
}

// add counts one line of the given shape and reports whether it is
// counted in a shown line (true) or in More (false). For a line held below
// a threshold (held), vals is what remove needs to take its values back.
// scratch is the caller's buffer for holes.
func (f *draft) add(text string, shape uint64, at time.Time, scratch *[]span, held bool) (shown bool, vals []uint8) {
	d := f.d
	d.Count++
	if at.After(d.Last) {
		d.Last = at
	}
	if i := f.find(shape); i >= 0 {
		vals = f.values[i].add(&d.Lines[i], text, scratch, held)
		d.Lines[i].Count++
		return true, vals
	}
	if len(d.Lines) >= f.maxLines {
		d.More++
		return false, nil
	}
	f.shapes = append(f.shapes, shape)
	// A copy: the text may be a slice of a large read buffer.
	sample := cutSample(text)
	d.Lines = append(d.Lines, Line{Text: strings.Clone(sample), Count: 1})
	f.values = append(f.values, newLineValues(d.Lines[len(d.Lines)-1].Text, len(sample) < len(text), scratch))
	switch {
	case f.index != nil:
		f.index[shape] = len(f.shapes) - 1
	case len(f.shapes) > maxScan:
		f.reindex()
	}
	return true, nil
}

// remove takes back one line that add counted (a threshold window entry
// that expired). first is the arrival of the oldest line still counted.
func (f *draft) remove(shape uint64, shown bool, vals []uint8, first time.Time) {
	d := f.d
	d.Count--
	d.First = first
	if !shown {
		d.More--
		return
	}
	i := f.find(shape)
	if i < 0 {
		return // cannot happen: a shown shape stays while it counts lines
	}
	if d.Lines[i].Count--; d.Lines[i].Count > 0 {
		uncount(&d.Lines[i], vals)
		return
	}
	d.Lines = slices.Delete(d.Lines, i, i+1)
	f.shapes = slices.Delete(f.shapes, i, i+1)
	f.values = slices.Delete(f.values, i, i+1)
	if f.index != nil {
		f.reindex()
	}
}

// maxScan is how many shapes a draft searches one by one; past that it
// keeps an index (max_lines has no upper bound).
const maxScan = 16

// find returns the index of shape in f.shapes, or -1.
func (f *draft) find(shape uint64) int {
	if f.index == nil {
		return slices.Index(f.shapes, shape)
	}
	if i, ok := f.index[shape]; ok {
		return i
	}
	return -1
}

// reindex rebuilds the index of the shapes.
func (f *draft) reindex() {
	if f.index == nil {
		f.index = make(map[uint64]int, len(f.shapes))
	}
	clear(f.index)
	for i, h := range f.shapes {
		f.index[h] = i
	}
}

// empty reports whether the draft counts no line.
func (f *draft) empty() bool { return f.d.Count == 0 }
