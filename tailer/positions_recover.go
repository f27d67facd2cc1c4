package tailer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
)

// PositionsPrevFile is the previous good save of the positions file,
// kept beside it: a damaged positions file falls back to it.
const PositionsPrevFile = PositionsFile + ".prev"

// positionsDamagedSuffix names where a damaged positions file is moved
// once its previous save has been used instead, so that it is kept for a
// look and the next save can take its place.
const positionsDamagedSuffix = ".damaged"

// maxPositionsBytes caps what is read of a positions file: tens of
// thousands of files fit, and a file grown beyond is damage.
const maxPositionsBytes = 64 << 20

// recovered counts the times a damaged positions file was replaced by
// its previous save, for roomwatch_positions_recovered_total.
var recovered atomic.Uint64

// PositionsRecovered returns how many times, since the process started, a
// damaged positions file was replaced by its previous good save.
func PositionsRecovered() uint64 { return recovered.Load() }

// ErrPositionsDamaged is returned (wrapped) by New when neither the
// positions file nor its previous save can be read.
var ErrPositionsDamaged = errors.New("positions damaged")

// errNoFile is readPositionsFile's answer for a file that does not exist.
var errNoFile = errors.New("no such file")

// readPositionsFile reads and checks one positions file.
func readPositionsFile(path string) (positions, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return positions{}, errNoFile
	}
	if err != nil {
		return positions{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return positions{}, err
	}
	if !st.Mode().IsRegular() {
		return positions{}, errors.New("not a regular file")
	}
	if st.Size() > maxPositionsBytes {
		return positions{}, fmt.Errorf("%d bytes, more than a positions file can be", st.Size())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPositionsBytes))
	if err != nil {
		return positions{}, err
	}
	var p positions
	if err := json.Unmarshal(b, &p); err != nil {
		return positions{}, fmt.Errorf("not a positions file: %w", err)
	}
	if err := p.check(); err != nil {
		return positions{}, err
	}
	return p, nil
}

// check reports what makes decoded positions unusable; a file roomwatch
// wrote always passes.
func (p positions) check() error {
	if p.Version != 1 {
		return fmt.Errorf("version %d, want 1", p.Version)
	}
	for i, fp := range p.Files {
		switch {
		case fp.Path == "":
			return fmt.Errorf("files[%d]: no path", i)
		case fp.Offset < 0:
			return fmt.Errorf("files[%d]: negative offset", i)
		case fp.N < 0 || fp.N > fingerprintBytes || fp.N > 0 && len(fp.Sum) != 16:
			return fmt.Errorf("files[%d]: bad fingerprint", i)
		}
	}
	return nil
}

// loadPositions reads the positions file in dir, falling back to the
// previous save when it is damaged (garbage, truncated, empty, the wrong
// shape, not a file). ok false with a nil error means there is no
// positions file: a first run. When the previous save is used, warn says
// why and the damaged file is moved aside. When neither is usable, the
// error (ErrPositionsDamaged) says what to do: roomwatch must not
// silently skip the lines written while it was stopped.
func loadPositions(dir string) (p positions, warn string, err error) {
	cur, prev := filepath.Join(dir, PositionsFile), filepath.Join(dir, PositionsPrevFile)
	p, curErr := readPositionsFile(cur)
	if curErr == nil {
		return p, "", nil
	}
	pp, prevErr := readPositionsFile(prev)
	switch {
	case curErr == errNoFile && prevErr == errNoFile:
		return positions{}, "", nil
	case prevErr == nil:
		recovered.Add(1)
		warn = fmt.Sprintf("%s: %v; using the previous save %s (lines since then may be alerted again)", cur, curErr, prev)
		if curErr != errNoFile {
			aside := cur + positionsDamagedSuffix
			if err := os.Rename(cur, aside); err != nil {
				return positions{}, "", fmt.Errorf("%w: %s: %v, and it cannot be moved aside: %v", ErrPositionsDamaged, cur, curErr, err)
			}
			warn += "; the damaged file is now " + aside
		}
		return pp, warn, nil
	}
	return positions{}, "", fmt.Errorf("%w: %s: %v; previous save %s: %v. "+
		"Without them roomwatch cannot know where each file stopped, and lines written while it was stopped would be skipped. "+
		"To start fresh (each file from its end, or from its beginning with start: beginning), move both aside: "+
		"mv %s %s.bad; mv %s %s.bad",
		ErrPositionsDamaged, cur, curErr, prev, prevErr, cur, cur, prev, prev)
}

// keepPrevious makes the current positions file, if it is a good one, the
// previous save: hard-linked to a temporary name, then renamed over the
// old previous save, so that at every moment both names hold a whole
// file. A damaged current file is not kept.
func keepPrevious(dir string) error {
	cur := filepath.Join(dir, PositionsFile)
	if _, err := readPositionsFile(cur); err != nil {
		return nil
	}
	tmp := filepath.Join(dir, PositionsPrevFile+".tmp")
	_ = os.Remove(tmp)
	if err := os.Link(cur, tmp); err != nil {
		return fmt.Errorf("keep previous positions: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, PositionsPrevFile)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("keep previous positions: %w", err)
	}
	return nil
}
