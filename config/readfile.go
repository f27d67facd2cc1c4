package config

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Limits on the files that loading reads.
const (
	// MaxConfigBytes caps the config file and each include file.
	MaxConfigBytes = 4 << 20
	// MaxSecretBytes caps a *_file secret.
	MaxSecretBytes = 64 << 10
)

// ReadRegular reads path, which must be a regular file of at most max
// bytes. Anything else is an error at once, never a hang or a runaway
// allocation: a fifo or /dev/stdin would block until a writer comes (the
// file is opened non-blocking and checked before any read), /dev/zero
// never ends, and a huge file would be held whole in memory.
func ReadRegular(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileKind(st.Mode()))
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s: %d bytes, more than the limit of %d", path, st.Size(), max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: grew past the limit of %d bytes while read", path, max)
	}
	return b, nil
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a plain file"
}
