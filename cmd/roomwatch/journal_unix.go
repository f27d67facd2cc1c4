//go:build unix

package main

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// toJournal reports whether w is the stream systemd connected to the
// journal. systemd names that stream in JOURNAL_STREAM as "device:inode";
// the variable alone is not enough, since a child process inherits it while
// its stderr may have been redirected elsewhere.
func toJournal(w io.Writer, stream string) bool {
	if stream == "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	return stream == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
