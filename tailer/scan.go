package tailer

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"time"
)

// scan evaluates the globs, starts followers for files not followed yet,
// and tells followers whether their file is still matched or was replaced
// at its path. The first scan also resumes the files of saved positions.
func (t *Tailer) scan(first bool) {
	clear(t.fds.starved)
	defer t.reportStarved()
	cs := t.candidates()
	if first {
		t.resume(cs)
	}
	t.noteAppeared(cs, first)
	seen := map[fileID]bool{}
	byName := map[string]*file{}
	for _, c := range cs {
		prev := t.lastAt[c.path]
		f := t.visit(c, first, prev)
		if f == nil {
			continue
		}
		if prev != nil && prev != f && prev.superseded.CompareAndSwap(false, true) {
			prev.poke()
		}
		t.lastAt[c.path] = f
		if !seen[f.id] {
			seen[f.id] = true
			f.setName(c.path)
		}
		byName[c.path] = f
		f.setPoll(t.pollFor(c.path))
	}
	t.mu.Lock()
	for id, f := range t.files {
		if lost := !seen[id]; !f.isGone() && f.lost.Swap(lost) != lost {
			f.poke()
		}
	}
	t.mu.Unlock()
	for p, f := range t.lastAt {
		if f.isGone() {
			delete(t.lastAt, p)
		}
	}
	t.byName = byName
}

// pollFor returns how often the file at path is checked without events:
// rarely where directory events wake its follower, often where not.
func (t *Tailer) pollFor(path string) time.Duration {
	if t.watched[filepath.Dir(path)] {
		return t.opts.Rescan
	}
	return t.opts.Poll
}

// live returns the followed file with identity id, if any.
func (t *Tailer) live(id fileID) *file {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[id]; f != nil && !f.isGone() {
		return f
	}
	return nil
}

// visit returns the follower of the file at c, starting one if the file is
// not followed yet. prev is the file last seen at that path: a new file
// there is read only after prev was drained.
func (t *Tailer) visit(c candidate, first bool, prev *file) *file {
	id, ok := t.statFile(c.path)
	if !ok {
		return nil
	}
	if f := t.live(id); f != nil {
		return f
	}
	fh, id, size, ok := t.openFile(c.path)
	if !ok {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[id]; f != nil && !f.isGone() {
		fh.Close() // the path changed between stat and open
		t.fds.release()
		return f
	}
	start, why := t.startOffset(fh, id, size, c, first)
	var after <-chan struct{}
	if prev != nil && prev.id != id {
		after = prev.drained
	}
	t.log.Info("following file", "path", c.path, "offset", start, "from", why)
	return t.startFile(id, c, fh, start, after)
}

// startFile registers a file and starts its follower. t.mu is held.
func (t *Tailer) startFile(id fileID, c candidate, fh *os.File, start int64, after <-chan struct{}) *file {
	fp, err := readFingerprint(fh)
	if err != nil {
		t.log.Warn("cannot fingerprint file", "path", c.path, "err", err)
	}
	f := newFile(id, &t.opts.Inputs[c.in], fh, c.path, start, fp)
	f.after = after
	f.setPoll(t.pollFor(c.path))
	t.files[id] = f
	r := t.runner
	r.wg.Add(1)
	// Each file has its own follower so that a busy or huge file never
	// holds up the others; Run waits for all of them.
	go func() {
		defer r.wg.Done()
		t.follow(r.ctx, f, r.out)
	}()
	return f
}

// startOffset returns where a file not followed yet is read from, and why.
// t.mu is held.
func (t *Tailer) startOffset(fh *os.File, id fileID, size int64, c candidate, first bool) (int64, string) {
	if sp, ok := t.saved[id]; ok {
		delete(t.saved, id)
		if sp.matches(fh) && sp.Offset <= size {
			return sp.Offset, "saved position"
		}
		return 0, "beginning, changed while stopped"
	}
	if old := t.files[id]; old != nil && old.fingerprint().matches(fh) && old.final.Load() <= size {
		return old.final.Load(), "where it was let go"
	}
	in := t.opts.Inputs[c.in]
	if !first || t.known[in.Path] {
		return 0, "beginning, new file"
	}
	if in.Start == StartAtBeginning {
		return 0, "beginning"
	}
	return lastLineEnd(fh, size), "end"
}

// lastLineEnd returns the offset after the last newline before size, so
// that a line being written when reading starts at the end is read whole.
func lastLineEnd(fh *os.File, size int64) int64 {
	from := max(0, size-readBufSize)
	buf := make([]byte, size-from)
	n, err := fh.ReadAt(buf, from)
	if err != nil && err != io.EOF {
		return size
	}
	if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
		return from + int64(i) + 1
	}
	if from == 0 {
		return 0
	}
	return size
}

