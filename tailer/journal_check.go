package tailer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// systemJournalDirs are where journald keeps the system journal:
// persistent, then volatile storage.
var systemJournalDirs = []string{"/var/log/journal", "/run/log/journal"}

// journalGroupFix says how to let roomwatch read the journal.
const journalGroupFix = "run roomwatch in group systemd-journal (the unit in systemd/ has SupplementaryGroups=systemd-journal; " +
	"by hand: usermod -aG systemd-journal USER)"

// CheckJournal reports what keeps the journal input j from starting:
// journalctl missing, a directory that does not exist, journal files this
// process may not read. Each error names the cause and the fix.
func CheckJournal(j *Journal) error {
	if _, err := exec.LookPath(j.command()); err != nil {
		return fmt.Errorf("journal input: %s not found: install it (Debian: apt install systemd) or remove the journal input: %w", j.command(), err)
	}
	if j.Priority != "" {
		if _, err := ParsePriority(j.Priority); err != nil {
			return fmt.Errorf("journal input: priority: %w", err)
		}
	}
	if j.Directory == "" {
		return checkSystemJournal()
	}
	fi, err := os.Stat(j.Directory)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("journal input: directory %s does not exist: set directory to a folder of journal files (such as /var/log/journal/remote), or leave it out to read the system journal", j.Directory)
	case err != nil:
		return fmt.Errorf("journal input: directory %s: %w", j.Directory, err)
	case !fi.IsDir():
		return fmt.Errorf("journal input: directory %s is not a directory: for one journal file, give the folder that holds it", j.Directory)
	}
	found, readable, err := journalFiles(j.Directory)
	if err != nil {
		return fmt.Errorf("journal input: cannot read directory %s: %w: %s", j.Directory, err, journalGroupFix)
	}
	if found > 0 && readable == 0 {
		return fmt.Errorf("journal input: the journal files in %s are not readable by this user: %s", j.Directory, journalGroupFix)
	}
	return nil
}

// checkSystemJournal reports when the system journal cannot be read: no
// journal files at all, or none this process may open.
func checkSystemJournal() error {
	var found, readable int
	var errs []string
	for _, d := range systemJournalDirs {
		f, r, err := journalFiles(d)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err.Error())
		}
		found, readable = found+f, readable+r
	}
	switch {
	case readable > 0:
		return nil
	case found > 0 || len(errs) > 0:
		return fmt.Errorf("journal input: the system journal (%s) is not readable by this user (%s): %s",
			strings.Join(systemJournalDirs, ", "), strings.Join(append(errs, "permission denied")[:1], "; "), journalGroupFix)
	}
	return fmt.Errorf("journal input: no journal files in %s: is systemd-journald running? (set directory to read journal files kept elsewhere)",
		strings.Join(systemJournalDirs, " or "))
}

// journalFiles counts the *.journal files in dir and its subfolders one
// level down (journald's machine-id folders), and those that can be
// opened for reading.
func journalFiles(dir string) (found, readable int, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, err
	}
	var paths []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			sub, _ := filepath.Glob(filepath.Join(p, "*.journal"))
			paths = append(paths, sub...)
		} else if strings.HasSuffix(e.Name(), ".journal") {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		found++
		if f, err := os.Open(p); err == nil {
			f.Close()
			readable++
		}
	}
	return found, readable, nil
}
