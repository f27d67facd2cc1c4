package nspawn

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// cgroupDirs returns the cgroups the container runs in: in every cgroup
// hierarchy systemd uses here, a child of the test process's own cgroup,
// named after the container. nspawn --keep-unit makes its "payload" and
// "supervisor" groups inside its own cgroup; without a cgroup of its own,
// two containers booted at once would share them.
func cgroupDirs(name string) []string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	var dirs []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		// hierarchy-id:controllers:path
		f := strings.SplitN(l, ":", 3)
		if len(f) != 3 {
			continue
		}
		var mnt string
		switch {
		case f[1] == "name=systemd":
			mnt = "/sys/fs/cgroup/systemd"
		case f[0] == "0" && f[1] == "":
			// cgroup v2: alone at /sys/fs/cgroup, or beside v1 ("hybrid").
			mnt = "/sys/fs/cgroup/unified"
			if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
				mnt = "/sys/fs/cgroup"
			}
		default:
			continue
		}
		if _, err := os.Stat(filepath.Join(mnt, "cgroup.procs")); err != nil {
			continue
		}
		dirs = append(dirs, filepath.Join(mnt, f[2], name))
	}
	return dirs
}

// sweepCgroups removes the cgroups of containers whose test was killed
// before its cleanup: siblings of dir named like it, older than a minute,
// with no process left anywhere in them.
func sweepCgroups(dir string) {
	parent := filepath.Dir(dir)
	old, _ := filepath.Glob(filepath.Join(parent, namePrefix+"*"))
	for _, g := range old {
		fi, err := os.Stat(g)
		if err != nil || time.Since(fi.ModTime()) < time.Minute || busy(g) {
			continue
		}
		_ = removeCgroup(g)
	}
}

// busy reports whether a process is in the cgroup dir or under it.
func busy(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "cgroup.procs" {
			if b, err := os.ReadFile(p); err != nil || len(strings.TrimSpace(string(b))) > 0 {
				found = true
			}
		}
		return nil
	})
	return found
}

// removeCgroup removes a cgroup and the groups under it, deepest first.
// A group that still has processes stays, and is an error.
func removeCgroup(dir string) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	slices.Reverse(dirs)
	var errs []error
	for _, d := range dirs {
		if err := os.Remove(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("nspawn: remove cgroup: %w", err))
		}
	}
	return errors.Join(errs...)
}
