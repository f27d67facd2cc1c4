package service

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/batch"
)

// activity remembers when each file last gave a line and each rule last
// matched. It learns it by watching the engine's counters change, once a
// second and whenever the status is asked for, so that the path of a line
// pays nothing for it.
type activity struct {
	mu        sync.Mutex // protects the fields below
	files     map[string]time.Time
	rules     map[string]time.Time
	lastFiles map[string]uint64
	lastRules map[string]uint64
}

// activityTimes is a copy of what activity knows.
type activityTimes struct {
	files, rules map[string]time.Time
}

// sample records now for every counter that grew since the last sample.
func (a *activity) sample(now time.Time, files, rules map[string]uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.files == nil {
		a.files, a.rules = map[string]time.Time{}, map[string]time.Time{}
		a.lastFiles, a.lastRules = map[string]uint64{}, map[string]uint64{}
	}
	grew(now, files, a.lastFiles, a.files)
	grew(now, rules, a.lastRules, a.rules)
}

func grew(now time.Time, counts, last map[string]uint64, at map[string]time.Time) {
	for k, n := range counts {
		if n > last[k] {
			at[k] = now
			last[k] = n
		}
	}
}

func (a *activity) snapshot() activityTimes {
	a.mu.Lock()
	defer a.mu.Unlock()
	return activityTimes{files: maps.Clone(a.files), rules: maps.Clone(a.rules)}
}

// watchActivity samples the engine's counters every second until ctx ends.
func (s *Service) watchActivity(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		s.activity.sample(s.now(), s.en.LinesByFile(), s.en.MatchesByRule())
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// recentMessages keeps the last messages sent, for the status page. It is
// safe for concurrent use.
type recentMessages struct {
	mu   sync.Mutex // protects ring and n
	ring [maxRecent]SentMessage
	n    int // messages added in all
}

// maxRecent is how many sent messages the status page shows.
const maxRecent = 20

// maxFirstLine bounds the first line of a sent message kept for the page.
const maxFirstLine = 200

// add records a digest that dest accepted at time at.
func (r *recentMessages) add(at time.Time, dest string, d *batch.Digest) {
	m := SentMessage{At: at, Destination: dest, Room: d.Room, Color: d.Color, Rule: d.Rule, Count: d.Count,
		FirstLine: firstLine(d)}
	r.mu.Lock()
	r.ring[r.n%maxRecent] = m
	r.n++
	r.mu.Unlock()
}

// list returns the messages kept, newest first.
func (r *recentMessages) list() []SentMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []SentMessage
	for i := r.n - 1; i >= 0 && i >= r.n-maxRecent; i-- {
		out = append(out, r.ring[i%maxRecent])
	}
	return out
}

// firstLine is the first line of a digest's message, cut to maxFirstLine
// bytes at a rune boundary.
func firstLine(d *batch.Digest) string {
	s := d.Message
	if s == "" && len(d.Lines) > 0 {
		s = d.Lines[0].Text
	}
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > maxFirstLine {
		cut := maxFirstLine
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
