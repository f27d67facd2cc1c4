package tailer

import (
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// file is one followed file, known by its identity: it keeps its follower
// across renames.
type file struct {
	id    fileID
	in    *Input
	fh    *os.File // read only by the follower goroutine
	start int64    // offset the follower starts at

	path atomic.Pointer[string] // current name, set by scans
	cur  atomic.Pointer[Cursor] // replaced when the file is read again from 0
	poll atomic.Int64           // time.Duration between checks without events

	mu sync.Mutex  // protects fp
	fp fingerprint // of the file's first bytes

	lost       atomic.Bool  // no glob matches the file any more (rotated away, deleted)
	superseded atomic.Bool  // another file took its path (rotation)
	gone       atomic.Bool  // the follower let the file go; final is set
	final      atomic.Int64 // end of the last line read, once gone

	wake    chan struct{}   // pokes the follower (capacity 1)
	after   <-chan struct{} // the previous file at the path is drained; nil: none
	drained chan struct{}   // closed once the file was read to its end after a rotation
	done    chan struct{}   // closed when the follower goroutine ends
}

// newFile returns a file read from start with the given identity.
func newFile(id fileID, in *Input, fh *os.File, path string, start int64, fp fingerprint) *file {
	f := &file{id: id, in: in, fh: fh, start: start, fp: fp,
		wake: make(chan struct{}, 1), drained: make(chan struct{}), done: make(chan struct{})}
	f.path.Store(&path)
	f.cur.Store(NewCursor(start))
	return f
}

// name returns the file's current path.
func (f *file) name() string { return *f.path.Load() }

// setName records the file's current path.
func (f *file) setName(p string) {
	if f.name() != p {
		f.path.Store(&p)
	}
}

// cursor returns the Cursor of the file's current content.
func (f *file) cursor() *Cursor { return f.cur.Load() }

// fingerprint returns the file's fingerprint.
func (f *file) fingerprint() fingerprint {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fp
}

// setFingerprint records the file's fingerprint.
func (f *file) setFingerprint(fp fingerprint) {
	f.mu.Lock()
	f.fp = fp
	f.mu.Unlock()
}

// isGone reports whether the follower let the file go.
func (f *file) isGone() bool { return f.gone.Load() }

// setPoll sets how often the file is checked without events.
func (f *file) setPoll(d time.Duration) { f.poll.Store(int64(d)) }

// poke wakes the follower without blocking.
func (f *file) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}
