//go:build unix

package tailer

import (
	"os"
	"syscall"
)

// identityOf returns the device and inode of fi.
func identityOf(fi os.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}, true
}
