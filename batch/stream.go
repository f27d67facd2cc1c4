package batch

import (
	"time"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// phase is where a key stands in its debounce cycle.
type phase int

const (
	// phaseHeld: the rule has a threshold that is not reached yet; matches
	// wait in the window, each holding its own file position.
	phaseHeld phase = iota
	// phaseWait: a digest is open and is sent at due (`wait` after it
	// opened).
	phaseWait
	// phaseQuiet: a digest was sent; matches until due (`interval` later)
	// go into the next one. At due the key closes if none came.
	phaseQuiet
)

// stream is the state of one open key. Every field is protected by
// Batcher.mu.
type stream struct {
	key     Key
	rule    *rules.Rule
	group   []string
	phase   phase
	due     time.Time   // the next tick
	timer   *time.Timer // the key's one timer; fires at timerAt
	timerAt time.Time   // never after due: due may move later lazily
	cur     *draft      // the digest collecting matches; nil when quiet and none came
	window  []held      // phaseHeld: matches inside `within`, oldest first
	closed  bool        // the key closed: the stream is no longer in Batcher.streams
	hash    uint64      // keyHash(key)
	next    *stream     // another open key of the same hash
}

// held is one match held back by a threshold. Only what is needed to take
// it back is kept: its arrival, its file position and its shape.
type held struct {
	at     time.Time
	cursor *tailer.Cursor
	offset int64
	shape  uint64
	shown  bool
	vals   []uint8 // the index of its value in each varying part of its line
}

// thresholdOf returns the rule's threshold count, 0 for none.
func thresholdOf(r *rules.Rule) int {
	if r.Threshold.Count <= 1 || r.Threshold.Within <= 0 {
		return 0
	}
	return r.Threshold.Count
}

// start sets a fresh stream on its first phase.
func (s *stream) start(now time.Time) {
	s.cur = newDraft(s.key, s.rule, s.group, now)
	if thresholdOf(s.rule) > 0 {
		s.phase = phaseHeld
		s.due = now.Add(s.rule.Threshold.Within.D())
		return
	}
	s.phase = phaseWait
	s.due = now.Add(s.rule.Wait)
}

// add counts one match that arrived at now. It reports whether the key's
// next tick moved earlier (the threshold was reached).
func (s *stream) add(m rules.Match, shape uint64, fold uint64, now time.Time, scratch *[]span) bool {
	if s.cur == nil {
		s.cur = newDraft(s.key, s.rule, s.group, now)
	}
	if s.cur.fold != nil {
		s.cur.fold.add(fold)
	}
	shown, vals := s.cur.add(m.Text, shape, now, scratch, s.phase == phaseHeld)
	if s.phase != phaseHeld {
		s.cur.d.hold(m.Line)
		return false
	}
	m.Line.Cursor.Hold(m.Line.Offset)
	s.window = append(s.window, held{
		at: now, cursor: m.Line.Cursor, offset: m.Line.Offset, shape: shape, shown: shown, vals: vals,
	})
	if len(s.window) < thresholdOf(s.rule) {
		return false
	}
	// Reached: the held matches become the digest's, which opens now.
	for _, h := range s.window {
		s.cur.d.holdAt(h.cursor, h.offset)
		h.cursor.Release(h.offset)
	}
	s.window = nil
	s.phase = phaseWait
	s.due = now.Add(s.rule.Wait)
	return true
}

// expire drops the held matches that fell out of the threshold window by
// now, releasing their positions, and returns how many it dropped.
func (s *stream) expire(now time.Time) int {
	within := s.rule.Threshold.Within.D()
	n := 0
	for n < len(s.window) && !now.Before(s.window[n].at.Add(within)) {
		n++
	}
	if n == 0 {
		return 0
	}
	for _, h := range s.window[:n] {
		h.cursor.Release(h.offset)
		first := now
		if n < len(s.window) {
			first = s.window[n].at
		}
		s.cur.remove(h.shape, h.shown, h.vals, first)
	}
	s.window = s.window[:copy(s.window, s.window[n:])]
	if len(s.window) > 0 {
		s.due = s.window[0].at.Add(within)
	}
	return n
}

// releaseHeld lets go of every held match (the key closes below its
// threshold) and returns how many there were.
func (s *stream) releaseHeld() int {
	n := len(s.window)
	for _, h := range s.window {
		h.cursor.Release(h.offset)
	}
	s.window = nil
	return n
}
