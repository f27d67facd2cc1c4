package tailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTailResume(t *testing.T) {
	skipShort(t)
	dir, state := t.TempDir(), t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "before first start\n")
	opts := TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "*.log")}}, StateDir: state}

	h := start(t, opts)
	write(t, p, "1\n")
	h.expect("1")
	h.stop()

	write(t, p, "2 while stopped\n")
	h = start(t, opts)
	h.expect("2 while stopped")
	write(t, p, "3\n")
	h.expect("3")
	h.stop()

	// Rotated while stopped, to a name no input matches.
	write(t, p, "4\n")
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	write(t, p+".1", "5\n")
	write(t, p, "6 new file\n")
	h = start(t, opts)
	h.expect("4", "5", "6 new file")
	h.stop()

	// Truncated while stopped, then written shorter and longer.
	for _, s := range []string{"7\n", "rewritten past the old offset 8\n"} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		h = start(t, opts)
		h.expect(strings.TrimSuffix(s, "\n"))
		h.stop()
	}

	// A held line is read again after a restart; nothing else is.
	h = start(t, opts)
	write(t, p, "9 held\n10\n")
	lines := h.expect("9 held", "10")
	lines[0].Cursor.Hold(lines[0].Offset)
	h.stop()
	h = start(t, opts)
	h.expect("9 held", "10")
	h.stop()
}

func TestSavePositionsFile(t *testing.T) {
	skipShort(t)
	dir, state := t.TempDir(), t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "x\n")
	h := start(t, TailerOptions{Inputs: []Input{{Path: p}}, StateDir: state})
	write(t, p, "y\n")
	h.expect("y")
	h.stop()
	got, _, err := loadPositions(state)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := identityOf(fi)
	want := positions{Version: 1, Inputs: []string{p}, Files: []position{
		{Path: p, Dev: id.Dev, Ino: id.Ino, fingerprint: fingerprint{N: 4, Sum: hashHead([]byte("x\ny\n"))}, Offset: 4},
	}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(position{})); diff != "" {
		t.Errorf("positions mismatch (-want +got):\n%s", diff)
	}
	var names []string
	ents, _ := os.ReadDir(state)
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{PositionsFile, PositionsPrevFile}, names); diff != "" {
		t.Errorf("state dir files (-want +got):\n%s", diff)
	}
}
