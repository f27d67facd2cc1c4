package tailer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// rescanDelay gathers a burst of directory events into one scan.
const rescanDelay = 20 * time.Millisecond

// startWatcher creates the directory watcher. Without one the tailer
// polls: it says so once and keeps working.
func (t *Tailer) startWatcher() {
	if t.noWatch {
		return
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		t.log.Warn("cannot watch directories, polling instead", "err", err, "poll", t.opts.Poll)
		return
	}
	t.watcher = w
}

// rescanEvery returns the interval of the slow re-glob.
func (t *Tailer) rescanEvery() time.Duration {
	if t.watcher == nil {
		return min(t.opts.Rescan, max(t.opts.Poll, time.Second))
	}
	return t.opts.Rescan
}

// watchDir adds a watch on dir once. A directory that cannot be watched is
// polled; running out of inotify watches is logged once.
func (t *Tailer) watchDir(dir string) bool {
	if t.watcher == nil {
		return false
	}
	if t.watched[dir] {
		return true
	}
	err := t.watcher.Add(dir)
	switch {
	case err == nil:
		t.watched[dir] = true
		return true
	case errors.Is(err, fs.ErrNotExist):
	case errors.Is(err, syscall.ENOSPC):
		t.warnOnce("inotify", "out of inotify watches, polling the files of further directories", "err", err)
	default:
		t.warnOnce(dir, "cannot watch directory, polling its files", "path", dir, "err", err)
	}
	return false
}

// onEvent wakes the follower of the file an event is about, and reports
// whether the globs must be scanned again.
func (t *Tailer) onEvent(ev fsnotify.Event) bool {
	name := filepath.Clean(ev.Name)
	if f := t.byName[name]; f != nil {
		f.poke()
	}
	if ev.Op == fsnotify.Write {
		return false
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		delete(t.watched, name) // the kernel drops the watch of a removed directory
	}
	return true
}

// onWatchError handles an error of the watcher: after lost events every
// file is checked.
func (t *Tailer) onWatchError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		t.log.Warn("directory events lost, checking every file", "err", err)
	} else {
		t.log.Warn("directory watch error", "err", err)
	}
	for _, f := range t.byName {
		f.poke()
	}
}

// candidate is a path matched by an input.
type candidate struct {
	in   int
	path string
}

// candidates evaluates the globs. A path matched by several inputs belongs
// to the first.
func (t *Tailer) candidates() []candidate {
	var cs []candidate
	seen := map[string]bool{}
	for i, in := range t.opts.Inputs {
		if dir := filepath.Dir(in.Path); !hasMeta(dir) {
			t.watchDir(dir)
		}
		matches, _ := filepath.Glob(in.Path) // the pattern was checked in New
		for _, p := range matches {
			p = filepath.Clean(p)
			if seen[p] || excluded(in.Exclude, p) {
				continue
			}
			seen[p] = true
			cs = append(cs, candidate{in: i, path: p})
		}
	}
	return cs
}

// hasMeta reports whether path has glob characters.
func hasMeta(path string) bool { return strings.ContainsAny(path, `*?[\`) }

// excluded reports whether path matches one of the exclude globs, by base
// name or in full.
func excluded(globs []string, path string) bool {
	base := filepath.Base(path)
	for _, g := range globs {
		if ok, _ := filepath.Match(g, base); ok {
			return true
		}
		if ok, _ := filepath.Match(g, path); ok {
			return true
		}
	}
	return false
}

// warnOnce logs a problem with key (a path) unless the same problem was
// the last one logged for it.
func (t *Tailer) warnOnce(key, msg string, args ...any) {
	if t.warned[key] == msg {
		return
	}
	t.warned[key] = msg
	t.log.Warn(msg, args...)
}

// statFile returns the identity of the regular file at path. Problems are
// logged once per path; a missing file is no problem.
func (t *Tailer) statFile(path string) (fileID, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			t.warnOnce(path, "cannot read input file", "path", path, "err", err)
		}
		return fileID{}, false
	}
	if !fi.Mode().IsRegular() {
		t.warnOnce(path, "input is not a regular file, skipped", "path", path, "mode", fi.Mode().String())
		return fileID{}, false
	}
	id, ok := identityOf(fi)
	if !ok {
		t.warnOnce(path, "input file has no identity on this system, skipped", "path", path)
	}
	return id, ok
}

// openFile opens the regular file at path without blocking (a path that
// turned into a fifo must not hang the scan) and returns it with its
// identity and size.
func (t *Tailer) openFile(path string) (*os.File, fileID, int64, bool) {
	if t.fds.full() {
		t.starve(path, nil)
		return nil, fileID{}, 0, false
	}
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if outOfDescriptors(err) {
		t.starve(path, err)
		return nil, fileID{}, 0, false
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			t.warnOnce(path, "cannot read input file", "path", path, "err", err)
		}
		return nil, fileID{}, 0, false
	}
	fi, err := fh.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		fh.Close()
		t.warnOnce(path, "input is not a regular file, skipped", "path", path)
		return nil, fileID{}, 0, false
	}
	id, ok := identityOf(fi)
	if !ok {
		fh.Close()
		return nil, fileID{}, 0, false
	}
	delete(t.warned, path)
	t.fds.took()
	return fh, id, fi.Size(), true
}
