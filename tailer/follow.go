package tailer

// A follower reads one file, known by its identity (device and inode),
// from its start offset on, and hands its lines on in file order.
//
// Rotation rules and guarantees:
//
//   - Growth is noticed through directory events (a write in a watched
//     directory wakes the follower) and, as a safety net, by checking the
//     file every Poll (unwatched directory) or Rescan (watched).
//   - Rename rotation: the follower keeps the open descriptor, so the
//     renamed file keeps being read, including lines the writer adds after
//     the rename. Once a scan sees another file at its path (superseded) or
//     no glob matching it any more (lost), the follower reads to the end and
//     waits until the file has been quiet (no new byte) for RotateWait.
//     Then it hands on the unfinished last line, if any, and closes
//     drained; only then does the follower of the new file at that path
//     start reading, from its beginning. A superseded file still matched by
//     a glob (app.log.1 under app.log*) goes on being followed; a lost one
//     is let go.
//   - Deletion is a lost file: read to its end, quiet for RotateWait, let go.
//   - Copytruncate, and any shrink below the read offset: the file is read
//     again from offset 0 with a new Cursor. So is a file whose first bytes
//     no longer match its fingerprint (truncated and rewritten past the old
//     offset before the follower looked). The unfinished line and open
//     multiline event of the old content are handed on first. Lines written
//     between the copy and the truncation are in the copy only: they are
//     read if the copy matches a glob.
//   - A file whose first bytes did not change and that grew back past the
//     offset between two looks cannot be told from appended data; it is
//     read on from the offset.
//   - On ctx end the follower stops at once: the unfinished line and the
//     open event are not handed on, and the Cursor never passed them, so
//     they are read again after a restart.
//
// Lines within a file come in order; lines of different files interleave.

import (
	"context"
	"errors"
	"io"
	"time"
)

// follower is the reading state of one file, owned by its goroutine.
type follower struct {
	t        *Tailer
	f        *file
	lr       *lineReader
	e        *emitter
	timer    *time.Timer
	drained  bool      // f.drained is closed
	lastData time.Time // when bytes were last read
	since    time.Time // when the rotation state (lost, superseded) last changed
	state    [2]bool   // lost, superseded, as last seen
	readErr  string    // last read error logged
	readAt   time.Time // when the data of read number reads was read
	reads    uint64
}

// follow reads f until ctx ends or the file is let go.
func (t *Tailer) follow(ctx context.Context, f *file, out chan<- []Line) {
	defer close(f.done)
	defer t.fds.release()
	defer f.fh.Close()
	if f.after != nil {
		select {
		case <-f.after:
		case <-ctx.Done():
			return
		}
	}
	fw := &follower{t: t, f: f, e: newEmitter(out, f.in.Multiline, f.in.MaxLineBytes), timer: time.NewTimer(time.Hour)}
	defer fw.e.stop()
	defer fw.timer.Stop()
	if _, err := f.fh.Seek(f.start, io.SeekStart); err != nil {
		t.log.Error("cannot read file, letting it go", "path", f.name(), "err", err)
		fw.letGo(ctx)
		return
	}
	fw.lr = newLineReader(f.fh, f.in.MaxLineBytes, f.start)
	fw.lastData, fw.since = t.now(), t.now()
	fw.run(ctx)
}

// run is the follower's loop: look at the file, read what is there, wait.
func (fw *follower) run(ctx context.Context) {
	for {
		// Look before reading: after a copytruncate the old offset may
		// point into the middle of new content.
		if !fw.checkRewritten(ctx) {
			return
		}
		if !fw.readAll(ctx) {
			return
		}
		lost, superseded := fw.rotation()
		if (lost || superseded) && !fw.drained && fw.quietFor() <= 0 {
			if !fw.flush(ctx) {
				return
			}
			close(fw.f.drained)
			fw.drained = true
		}
		if lost && fw.drained && fw.quietFor() <= 0 {
			fw.letGo(ctx)
			return
		}
		// A lost file, or a superseded one not yet drained, waits for
		// quiet; a drained superseded file is followed like any other.
		if !fw.wait(ctx, lost || (superseded && !fw.drained)) {
			return
		}
	}
}

// readAll hands on every complete line available, and ships them before
// it returns. It reports false when ctx ended.
func (fw *follower) readAll(ctx context.Context) bool {
	before := fw.lr.off
	defer func() {
		if fw.lr.off != before {
			fw.lastData = fw.t.now()
		}
	}()
	for {
		rl, err := fw.lr.next()
		if err != nil {
			if !errors.Is(err, io.EOF) && err.Error() != fw.readErr {
				fw.readErr = err.Error()
				fw.t.log.Warn("read error, retrying", "path", fw.f.name(), "err", err)
			}
			return fw.e.ship(ctx)
		}
		if !fw.e.send(ctx, fw.line(rl)) {
			return false
		}
	}
}

