package tailer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// PositionsFile is the name of the positions file in the state directory.
const PositionsFile = "positions.json"

// fingerprintBytes is how many leading bytes of a file its fingerprint
// covers. A file shorter than that has a fingerprint of all its bytes,
// which is extended as the file grows.
const fingerprintBytes = 512

// fileID is a file's identity on its system: device and inode.
type fileID struct{ Dev, Ino uint64 }

// fingerprint is a hash of a file's first N bytes. With the fileID it tells
// a file from a later one that got the same inode, and a file from itself
// truncated and written again.
type fingerprint struct {
	N   int    `json:"fp_len"`
	Sum string `json:"fp"`
}

// readFingerprint hashes the first (up to fingerprintBytes) bytes of f.
func readFingerprint(f *os.File) (fingerprint, error) {
	buf := make([]byte, fingerprintBytes)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fingerprint{}, fmt.Errorf("fingerprint %s: %w", f.Name(), err)
	}
	return fingerprint{N: n, Sum: hashHead(buf[:n])}, nil
}

// hashHead returns the hex hash of b.
func hashHead(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// matches reports whether f still starts with the bytes fp was made of.
func (fp fingerprint) matches(f *os.File) bool {
	if fp.N == 0 {
		return true
	}
	buf := make([]byte, fp.N)
	n, err := f.ReadAt(buf, 0)
	if n < fp.N || (err != nil && !errors.Is(err, io.EOF)) {
		return false
	}
	return hashHead(buf) == fp.Sum
}

// positions is the content of the positions file.
type positions struct {
	Version int `json:"version"`
	// Inputs lists the input paths that ran before: their files are not new
	// to roomwatch, and files it does not know in them appeared while it
	// was stopped.
	Inputs   []string          `json:"inputs"`
	Files    []position        `json:"files"`
	Journals []journalPosition `json:"journals,omitempty"`
}

// journalPosition is the saved cursor of one journal input: reading
// resumes after the entry it names.
type journalPosition struct {
	Input  string `json:"input"` // the input's key (Journal.key)
	Cursor string `json:"cursor"`
}

// position is the saved read position of one file.
type position struct {
	Path string `json:"path"`
	Dev  uint64 `json:"dev"`
	Ino  uint64 `json:"ino"`
	fingerprint
	Offset int64 `json:"offset"`
}

// id returns the identity of the saved file.
func (p position) id() fileID { return fileID{Dev: p.Dev, Ino: p.Ino} }

// writePositions writes p to the positions file in dir atomically: a
// temporary file, synced; the old file, if good, kept as the previous
// save (keepPrevious); the new one renamed over it, then the directory
// synced so that the renames survive a crash.
func writePositions(dir string, p positions) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("encode positions: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("save positions: %w", err)
	}
	tmp, err := os.CreateTemp(dir, PositionsFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("save positions: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save positions %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save positions %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save positions %s: %w", tmp.Name(), err)
	}
	if err := keepPrevious(dir); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, PositionsFile)); err != nil {
		return fmt.Errorf("save positions: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
