package batch

import (
	"crypto/rand"
	"encoding/hex"
	"hash/maphash"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// DefaultMaxKeysPerRule is the cap on open keys of one rule when Options
// sets none.
const DefaultMaxKeysPerRule = 1000

// Options configures a Batcher.
type Options struct {
	// Send receives every closed digest. It is called from a few drainer
	// goroutines and from Flush, for one key at a time and in Seq order
	// per key; different keys may call it concurrently. It may block,
	// which holds back that key and the keys waiting for a drainer. Send
	// owns the digest and must call its Release once the digest is safe
	// (in the outbox or delivered).
	Send func(*Digest)
	// Now is the clock; time.Now when nil. Timers run on the runtime
	// clock, so tests use testing/synctest for both.
	Now func() time.Time
	// Host names this machine in digests.
	Host string
	// MaxKeysPerRule caps the open keys of one rule (DefaultMaxKeysPerRule
	// when 0). Matches of new keys past it share the rule's overflow key,
	// so a group_by on an attacker-chosen capture keeps memory flat.
	MaxKeysPerRule int
}

// Stats counts what a Batcher has done, for metrics and tests.
type Stats struct {
	Open    int    // keys open now
	Lines   uint64 // matches added
	Digests uint64 // digests handed to Send
	Folded  uint64 // matches that went to an overflow key
	// BelowThreshold counts, per rule, the matches dropped because their
	// key's threshold was not reached while they were inside `within`.
	BelowThreshold map[string]uint64
}

// Batcher collects matches into digests, one stream per Key: the first
// match of a key opens a digest, sent `wait` later; then the key is quiet
// for `interval`, and matches in that time go into the next digest, sent
// when the interval ends; a key with no match for an interval closes. A
// storm of any size costs at most one message per key per interval.
//
// A rule with `threshold: {count, within}` holds a key back until count
// matches arrived inside within. Matches that fall out of the window
// before that are dropped, their file positions released and counted in
// Stats.BelowThreshold: that is not an alert lost, it is what a threshold
// means. The digest that fires counts every match still in the window.
// Once fired, the key runs its wait/interval cycle; when it closes, the
// threshold applies again.
//
// Memory is bounded under hostile input: a digest keeps at most max_lines
// samples of at most 1 KiB, a threshold window at most count entries, and
// a rule at most MaxKeysPerRule keys plus its overflow key.
type Batcher struct {
	opts    Options
	now     func() time.Time
	maxKeys int
	seed    maphash.Seed
	// hashMask is ANDed into keyHash: all ones; tests make keys collide.
	hashMask uint64

	mu      sync.Mutex         // protects the fields below
	sent    *sync.Cond         // on mu: a queue sent a digest or went idle
	streams map[uint64]*stream // open keys, by keyHash; the stream's next has more of the same hash
	nopen   int                // open keys
	perRule map[string]int     // open keys by rule, overflow keys not counted
	out     map[Key]*queue     // digests closed and not yet sent, by key
	seq     uint64             // last Digest.Seq
	stats   Stats              // Open is filled in by Stats
	below   map[string]uint64  // Stats.BelowThreshold
	ready   []Key              // keys whose claimed queue waits for a drainer
	holes   []span             // scratch for the holes of a matched line
	running int                // drainers running (at most maxDrainers)
}

// maxDrainers bounds the goroutines that render and send the digests of
// keys whose timers fired. A storm opens thousands of keys at once, and
// their timers fire together: one goroutine each, rendering and blocking
// in Send side by side, would be a burst of thousands of stacks.
var maxDrainers = max(8, runtime.GOMAXPROCS(0))

// New returns a Batcher. It starts no goroutines; a key's timer starts
// with its first match.
func New(opts Options) *Batcher {
	b := &Batcher{
		opts: opts, now: opts.Now, maxKeys: opts.MaxKeysPerRule, seed: maphash.MakeSeed(), hashMask: ^uint64(0),
		streams: map[uint64]*stream{}, perRule: map[string]int{}, out: map[Key]*queue{},
		below: map[string]uint64{},
	}
	b.sent = sync.NewCond(&b.mu)
	if b.now == nil {
		b.now = time.Now
	}
	if b.maxKeys <= 0 {
		b.maxKeys = DefaultMaxKeysPerRule
	}
	if b.opts.Send == nil {
		b.opts.Send = func(*Digest) {}
	}
	return b
}

// Add counts one match in the digest of its key, opening the key if it is
// not open. A match that arrives exactly when its key's digest is due goes
// into the next digest. Add never calls Send.
func (b *Batcher) Add(m rules.Match) {
	b.AddShaped(m, b.Shape(m.Text))
}

// Shape returns the shape hash of a matched line's text: lines of one
// shape count as one line of a digest (see shapeOf). It is safe for
// concurrent use, so that the goroutines that match lines can compute it
// ahead for AddShaped.
func (b *Batcher) Shape(text string) uint64 { return shapeOf(b.seed, text) }

// AddShaped is Add of a match whose shape, b.Shape(m.Text), is known.
func (b *Batcher) AddShaped(m rules.Match, shape uint64) {
	k := KeyOf(m)
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now() // under mu, so arrivals are in time order
	b.stats.Lines++
	s := b.current(k, now)
	var fold uint64
	if s == nil && b.perRule[k.Rule] >= b.maxKeys {
		fold = maphash.String(b.seed, k.Group)
		k = Key{Destination: k.Destination, Room: k.Room, Rule: k.Rule, Overflow: true}
		s = b.current(k, now)
		b.stats.Folded++
	}
	if s == nil {
		s = b.open(k, m, now)
	}
	s.rule = m.Rule // a reloaded rule of the same name takes over
	if s.add(m, shape, fold, now, &b.holes) && s.due.Before(s.timerAt) {
		s.timer.Reset(s.due.Sub(now))
		s.timerAt = s.due
	}
}

// current returns the open stream of k after bringing it up to now, or
// nil if k is not open (or just closed).
func (b *Batcher) current(k Key, now time.Time) *stream {
	s := b.streams[b.keyHash(k)]
	for s != nil && s.key != k {
		s = s.next
	}
	if s == nil {
		return nil
	}
	b.advance(s, now)
	if s.closed {
		return nil
	}
	return s
}

// keyHash is where the stream of k is in Batcher.streams. A map keyed by
// the hash has slots of 16 bytes where one keyed by Key has 80: with the
// thousands of keys a storm keeps open, each match's lookup touches less
// memory (about 5% of 'roomwatch test' on the benchmark).
func (b *Batcher) keyHash(k Key) uint64 { return maphash.Comparable(b.seed, k) & b.hashMask }

// open opens key k with its first match, and starts its timer.
func (b *Batcher) open(k Key, m rules.Match, now time.Time) *stream {
	// Copies of the group values: they are slices of the line's text,
	// which may be a slice of a large read buffer.
	k.Group = strings.Clone(k.Group)
	s := &stream{key: k, rule: m.Rule}
	if !k.Overflow {
		s.group = make([]string, len(m.Group))
		for i, g := range m.Group {
			s.group[i] = strings.Clone(g)
		}
		b.perRule[k.Rule]++
	}
	s.start(now)
	s.hash = b.keyHash(k)
	s.next = b.streams[s.hash]
	b.streams[s.hash] = s
	b.nopen++
	s.timerAt = s.due
	s.timer = time.AfterFunc(s.due.Sub(now), func() { b.fire(s) })
	return s
}

// close forgets stream s. Its held matches, if any, are dropped below the
// threshold; an open digest must be taken before.
func (b *Batcher) close(s *stream) {
	s.closed = true
	b.nopen--
	if p := b.streams[s.hash]; p == s {
		if s.next == nil {
			delete(b.streams, s.hash)
		} else {
			b.streams[s.hash] = s.next
		}
	} else {
		for p.next != s {
			p = p.next
		}
		p.next = s.next
	}
	s.next = nil
	if !s.key.Overflow {
		if b.perRule[s.key.Rule]--; b.perRule[s.key.Rule] <= 0 {
			delete(b.perRule, s.key.Rule)
		}
	}
	if n := s.releaseHeld(); n > 0 {
		b.below[s.key.Rule] += uint64(n)
	}
	s.timer.Stop()
}

// advance runs every tick of s that is due by now. Ticks are normally run
// by the timer; Add runs one itself when its match arrives at the very
// moment of the tick, so that the match lands in the next digest
// whichever goroutine runs first.
func (b *Batcher) advance(s *stream, now time.Time) {
	for !s.closed && !now.Before(s.due) {
		b.tick(s, now)
	}
}

// tick ends the current phase of s.
func (b *Batcher) tick(s *stream, now time.Time) {
	switch s.phase {
	case phaseHeld:
		b.below[s.key.Rule] += uint64(s.expire(now))
		if len(s.window) == 0 {
			b.close(s)
		}
	case phaseWait, phaseQuiet:
		if s.cur == nil || s.cur.empty() {
			b.close(s)
			return
		}
		b.enqueue(s, now)
		s.phase = phaseQuiet
		s.due = s.due.Add(s.rule.Interval)
	}
}

// fire is the timer of stream s.
func (b *Batcher) fire(s *stream) {
	b.mu.Lock()
	now := b.now()
	if !s.closed {
		b.advance(s, now)
		if !s.closed {
			s.timer.Reset(s.due.Sub(now))
			s.timerAt = s.due
		}
	}
	if b.claim(s.key) != nil {
		b.ready = append(b.ready, s.key)
		if b.running < maxDrainers {
			b.running++
			// A drainer runs until no claimed queue waits.
			go b.drainReady()
		}
	}
	b.mu.Unlock()
}

// drainReady drains the queues of the ready keys, one after the other,
// until none is left.
func (b *Batcher) drainReady() {
	for {
		b.mu.Lock()
		if len(b.ready) == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		k := b.ready[0]
		b.ready[0] = Key{}
		b.ready = b.ready[1:]
		q := b.out[k]
		b.mu.Unlock()
		b.drain(k, q)
	}
}

// Open returns the number of open keys.
func (b *Batcher) Open() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nopen
}

// Stats returns a copy of the Batcher's counters.
func (b *Batcher) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.stats
	st.Open = b.nopen
	st.BelowThreshold = make(map[string]uint64, len(b.below))
	for r, n := range b.below {
		st.BelowThreshold[r] = n
	}
	return st
}

// NewID returns a new random digest ID: 24 hex digits.
func NewID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
