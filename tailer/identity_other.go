//go:build !unix

package tailer

import "os"

// identityOf reports no identity where the system has no inodes; such
// files cannot be followed.
func identityOf(os.FileInfo) (fileID, bool) { return fileID{}, false }
