package batch

import (
	"slices"
	"strings"
	"time"
)

// OpenKey is one open key as the status page shows it: where its matches
// go, how many it holds, and when its next digest goes out.
type OpenKey struct {
	Key Key
	// Phase is "held" (a threshold not reached yet), "collecting" (a digest
	// open, sent at Due) or "quiet" (a digest was sent; matches until Due
	// go into the next one).
	Phase string
	// Lines is the matches the next digest holds so far; for a held key,
	// the matches inside the threshold's window.
	Lines int
	// Threshold is the rule's threshold count, 0 for none.
	Threshold int
	// Group is the group_by values, joined by ", ".
	Group string
	// Due is the key's next tick: the digest goes out then, or the quiet
	// key closes; zero for a held key, which fires on its count.
	Due time.Time
}

// OpenKeys returns up to max open keys, those due first, and how many keys
// are open in all.
func (b *Batcher) OpenKeys(max int) ([]OpenKey, int) {
	b.mu.Lock()
	var out []OpenKey
	for _, s := range b.streams {
		for ; s != nil; s = s.next {
			out = append(out, s.openKey())
		}
	}
	b.mu.Unlock()
	slices.SortFunc(out, func(a, b OpenKey) int {
		if c := compareDue(a.Due, b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.Key.String(), b.Key.String())
	})
	total := len(out)
	if len(out) > max {
		out = out[:max]
	}
	return out, total
}

// compareDue orders times with the zero time last.
func compareDue(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// openKey describes s; Batcher.mu is held.
func (s *stream) openKey() OpenKey {
	k := OpenKey{Key: s.key, Threshold: thresholdOf(s.rule), Group: strings.Join(s.group, ", ")}
	switch s.phase {
	case phaseHeld:
		k.Phase, k.Lines = "held", len(s.window)
	case phaseWait:
		k.Phase, k.Due = "collecting", s.due
	default:
		k.Phase, k.Due = "quiet", s.due
	}
	if s.cur != nil && s.phase != phaseHeld {
		k.Lines = s.cur.d.Count
	}
	return k
}