// line turns a raw line into a Line of this file. Its time is when the
// read that completed it returned, asked of the clock once per read.
func (fw *follower) line(rl rawLine) Line {
	if fw.readAt.IsZero() || fw.reads != fw.lr.reads {
		fw.readAt, fw.reads = fw.t.now(), fw.lr.reads
	}
	return Line{Text: rl.text, File: fw.f.name(), Time: fw.readAt, Truncated: rl.truncated, Cut: rl.cut, CutAt: rl.cutAt,
		Cursor: fw.f.cursor(), Offset: rl.off, End: rl.end}
}

// flush hands on the unfinished last line and the open multiline event.
func (fw *follower) flush(ctx context.Context) bool {
	if rl, ok := fw.lr.flush(); ok {
		if !fw.e.send(ctx, fw.line(rl)) {
			return false
		}
	}
	return fw.e.flush(ctx)
}

// checkRewritten reads the file again from 0 when it shrank below the read
// offset or its first bytes changed. It reports false when ctx ended.
func (fw *follower) checkRewritten(ctx context.Context) bool {
	fi, err := fw.f.fh.Stat()
	if err != nil {
		return true
	}
	size, fp := fi.Size(), fw.f.fingerprint()
	switch {
	case size < fw.lr.off:
		fw.t.log.Info("file truncated, reading it again from the start", "path", fw.f.name(), "size", size, "offset", fw.lr.off)
	case !fp.matches(fw.f.fh):
		fw.t.log.Info("file rewritten, reading it again from the start", "path", fw.f.name(), "size", size, "offset", fw.lr.off)
	default:
		if fp.N < fingerprintBytes && size > int64(fp.N) {
			if fp, err := readFingerprint(fw.f.fh); err == nil {
				fw.f.setFingerprint(fp)
			}
		}
		return true
	}
	if !fw.flush(ctx) {
		return false
	}
	if _, err := fw.f.fh.Seek(0, io.SeekStart); err != nil {
		fw.t.log.Error("cannot read file again", "path", fw.f.name(), "err", err)
		return true
	}
	fw.lr = newLineReader(fw.f.fh, fw.f.in.MaxLineBytes, 0)
	// A new Cursor: lines of the old content still in flight report to
	// the old one and cannot move the new position.
	fw.f.cur.Store(NewCursor(0))
	if fp, err := readFingerprint(fw.f.fh); err == nil {
		fw.f.setFingerprint(fp)
	}
	return true
}

// rotation returns the file's rotation state and notes when it changed.
func (fw *follower) rotation() (lost, superseded bool) {
	st := [2]bool{fw.f.lost.Load(), fw.f.superseded.Load()}
	if st != fw.state {
		fw.state, fw.since = st, fw.t.now()
	}
	return st[0], st[1]
}

// quietFor returns how much longer the file must stay quiet before a
// rotated file counts as drained.
func (fw *follower) quietFor() time.Duration {
	last := fw.lastData
	if fw.since.After(last) {
		last = fw.since
	}
	return fw.t.opts.RotateWait - fw.t.now().Sub(last)
}

// letGo marks the file as no longer followed.
func (fw *follower) letGo(ctx context.Context) {
	if fw.lr != nil {
		fw.flush(ctx)
		fw.f.final.Store(fw.lr.off)
	} else {
		fw.f.final.Store(fw.f.start)
	}
	if !fw.drained {
		close(fw.f.drained)
		fw.drained = true
	}
	fw.f.gone.Store(true)
	fw.t.log.Info("file let go", "path", fw.f.name(), "offset", fw.f.final.Load())
}

// wait blocks until the follower is poked (by a file event or the Waker), its poll interval or (when
// quiet is set) the rotation quiet time passed, or an open multiline event timed out. It
// reports false when ctx ended.
func (fw *follower) wait(ctx context.Context, quiet bool) bool {
	d := time.Duration(fw.f.poll.Load())
	if quiet {
		d = min(d, max(fw.quietFor(), time.Millisecond))
	}
	fw.timer.Reset(d)
	var step <-chan struct{} // nil, never ready, without a Waker
	if w := fw.t.opts.Waker; w != nil {
		step = w.Wake()
	}
	select {
	case <-ctx.Done():
		return false
	case <-step:
	case <-fw.f.wake:
	case <-fw.timer.C:
	case <-fw.e.expired():
		return fw.e.flush(ctx)
	}
	return true
}
