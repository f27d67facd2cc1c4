package batch

import (
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// defaultMaxLines is the number of distinct lines shown when a rule sets
// none.
const defaultMaxLines = 20

// draft is a digest still collecting matches. Its memory is bounded
// whatever arrives: at most maxLines samples of at most maxSample bytes,
// and an index of that many shapes.
//
// Invariant: the counts of d.Lines plus d.More equal d.Count.
type draft struct {
	d        *Digest
	maxLines int
	index    map[uint64]int // shape hash → index into d.Lines
	fold     *sketch        // overflow keys: the distinct keys folded
}

func newDraft(k Key, r *rules.Rule, group []string, now time.Time) *draft {
	d := &Digest{
		ID: newID(), Key: k, Rule: r.Name, Room: r.Room, Color: r.Color, Format: r.Format,
		Notify: r.Notify, Mention: r.Mention, First: now, Last: now,
	}
	if len(r.GroupBy) > 0 {
		d.Group = make(map[string]string, len(r.GroupBy))
		for i, g := range r.GroupBy {
			switch {
			case k.Overflow:
				d.Group[g] = "other"
			case i < len(group):
				d.Group[g] = group[i]
			default:
				d.Group[g] = ""
			}
		}
	}
	f := &draft{d: d, maxLines: r.MaxLines, index: map[uint64]int{}}
	if f.maxLines <= 0 {
		f.maxLines = defaultMaxLines
	}
	if k.Overflow {
		f.fold = new(sketch)
	}
	return f
}

// add counts one line of the given shape and reports whether it is
// counted in a shown line (true) or in More (false).
func (f *draft) add(text string, shape uint64, at time.Time) bool {
	d := f.d
	d.Count++
	if at.After(d.Last) {
		d.Last = at
	}
	if i, ok := f.index[shape]; ok {
		d.Lines[i].Count++
		return true
	}
	if len(d.Lines) >= f.maxLines {
		d.More++
		return false
	}
	f.index[shape] = len(d.Lines)
	d.Lines = append(d.Lines, Line{Text: cutSample(text), Count: 1})
	return true
}

// remove takes back one line that add counted (a threshold window entry
// that expired). first is the arrival of the oldest line still counted.
func (f *draft) remove(shape uint64, shown bool, first time.Time) {
	d := f.d
	d.Count--
	d.First = first
	if !shown {
		d.More--
		return
	}
	i, ok := f.index[shape]
	if !ok {
		return // cannot happen: a shown shape stays while it counts lines
	}
	if d.Lines[i].Count--; d.Lines[i].Count > 0 {
		return
	}
	d.Lines = append(d.Lines[:i], d.Lines[i+1:]...)
	delete(f.index, shape)
	for h, j := range f.index {
		if j > i {
			f.index[h] = j - 1
		}
	}
}

// empty reports whether the draft counts no line.
func (f *draft) empty() bool { return f.d.Count == 0 }
