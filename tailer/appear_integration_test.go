package tailer

import (
	"path/filepath"
	"strings"
	"testing"
)

// An input that matched nothing at the start says so in the log when a
// file appears for it; one that matched from the start says nothing.
func TestTailInputAppears(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "b.log"), "old\n")
	h := start(t, TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "a*.log")}, {Path: filepath.Join(dir, "b.log")}}})
	write(t, filepath.Join(dir, "a1.log"), "new\n")
	h.expect("new")
	h.stop()
	logs := h.logs.String()
	if !strings.Contains(logs, "input appeared: reading it now") || !strings.Contains(logs, "a1.log") || strings.Count(logs, "input appeared") != 1 {
		t.Errorf("logs:\n%s", logs)
	}
}