// resume starts the files of saved positions before anything else: where
// an input matches them, or else (rotated to a name no input matches)
// where they are found in the directory of their saved path, to read their
// remainder and let them go. Each becomes the last file seen at its saved
// path, so that a newer file there waits until it is drained.
func (t *Tailer) resume(cs []candidate) {
	t.mu.Lock()
	saved := make([]position, 0, len(t.saved))
	for _, sp := range t.saved {
		saved = append(saved, sp)
	}
	t.mu.Unlock()
	if len(saved) == 0 {
		return
	}
	at := map[fileID]candidate{}
	for _, c := range cs {
		if id, ok := t.statFile(c.path); ok {
			if _, dup := at[id]; !dup {
				at[id] = c
			}
		}
	}
	dirs := map[string]map[fileID]string{}
	for pass := range 2 { // moved files first: they are older than matched ones
		for _, sp := range saved {
			c, matched := at[sp.id()]
			if matched != (pass == 1) {
				continue
			}
			if !matched {
				var ok bool
				if c, ok = t.findMoved(sp, dirs); !ok {
					continue
				}
			}
			if f := t.visit(c, true, t.lastAt[sp.Path]); f != nil && f.id == sp.id() {
				t.lastAt[sp.Path] = f
			}
		}
	}
}

// findMoved looks for the saved file in the directory of its saved path.
// dirs caches the identities found per directory.
func (t *Tailer) findMoved(sp position, dirs map[string]map[fileID]string) (candidate, bool) {
	in := t.inputFor(sp.Path)
	if in < 0 {
		return candidate{}, false
	}
	dir := filepath.Dir(sp.Path)
	ids, ok := dirs[dir]
	if !ok {
		ids = map[fileID]string{}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			if info, err := e.Info(); err == nil {
				if id, ok := identityOf(info); ok {
					ids[id] = filepath.Join(dir, e.Name())
				}
			}
		}
		dirs[dir] = ids
	}
	p, ok := ids[sp.id()]
	return candidate{in: in, path: p}, ok
}

// inputFor returns the index of the input that matches path, or -1.
func (t *Tailer) inputFor(path string) int {
	for i, in := range t.opts.Inputs {
		if ok, _ := filepath.Match(in.Path, path); ok && !excluded(in.Exclude, path) {
			return i
		}
	}
	return -1
}

// noteAppeared logs when an input that matched no file finds one, so that
// the warning about it at the start is answered in the log.
func (t *Tailer) noteAppeared(cs []candidate, first bool) {
	found := make([]bool, len(t.opts.Inputs))
	for _, c := range cs {
		found[c.in] = true
	}
	if t.empty == nil {
		t.empty = map[int]bool{}
	}
	for i, ok := range found {
		switch {
		case !ok && first:
			t.empty[i] = true
		case ok && t.empty[i]:
			delete(t.empty, i)
			t.log.Info("input appeared: reading it now", "input", t.opts.Inputs[i].Path, "file", firstOf(cs, i))
		}
	}
}

// firstOf returns the path of the first candidate of input i.
func firstOf(cs []candidate, i int) string {
	for _, c := range cs {
		if c.in == i {
			return c.path
		}
	}
	return ""
}
