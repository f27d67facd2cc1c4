package tailer

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStats(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "one\ntwo\n") // 8 bytes
	h := start(t, TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "*.log"), Start: StartAtBeginning}}})
	in := filepath.Join(dir, "*.log")

	var lines []Line
	for len(lines) < 2 {
		select {
		case b := <-h.out:
			lines = append(lines, b...)
		case <-time.After(10 * time.Second):
			t.Fatal("no lines")
		}
	}
	want := []FileStats{{Input: in, Path: p, Size: 8, Handled: 0, Safe: 0}}
	if diff := cmp.Diff(want, h.tl.Stats()); diff != "" {
		t.Errorf("read, nothing handled (-want +got):\n%s", diff)
	}
	if got := want[0].Behind(); got != 8 {
		t.Errorf("Behind = %d, want 8", got)
	}

	// The first line is held by an open digest, both are handled.
	lines[0].Cursor.Hold(lines[0].Offset)
	for _, l := range lines {
		l.Cursor.Handled(l.End)
	}
	want = []FileStats{{Input: in, Path: p, Size: 8, Handled: 8, Safe: 0}}
	if diff := cmp.Diff(want, h.tl.Stats()); diff != "" {
		t.Errorf("handled, one held (-want +got):\n%s", diff)
	}
	if h.tl.Settled() {
		t.Error("Settled with a held line")
	}
	lines[0].Cursor.Release(lines[0].Offset)
	if !h.tl.Settled() {
		t.Error("not Settled once every hold is released")
	}
	if got := h.tl.Stats()[0].Behind(); got != 0 {
		t.Errorf("Behind = %d, want 0", got)
	}
}
