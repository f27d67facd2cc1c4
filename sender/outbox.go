package sender

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/batch"
)

// DeadDir is the folder, inside a destination's outbox, that holds dead
// letters: digests the server refused for good.
const DeadDir = "dead"

// Record is one outbox file: a digest waiting for its destination, or a
// dead letter with the reason it was refused.
type Record struct {
	Destination string        `json:"destination"`
	Digest      *batch.Digest `json:"digest"`
	// Queued is when the oldest digest in the record reached the outbox.
	Queued time.Time `json:"queued"`
	// Merged counts the digests merged into this one while it waited.
	Merged int `json:"merged,omitempty"`
	// Summarized counts the digests merged into this one because the
	// outbox was over its size cap; Dropped counts the line samples
	// dropped for it (their lines are still counted in the digest).
	Summarized int `json:"summarized,omitempty"`
	Dropped    int `json:"dropped,omitempty"`
	// Attempts counts the delivery attempts so far.
	Attempts int `json:"attempts,omitempty"`
	// Error and Failed are set on dead letters: the server's refusal and
	// when it came.
	Error  string    `json:"error,omitempty"`
	Failed time.Time `json:"failed,omitzero"`
}

// DestinationDir returns the outbox folder of a destination inside root:
// the name with every byte outside [A-Za-z0-9_-] escaped, so that no
// destination name can leave root.
func DestinationDir(root, name string) string {
	var b strings.Builder
	for i := range len(name) {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	if b.Len() == 0 {
		b.WriteString("%00")
	}
	return filepath.Join(root, b.String())
}

// fileName names a record so that names sort in the order digests were
// queued: queue time in nanoseconds, a sequence number, the digest's ID.
func fileName(at time.Time, seq uint64, id string) string {
	id = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, id)
	if len(id) > 32 {
		id = id[:32]
	}
	return fmt.Sprintf("%020d-%08d-%s.json", max(at.UnixNano(), 0), seq%1e8, id)
}

// writeFile writes data to path durably: a temporary file, fsync, rename
// over path, fsync of the folder. A crash leaves the old file or the new,
// never a torn one.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadRecord reads one outbox file.
func ReadRecord(path string) (*Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Digest == nil {
		return nil, fmt.Errorf("%s: no digest", path)
	}
	return &r, nil
}

// ListRecords returns the record files in dir, oldest first; a missing
// folder holds none.
func ListRecords(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// Retry moves a dead letter back into its destination's outbox, with its
// error cleared, so that the next start delivers it. path is a file in a
// dead folder.
func Retry(path string) error {
	r, err := ReadRecord(path)
	if err != nil {
		return err
	}
	r.Error, r.Failed, r.Attempts = "", time.Time{}, 0
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	dest := filepath.Join(filepath.Dir(filepath.Dir(path)), filepath.Base(path))
	if err := writeFile(dest, data); err != nil {
		return fmt.Errorf("retry %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("retry %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}
