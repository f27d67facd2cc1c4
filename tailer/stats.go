package tailer

import (
	"cmp"
	"slices"
)

// FileStats is what Stats tells about one followed file.
type FileStats struct {
	// Input is the path (or glob) of the input the file belongs to.
	Input string
	// Path is the file's current name.
	Path string
	// Size is the file's size now; -1 when it cannot be told.
	Size int64
	// Handled is the offset up to which the file's lines are handled.
	Handled int64
	// Safe is where reading would resume after a crash (Cursor.Safe).
	Safe int64
}

// Behind returns how many bytes of the file are not handled yet, 0 when
// the size is unknown or the file shrank.
func (s FileStats) Behind() int64 {
	return max(s.Size-s.Handled, 0)
}

// Stats returns the files being followed, sorted by path. It is safe to
// call at any time, concurrently with Run; files already let go are left
// out.
func (t *Tailer) Stats() []FileStats {
	t.mu.Lock()
	files := make([]*file, 0, len(t.files))
	for _, f := range t.files {
		if !f.isGone() {
			files = append(files, f)
		}
	}
	t.mu.Unlock()
	out := make([]FileStats, 0, len(files))
	for _, f := range files {
		s := FileStats{Input: f.in.Path, Path: f.name(), Size: -1}
		// Stat needs no offset, so it may run beside the follower; on a
		// descriptor the follower just closed it fails and Size stays -1.
		if fi, err := f.fh.Stat(); err == nil {
			s.Size = fi.Size()
		}
		c := f.cursor()
		c.mu.Lock()
		s.Handled = c.done
		c.mu.Unlock()
		s.Safe = c.Safe()
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b FileStats) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Handled, b.Handled))
	})
	return out
}

// Settled reports whether no line of a followed file is still held: every
// handled line's digest is safe, so saved positions would lose nothing and
// repeat nothing.
func (t *Tailer) Settled() bool {
	for _, s := range t.Stats() {
		if s.Safe < s.Handled {
			return false
		}
	}
	for _, js := range t.journals {
		if !js.settled() {
			return false
		}
	}
	return true
}
