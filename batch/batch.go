package batch

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// Options configures a Batcher.
type Options struct {
	// Send receives every closed digest. It is called from timer
	// goroutines and from Flush, one digest at a time per key; it may
	// block, which holds back that key only.
	Send func(*Digest)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Host names this machine in digests.
	Host string
}

// Batcher collects matches into digests, one stream per Key.
type Batcher struct {
	opts Options
	now  func() time.Time

	mu   sync.Mutex    // protects open
	open map[Key]*pend // digests collecting matches
}

// pend is a digest still collecting matches.
type pend struct {
	rule  *rules.Rule
	d     *Digest
	seen  map[string]int // index into d.Lines by text
	timer *time.Timer
}

// New returns a Batcher. It starts no goroutines; timers start with the
// first match of each key.
func New(opts Options) *Batcher {
	b := &Batcher{opts: opts, now: opts.Now, open: map[Key]*pend{}}
	if b.now == nil {
		b.now = time.Now
	}
	return b
}

// Add puts one match into the open digest of its key, opening one (sent
// `wait` later) if there is none.
func (b *Batcher) Add(m rules.Match) {
	k := KeyOf(m)
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.open[k]
	if p == nil {
		p = b.openDigest(k, m, now)
		b.open[k] = p
		p.timer = time.AfterFunc(m.Rule.Wait, func() { b.fire(k, p) })
	}
	p.add(m, now)
}

func (b *Batcher) openDigest(k Key, m rules.Match, now time.Time) *pend {
	r := m.Rule
	d := &Digest{
		ID: newID(), Key: k, Rule: r.Name, Room: r.Room, Color: r.Color, Format: r.Format,
		Notify: r.Notify, Mention: r.Mention, First: now,
	}
	if len(r.GroupBy) > 0 {
		d.Group = make(map[string]string, len(r.GroupBy))
		for i, g := range r.GroupBy {
			d.Group[g] = m.Group[i]
		}
	}
	return &pend{rule: r, d: d, seen: map[string]int{}}
}

func (p *pend) add(m rules.Match, now time.Time) {
	d := p.d
	d.Count++
	d.Last = now
	d.hold(m.Line)
	if i, ok := p.seen[m.Text]; ok {
		d.Lines[i].Count++
		return
	}
	if len(d.Lines) >= p.rule.MaxLines {
		d.More++
		return
	}
	p.seen[m.Text] = len(d.Lines)
	d.Lines = append(d.Lines, Line{Text: m.Text, Count: 1})
}

// fire closes the digest p of key k when its timer ends.
func (b *Batcher) fire(k Key, p *pend) {
	b.mu.Lock()
	if b.open[k] != p {
		b.mu.Unlock()
		return
	}
	delete(b.open, k)
	b.mu.Unlock()
	b.send(p, b.now())
}

func (b *Batcher) send(p *pend, at time.Time) {
	d := p.d
	d.At = at
	msg, err := p.rule.RenderDigest(rules.DigestData{
		Count: d.Count, First: d.First, Last: d.Last, Rule: d.Rule, Room: d.Room,
		Host: b.opts.Host, Group: d.Group, Lines: toRuleLines(d.Lines), More: d.More,
	})
	if err != nil {
		msg = fallbackMessage(d)
	}
	d.Message = msg
	b.opts.Send(d)
}

// Flush closes every open digest now and sends it, in no particular order.
func (b *Batcher) Flush() {
	b.mu.Lock()
	open := b.open
	b.open = map[Key]*pend{}
	b.mu.Unlock()
	now := b.now()
	for _, p := range open {
		p.timer.Stop()
		b.send(p, now)
	}
}

func toRuleLines(ls []Line) []rules.DigestLine {
	out := make([]rules.DigestLine, len(ls))
	for i, l := range ls {
		out[i] = rules.DigestLine{Text: l.Text, Count: l.Count}
	}
	return out
}

// fallbackMessage is used when a digest_template fails at run time, so that
// a template mistake never loses an alert.
func fallbackMessage(d *Digest) string {
	s := d.Rule + ":"
	for _, l := range d.Lines {
		s += "\n" + l.Text
	}
	return s
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
