package tailer

import "time"

// SaveGap is the shortest time between two saves that SaveSoon asks for:
// a storm of digests entering the outbox costs at most five writes of the
// positions file a second.
const SaveGap = 200 * time.Millisecond

// SaveSoon asks Run to save the positions: at once if the last save is
// SaveGap old, else SaveGap after it; asks in between are one save. Call
// it when lines became safe (their digest is in the outbox), so that a
// crash re-reads only the lines of digests that were still open, not
// everything since the last periodic save. It never blocks, and does
// nothing when Run is not running.
func (t *Tailer) SaveSoon() {
	select {
	case t.kick <- struct{}{}:
	default: // a save is asked for already
	}
}

// saveSoon schedules the saves SaveSoon asks for. It is owned by Run's
// goroutine.
type saveSoon struct {
	timer   *time.Timer
	pending bool      // a save is scheduled
	last    time.Time // the last save, by the runtime clock
}

// ask schedules a save, unless one is already.
func (s *saveSoon) ask(now time.Time) {
	if s.pending {
		return
	}
	s.pending = true
	wait := max(s.last.Add(SaveGap).Sub(now), 0)
	if s.timer == nil {
		s.timer = time.NewTimer(wait)
		return
	}
	s.timer.Reset(wait)
}

// due is the channel that says a scheduled save is due; nil before the
// first ask.
func (s *saveSoon) due() <-chan time.Time {
	if s.timer == nil {
		return nil
	}
	return s.timer.C
}

// saved records a save made at now.
func (s *saveSoon) saved(now time.Time) {
	s.pending = false
	s.last = now
}

func (s *saveSoon) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
}
