package batch

import (
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// testRule returns a rule as the loader would compile it (without
// templates), changed by mod.
func testRule(name string, mod func(r *rules.Rule)) *rules.Rule {
	r := &rules.Rule{
		Name: name, Room: "Ops", Color: "yellow", Format: "text",
		Wait: 10 * time.Second, Interval: time.Minute, MaxLines: 20,
	}
	if mod != nil {
		mod(r)
	}
	return r
}

// match returns a match of r for a line of text, with the given group_by
// values.
func match(r *rules.Rule, text string, group ...string) rules.Match {
	return rules.Match{Rule: r, Line: tailer.Line{Text: text, File: "test.log"}, Text: text, Group: group}
}

// matchAt is match for a line at offset off of the file tracked by c.
func matchAt(r *rules.Rule, text string, c *tailer.Cursor, off int64, group ...string) rules.Match {
	m := match(r, text, group...)
	m.Line.Cursor, m.Line.Offset, m.Line.End = c, off, off+int64(len(text))+1
	return m
}

// recorder collects sent digests and fails the test if one key's digests
// are sent concurrently or out of order.
type recorder struct {
	t        *testing.T
	delay    time.Duration // how long Send blocks
	mu       sync.Mutex    // protects the fields below
	digests  []*Digest
	inflight map[Key]bool
	lastSeq  map[Key]uint64
}

func newRecorder(t *testing.T) *recorder {
	return &recorder{t: t, inflight: map[Key]bool{}, lastSeq: map[Key]uint64{}}
}

func (r *recorder) send(d *Digest) {
	r.mu.Lock()
	if r.inflight[d.Key] {
		r.t.Errorf("Send for key %v while another of its digests is being sent", d.Key)
	}
	if d.Seq <= r.lastSeq[d.Key] {
		r.t.Errorf("key %v: digest Seq %d after %d", d.Key, d.Seq, r.lastSeq[d.Key])
	}
	r.inflight[d.Key] = true
	r.lastSeq[d.Key] = d.Seq
	r.mu.Unlock()
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	r.mu.Lock()
	r.inflight[d.Key] = false
	r.digests = append(r.digests, d)
	r.mu.Unlock()
}

func (r *recorder) got() []*Digest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Digest(nil), r.digests...)
}

func newBatcher(rec *recorder, mod func(o *Options)) *Batcher {
	o := Options{Send: rec.send, Host: "web-01"}
	if mod != nil {
		mod(&o)
	}
	return New(o)
}

// checkSum fails if a digest's shown counts and More do not add up to its
// Count, or it shows more than max lines.
func checkSum(t *testing.T, d *Digest, max int) {
	t.Helper()
	sum := d.More
	for _, l := range d.Lines {
		sum += l.Count
	}
	if sum != d.Count {
		t.Errorf("digest %v: lines %d + more %d = %d, want Count %d", d.Key, sum-d.More, d.More, sum, d.Count)
	}
	if len(d.Lines) > max {
		t.Errorf("digest %v shows %d lines, want at most %d", d.Key, len(d.Lines), max)
	}
}
