package sender

import (
	"fmt"
	"strings"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
)

// defaultMaxLines is the number of distinct lines a merged digest shows
// when its rule is unknown and neither part showed more.
const defaultMaxLines = rules.DefaultMaxLines

// mergeInto adds the digest b (newer) to a (older); line samples that do
// not fit are counted in More. Counts stay exact:
// a's Count becomes the sum, and the counts of a's Lines plus its More
// still equal its Count. maxLines caps the distinct lines shown.
func mergeInto(a, b *batch.Digest, maxLines int) {
	a.Count += b.Count
	if !b.First.IsZero() && (a.First.IsZero() || b.First.Before(a.First)) {
		a.First = b.First
	}
	if b.Last.After(a.Last) {
		a.Last = b.Last
	}
	if b.At.After(a.At) {
		a.At = b.At
	}
	a.More += b.More
	// Lines of one text merge, and so do the values that varied on them.
	// Lines of one shape but another text stay apart: each keeps what it
	// showed, and a digest merged from many keys still lists them.
	index := make(map[string]int, len(a.Lines))
	for i, l := range a.Lines {
		index[l.Text] = i
	}
	for _, l := range b.Lines {
		k := l.Text
		if i, ok := index[k]; ok {
			a.Lines[i].Merge(l)
			continue
		}
		if len(a.Lines) >= maxLines {
			a.More += l.Count
			continue
		}
		index[k] = len(a.Lines)
		a.Lines = append(a.Lines, l)
	}
	if b.Folded > 0 || a.Folded > 0 {
		a.Folded += b.Folded
	}
	a.Notify = a.Notify || b.Notify
}

// foldKey turns a into the overflow digest of its rule and room, so that
// digests of other group_by keys can be merged into it.
func foldKey(a *batch.Digest) {
	if a.Key.Overflow {
		return
	}
	a.Folded = max(a.Folded, 1)
	a.Key.Group, a.Key.Overflow = "", true
	for g := range a.Group {
		a.Group[g] = "other"
	}
}

// dropLines moves every shown line of d into More and returns how many
// samples that dropped.
func dropLines(d *batch.Digest) int {
	n := len(d.Lines)
	for _, l := range d.Lines {
		d.More += l.Count
	}
	d.Lines = nil
	return n
}

// render re-renders a changed digest through its rule's digest_template
// (rule may be nil when the rule is gone), then notes the merges.
func render(r *Record, rule *rules.Rule) {
	d := r.Digest
	msg := ""
	if rule != nil {
		lines := batch.DigestLines(d)
		m, err := rule.RenderDigest(rules.DigestData{
			Count: d.Count, First: d.First, Last: d.Last, Rule: d.Rule, Room: d.Room,
			Group: d.Group, Lines: lines, More: d.More, Folded: d.Folded,
		})
		if err == nil {
			msg = m
		}
	}
	if msg == "" {
		msg = plainMessage(d)
	}
	if note := summaryNote(r); note != "" {
		sep := "\n"
		if d.Format == "html" {
			sep = "<br>"
		}
		msg += sep + note
	}
	d.Message = msg
}

// plainMessage renders a digest without its rule. Lines were escaped for
// the destination when they were rendered; the group values were not, so
// they are left out.
func plainMessage(d *batch.Digest) string {
	sep := "\n"
	if d.Format == "html" {
		sep = "<br>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d × %s", d.Count, d.Rule)
	for _, l := range d.Lines {
		b.WriteString(sep)
		if l.Count > 1 {
			fmt.Fprintf(&b, "(×%d) ", l.Count)
		}
		b.WriteString(l.Shown())
	}
	if d.More > 0 {
		fmt.Fprintf(&b, "%s+%d more", sep, d.More)
	}
	return b.String()
}

// summaryNote says what detail the outbox cap cost, or "".
func summaryNote(r *Record) string {
	if r.Summarized == 0 && r.Dropped == 0 {
		return ""
	}
	s := "(outbox full while the destination was unreachable"
	if r.Summarized > 0 {
		s += fmt.Sprintf(": %d digests merged into this summary", r.Summarized+1)
	}
	if r.Dropped > 0 {
		s += fmt.Sprintf(", %d sample lines dropped (still counted)", r.Dropped)
	}
	return s + ")"
}
