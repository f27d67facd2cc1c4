package sender

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
)

// queue is one destination's outbox and the state of its worker.
type queue struct {
	name     string
	dir      string // "" keeps digests in memory only
	n        Notifier
	maxBytes int64
	log      *slog.Logger
	now      func() time.Time
	jitter   func() float64
	backoff  Backoff
	rule     func(string) *rules.Rule
	limits   Limits

	wake chan struct{} // capacity 1: something changed for the worker

	// io is held by Submit around its outbox write, so that submitters
	// write one at a time while mu stays free for the worker: an fsync
	// never holds up a delivery.
	io sync.Mutex

	mu        sync.Mutex // protects the fields below
	changed   chan struct{}
	entries   []*entry                // oldest first
	keys      map[batch.Key]*keyIndex // the queued entries of each key
	rooms     map[string]int          // the number of queued entries of each room (Digest.Room)
	bytes     int64
	seq       uint64
	fails     int       // consecutive failed attempts
	paused    time.Time // no attempt before this (server trouble)
	roomUntil map[string]time.Time
	destLim   *rate.Limiter
	roomLim   map[string]*rate.Limiter
	lastErr   string // the last failure logged
	fullWarn  bool   // the cap could not be kept, logged once
	stats     Stats
	dead      []Undelivered
}

// entry is one digest in the outbox.
type entry struct {
	rec     *Record
	name    string // file name, also the order
	size    int64
	flying  bool            // a delivery attempt is under way
	writing bool            // Submit is writing its file; not to be sent yet
	holds   []*batch.Digest // released only on delivery (no outbox file)
	err     error           // the last failure
}

func newQueue(name string, dest Destination, opts Options) (*queue, error) {
	q := &queue{
		name: name, n: dest.Notifier, maxBytes: dest.MaxBytes,
		log: opts.Logger.With("destination", name), now: opts.Now, jitter: opts.Jitter,
		backoff: opts.Backoff, rule: opts.Rule, limits: limitsOf(dest),
		wake: make(chan struct{}, 1), changed: make(chan struct{}),
		roomUntil: map[string]time.Time{}, roomLim: map[string]*rate.Limiter{},
	}
	if q.maxBytes <= 0 {
		q.maxBytes = DefaultMaxBytes
	}
	q.destLim = newLimiter(q.limits.PerDestination)
	if opts.Dir == "" {
		return q, nil
	}
	q.dir = DestinationDir(opts.Dir, name)
	if err := os.MkdirAll(q.dir, 0o700); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if err := q.load(); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return q, nil
}

// load reads the outbox left by an earlier run. A file that cannot be
// read is moved to the dead letters, never deleted.
func (q *queue) load() error {
	if tmps, _ := filepath.Glob(filepath.Join(q.dir, ".tmp-*")); len(tmps) > 0 {
		for _, t := range tmps {
			_ = os.Remove(t) // a write a crash cut short; its rename never happened
		}
	}
	names, err := ListRecords(q.dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		path := filepath.Join(q.dir, n)
		rec, err := ReadRecord(path)
		if err != nil {
			q.log.Error("outbox file unreadable; moved to dead letters", "file", path, "err", err)
			if mkErr := os.MkdirAll(filepath.Join(q.dir, DeadDir), 0o700); mkErr == nil {
				_ = os.Rename(path, filepath.Join(q.dir, DeadDir, n))
			}
			continue
		}
		fi, _ := os.Stat(path)
		e := &entry{rec: rec, name: n}
		if fi != nil {
			e.size = fi.Size()
		}
		q.push(e)
		q.bytes += e.size
	}
	if len(q.entries) > 0 {
		q.log.Info("outbox holds digests from an earlier run; sending them first", "digests", len(q.entries), "dir", q.dir)
	}
	return nil
}

