package tailer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// damages are the ways a positions file was found broken.
var damages = []struct {
	name  string
	apply func(t *testing.T, path string)
}{
	{"garbage", writeString("garbage{")},
	{"truncated", writeString(`{"version": 1, "inputs": ["/var/log/a.log"], "files": [{"path": "/var/l`)},
	{"empty", writeString("")},
	{"array", writeString("[]")},
	{"null", writeString("null")},
	{"wrong types", writeString(`{"version": "1", "files": {"path": 3}}`)},
	{"negative offset", writeString(`{"version": 1, "files": [{"path": "/a", "offset": -5}]}`)},
	{"trailing garbage", writeString(`{"version": 1}xyz`)},
	{"a directory", func(t *testing.T, path string) {
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
	}},
}

func writeString(s string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

var goodPositions = positions{Version: 1, Inputs: []string{"/var/log/a.log"},
	Files: []position{{Path: "/var/log/a.log", Dev: 1, Ino: 2, fingerprint: fingerprint{N: 4, Sum: "0123456789abcdef"}, Offset: 4}}}

// TestPositionsFallBackToPreviousSave checks that every kind of damage to
// positions.json falls back to the previous good save with a warning
// naming the file and the cause, and moves the damaged file aside so the
// next save works.
func TestPositionsFallBackToPreviousSave(t *testing.T) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			older := goodPositions
			older.Files = []position{{Path: "/var/log/a.log", Dev: 1, Ino: 2, Offset: 2}}
			if err := writePositions(dir, older); err != nil {
				t.Fatal(err)
			}
			if err := writePositions(dir, goodPositions); err != nil {
				t.Fatal(err)
			}
			cur := filepath.Join(dir, PositionsFile)
			if err := os.Remove(cur); err != nil {
				t.Fatal(err)
			}
			d.apply(t, cur)
			before := PositionsRecovered()
			got, warn, err := loadPositions(dir)
			if err != nil {
				t.Fatalf("loadPositions = %v, want the previous save", err)
			}
			if diff := cmp.Diff(older, got, cmp.AllowUnexported(position{})); diff != "" {
				t.Errorf("positions (-want previous save +got):\n%s", diff)
			}
			if !strings.Contains(warn, cur+": ") || !strings.Contains(warn, PositionsPrevFile) {
				t.Errorf("warning %q does not name the file, the cause and the save used", warn)
			}
			if PositionsRecovered() != before+1 {
				t.Errorf("PositionsRecovered went from %d to %d, want +1", before, PositionsRecovered())
			}
			if err := writePositions(dir, goodPositions); err != nil {
				t.Fatalf("save after recovery: %v", err)
			}
			if _, err := os.Stat(cur + positionsDamagedSuffix); err != nil {
				t.Errorf("the damaged file is not kept aside: %v", err)
			}
		})
	}
}

// TestPositionsBothDamagedRefuses checks that with the positions file and
// its previous save both unusable, New refuses to start and says how to
// start fresh, rather than skipping the lines written while stopped.
func TestPositionsBothDamagedRefuses(t *testing.T) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			d.apply(t, filepath.Join(dir, PositionsFile))
			writeString("garbage")(t, filepath.Join(dir, PositionsPrevFile))
			_, err := New(TailerOptions{Inputs: []Input{{Path: "/var/log/a.log"}}, StateDir: dir})
			if !errors.Is(err, ErrPositionsDamaged) {
				t.Fatalf("New = %v, want ErrPositionsDamaged", err)
			}
			for _, want := range []string{filepath.Join(dir, PositionsFile), "move both aside", "mv "} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
	// Damaged with no previous save at all: the same refusal.
	dir := t.TempDir()
	writeString("[]")(t, filepath.Join(dir, PositionsFile))
	if _, err := New(TailerOptions{Inputs: []Input{{Path: "/var/log/a.log"}}, StateDir: dir}); !errors.Is(err, ErrPositionsDamaged) {
		t.Errorf("New without a previous save = %v, want ErrPositionsDamaged", err)
	}
	// Neither file: a first run.
	if _, err := New(TailerOptions{Inputs: []Input{{Path: "/var/log/a.log"}}, StateDir: t.TempDir()}); err != nil {
		t.Errorf("New on a first run = %v", err)
	}
}

// TestSaveKeepsOneGoodGeneration checks that a save keeps the file it
// replaces as the previous save, but never a damaged one.
func TestSaveKeepsOneGoodGeneration(t *testing.T) {
	dir := t.TempDir()
	a, b, c := goodPositions, goodPositions, goodPositions
	a.Files, b.Files[0].Offset, c.Files = nil, 1, []position{{Path: "/x", Offset: 9}}
	for _, p := range []positions{a, b, c} {
		if err := writePositions(dir, p); err != nil {
			t.Fatal(err)
		}
	}
	prev, err := readPositionsFile(filepath.Join(dir, PositionsPrevFile))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, prev, cmp.AllowUnexported(position{})); diff != "" {
		t.Errorf("previous save (-want +got):\n%s", diff)
	}
	writeString("garbage")(t, filepath.Join(dir, PositionsFile))
	if err := writePositions(dir, a); err != nil {
		t.Fatal(err)
	}
	if prev, _ = readPositionsFile(filepath.Join(dir, PositionsPrevFile)); !cmp.Equal(b, prev, cmp.AllowUnexported(position{})) {
		t.Errorf("a damaged file replaced the previous good save")
	}
}
