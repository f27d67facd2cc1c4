// Package batch owns debouncing: it collects the matches of one key into
// digests, so that a burst of lines becomes one message that counts them
// all. Time comes only through an injected clock and the tick's time
// travels with the digest.
package batch

import (
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// Key identifies one debounce stream: matches with equal keys share digests.
type Key struct {
	Destination string
	Room        string
	Rule        string
	Group       string // the group_by values joined by "\x00"
	// Overflow marks the key that collects a rule's matches of new keys
	// once the rule has Options.MaxKeysPerRule keys open.
	Overflow bool
}

// String formats the key for logs.
func (k Key) String() string {
	s := k.Destination + "/" + k.Room + "/" + k.Rule
	if k.Group != "" {
		s += "/" + strings.ReplaceAll(k.Group, "\x00", ",")
	}
	if k.Overflow {
		s += "/(other)"
	}
	return s
}

// KeyOf returns the key of a match.
func KeyOf(m rules.Match) Key {
	k := Key{Room: m.Rule.Room, Rule: m.Rule.Name, Group: strings.Join(m.Group, "\x00")}
	if m.Rule.Destination != nil {
		k.Destination = m.Rule.Destination.Name
	}
	return k
}

// Line is one distinct line shown in a digest, with how many matched lines
// it stands for. Lines that differ only in numbers, addresses, ids or
// quoted strings share a Line: Text is the first of them, and Values
// holds the parts that varied, with their values (Shown puts them in).
type Line struct {
	Text   string  `json:"text"`
	Count  int     `json:"count"`
	Values []Field `json:"values,omitempty"`
}

// Digest is one message about one key: how many lines matched, over what
// time, which of them, and how many are not shown.
type Digest struct {
	// ID is unique per digest and stable across retries and restarts.
	ID  string `json:"id"`
	Key Key    `json:"key"`
	// Seq orders digests: it grows with every digest a Batcher closes, so
	// digests of one key are sent in Seq order.
	Seq uint64 `json:"seq"`

	Rule    string            `json:"rule"`
	Room    string            `json:"room"`
	Color   string            `json:"color"`
	Format  string            `json:"format"`
	Notify  bool              `json:"notify"`
	Mention string            `json:"mention,omitempty"`
	Group   map[string]string `json:"group,omitempty"`
	// Interval is the rule's debounce interval: the longest a key that
	// keeps matching goes between two digests (0 for one-off messages).
	Interval time.Duration `json:"interval,omitempty"`

	Count int       `json:"count"` // lines matched
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	Lines []Line    `json:"lines"` // at most max_lines distinct lines
	More  int       `json:"more"`  // matched lines not shown
	// Folded is how many distinct keys an overflow digest (Key.Overflow)
	// stands for, estimated in fixed memory: exact for small numbers,
	// within about 2% for large ones.
	Folded int `json:"folded,omitempty"`

	// Message is the digest rendered by the rule's digest_template, with
	// every piece of log text escaped for the destination.
	Message string `json:"message"`
	// At is the time of the tick that closed the digest.
	At time.Time `json:"at"`

	marks    map[*tailer.Cursor]int64 // the oldest held line per file
	rendered bool                     // Message is made
}

// Release lets the read positions of the digest's files move past its
// lines. Call it once the digest is safe (written to the outbox or
// delivered). It is safe to call more than once.
func (d *Digest) Release() {
	for c, off := range d.marks {
		c.Release(off)
	}
	d.marks = nil
}

// hold records that the digest holds line l, so its file's position stays
// at or before it until Release.
func (d *Digest) hold(l tailer.Line) {
	if l.Cursor == nil {
		return
	}
	if d.marks == nil {
		d.marks = map[*tailer.Cursor]int64{}
	}
	if _, ok := d.marks[l.Cursor]; ok {
		// An earlier line of the same file is held already, and lines of
		// one file arrive in order: that hold covers this line too.
		return
	}
	l.Cursor.Hold(l.Offset)
	d.marks[l.Cursor] = l.Offset
}

// holdAt is hold for a line known by its cursor and offset.
func (d *Digest) holdAt(c *tailer.Cursor, off int64) {
	d.hold(tailer.Line{Cursor: c, Offset: off})
}