// submit queues dg, merged into the key's waiting digest if there is one.
// The entry is staged under mu, written to disk with only io held, and
// released (or kept) under mu again.
func (q *queue) submit(dg *batch.Digest) error {
	q.io.Lock()
	defer q.io.Unlock()
	q.mu.Lock()
	e, data, err := q.stage(dg)
	q.mu.Unlock()
	if err == nil && q.dir != "" {
		err = writeFile(filepath.Join(q.dir, e.name), data)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	defer q.signal()
	e.writing = false
	err = q.keep(e, dg, err)
	q.compact()
	return err
}

// stage puts dg in the queue, merged into its key's waiting entry or as a
// new one, marks the entry as being written, and returns its file's
// content. Called with q.mu held.
func (q *queue) stage(dg *batch.Digest) (*entry, []byte, error) {
	now := q.now()
	e := q.waiting(dg.Key)
	if e != nil {
		mergeInto(e.rec.Digest, dg, q.maxLines(e.rec.Digest, dg))
		e.rec.Merged++
		q.stats.Merged++
		q.rerender(e)
	} else {
		q.seq++
		e = &entry{rec: &Record{Destination: q.name, Digest: dg, Queued: now}, name: fileName(now, q.seq, dg.ID)}
		q.push(e)
	}
	e.writing = true
	data, err := q.encode(e)
	return e, data, err
}

// encode returns the content of e's file and sets e's size to its length.
// Without an outbox there is no file: it returns nil and counts what the
// digest holds in memory instead, for the cap. Called with q.mu held.
func (q *queue) encode(e *entry) ([]byte, error) {
	if q.dir == "" {
		q.resize(e, memSize(e.rec.Digest))
		return nil, nil
	}
	data, err := json.MarshalIndent(e.rec, "", "  ")
	if err != nil {
		return nil, err
	}
	q.resize(e, int64(len(data)))
	return data, nil
}

// resize sets e's size, keeping the queue's total. Called with q.mu held.
func (q *queue) resize(e *entry, size int64) {
	q.bytes += size - e.size
	e.size = size
}

// memSize approximates the bytes a digest holds: its text and lines, with
// the values that varied on them.
func memSize(d *batch.Digest) int64 {
	n := int64(len(d.Message)) + 256
	for _, l := range d.Lines {
		n += int64(len(l.Text)) + 32
		for _, f := range l.Values {
			n += 48
			for _, v := range f.Values {
				n += int64(len(v.Text)) + 24
			}
		}
	}
	return n
}

// keep releases dg once it is on disk; otherwise e holds it until it is
// delivered.
func (q *queue) keep(e *entry, dg *batch.Digest, err error) error {
	if q.dir != "" && err == nil {
		dg.Release()
		return nil
	}
	e.holds = append(e.holds, dg)
	if err != nil {
		q.log.Error("cannot write the outbox; keeping the digest in memory", "key", dg.Key.String(), "err", err)
		return fmt.Errorf("outbox %s: %w", q.name, err)
	}
	return nil
}

// maxLines returns how many distinct lines a merge of a and b may show.
func (q *queue) maxLines(a, b *batch.Digest) int {
	if r := q.ruleOf(a); r != nil && r.MaxLines > 0 {
		return r.MaxLines
	}
	return max(len(a.Lines), len(b.Lines), defaultMaxLines)
}

func (q *queue) ruleOf(d *batch.Digest) *rules.Rule {
	if q.rule == nil {
		return nil
	}
	return q.rule(d.Rule)
}

func (q *queue) rerender(e *entry) { render(e.rec, q.ruleOf(e.rec.Digest)) }

// persist writes e's file (when there is an outbox) and updates its size.
func (q *queue) persist(e *entry) error {
	data, err := q.encode(e)
	if err != nil || data == nil {
		return err
	}
	return writeFile(filepath.Join(q.dir, e.name), data)
}

// take takes e out of the queue.
func (q *queue) take(e *entry) {
	q.entries = removeEntry(q.entries, e)
	q.unindex(e, e.rec.Digest.Key)
}

// remove takes e out of the queue and deletes its file.
func (q *queue) remove(e *entry) {
	q.take(e)
	q.bytes -= e.size
	if q.dir != "" {
		if err := os.Remove(filepath.Join(q.dir, e.name)); err != nil && !os.IsNotExist(err) {
			q.log.Error("cannot remove a delivered digest from the outbox; it may be sent again", "file", e.name, "err", err)
		}
	}
}

// signal wakes the worker and any Drain. Called with q.mu held.
func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
	close(q.changed)
	q.changed = make(chan struct{})
}

// bury moves e to the dead letters with the error that refused it.
func (q *queue) bury(e *entry, err error, now time.Time) {
	e.rec.Error, e.rec.Failed = err.Error(), now
	q.stats.Dead++
	path := ""
	if q.dir != "" {
		path = filepath.Join(q.dir, DeadDir, e.name)
		werr := os.MkdirAll(filepath.Dir(path), 0o700)
		if werr == nil {
			data, _ := json.MarshalIndent(e.rec, "", "  ")
			werr = writeFile(path, data)
		}
		if werr != nil {
			q.log.Error("cannot write the dead letter; the digest stays in the outbox", "file", e.name, "err", werr)
			path = filepath.Join(q.dir, e.name)
			q.bytes -= e.size
			q.take(e)
			q.dead = append(q.dead, undelivered(q.name, e, path, true))
			return
		}
	}
	q.remove(e)
	q.dead = append(q.dead, undelivered(q.name, e, path, true))
	for _, h := range e.holds {
		h.Release()
	}
}

func removeEntry(es []*entry, e *entry) []*entry {
	for i, x := range es {
		if x == e {
			return append(es[:i], es[i+1:]...)
		}
	}
	return es
}

func undelivered(dest string, e *entry, path string, dead bool) Undelivered {
	return Undelivered{Destination: dest, Key: e.rec.Digest.Key, Count: e.rec.Digest.Count, Err: e.err, Dead: dead, Path: path}
}

// undelivered lists the waiting digests and this run's dead letters.
func (q *queue) undelivered() []Undelivered {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := append([]Undelivered(nil), q.dead...)
	for _, e := range q.entries {
		path := ""
		if q.dir != "" {
			path = filepath.Join(q.dir, e.name)
		}
		out = append(out, undelivered(q.name, e, path, false))
	}
	return out
}

func (q *queue) statsNow() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.stats
	s.Depth, s.Bytes = len(q.entries), q.bytes
	s.OverCap = q.bytes >= q.maxBytes
	if len(q.entries) > 0 {
		s.OldestAge = max(q.now().Sub(q.entries[0].rec.Queued), 0)
	}
	return s
}

// errText is what decides whether a failure is new enough to log: the
// error without its retry time, which changes on every attempt.
func errText(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": retry after "); i >= 0 {
		s = s[:i]
	}
	return s
}
