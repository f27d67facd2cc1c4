package tailer

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness runs a Tailer and collects its lines like a consumer would.
type harness struct {
	t      *testing.T
	tl     *Tailer
	out    chan []Line
	queued []Line // received in a batch, not yet expected
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
}

// start runs a Tailer with opts and waits until it has looked at the files.
func start(t *testing.T, opts TailerOptions, mods ...func(*Tailer)) *harness {
	t.Helper()
	h := &harness{t: t, out: make(chan []Line, 1000), done: make(chan error, 1), logs: &syncBuffer{}}
	opts.Logger = slog.New(slog.NewTextHandler(h.logs, nil))
	if opts.RotateWait == 0 {
		opts.RotateWait = 300 * time.Millisecond
	}
	tl, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.tl = tl
	for _, m := range mods {
		m(tl)
	}
	ctx, cancel := context.WithCancel(t.Context())
	h.cancel = cancel
	go func() { h.done <- tl.Run(ctx, h.out) }()
	t.Cleanup(h.stop)
	select {
	case <-tl.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("tailer not ready")
	}
	return h
}

// stop ends Run, saves positions and checks that no line came unexpected.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	if err := <-h.done; err != nil {
		h.t.Errorf("Run: %v", err)
	}
	if err := h.tl.SavePositions(); err != nil {
		h.t.Errorf("SavePositions: %v", err)
	}
	var extra []string
	for len(h.out) > 0 {
		h.queued = append(h.queued, <-h.out...)
	}
	for _, l := range h.queued {
		extra = append(extra, l.Text)
	}
	if len(extra) > 0 {
		h.t.Errorf("unexpected lines: %q", extra)
	}
}

// expect reads n lines, marks them handled, and compares their texts.
func (h *harness) expect(want ...string) []Line {
	h.t.Helper()
	var got []Line
	var texts []string
	for len(got) < len(want) {
		if len(h.queued) == 0 {
			select {
			case b := <-h.out:
				h.queued = b
			case <-time.After(10 * time.Second):
				h.t.Fatalf("timed out after %q, want %q", texts, want)
			}
			continue
		}
		l := h.queued[0]
		h.queued = h.queued[1:]
		l.Cursor.Handled(l.End)
		got = append(got, l)
		texts = append(texts, l.Text)
	}
	if diff := cmp.Diff(want, texts); diff != "" {
		h.t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
	return got
}

func write(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test on real files")
	}
}

func TestTailAppends(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "old\npartial")
	h := start(t, TailerOptions{Inputs: []Input{{Path: p}}})
	write(t, p, " end\nnew 1\n")
	lines := h.expect("partial end", "new 1")
	write(t, p, "new 2\r\n\xff\n")
	lines = append(lines, h.expect("new 2", "\uFFFD")...)
	want := []int64{4, 16, 16, 22, 22, 29, 29, 31}
	var got []int64
	for _, l := range lines {
		got = append(got, l.Offset, l.End)
		if l.File != p || l.Cursor == nil {
			t.Errorf("line %q: file %q cursor %v", l.Text, l.File, l.Cursor)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("offsets mismatch (-want +got):\n%s", diff)
	}
}

func TestTailRenameRotation(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "before\n")
	h := start(t, TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "*.log")}}, RotateWait: time.Second})
	old, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	old.WriteString("1\n")
	h.expect("1")
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	old.WriteString("2 after rename\n")
	write(t, p, "3 new file\n")
	old.WriteString("4 late write to old\n")
	h.expect("2 after rename", "4 late write to old", "3 new file")
	write(t, p, "5\n")
	h.expect("5")
}

func TestTailRotationKeepsMatchedOldFile(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "")
	h := start(t, TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "app.log*")}}})
	write(t, p, "1\n")
	h.expect("1")
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	write(t, p+".1", "2\n")
	write(t, p, "3\n")
	h.expect("2", "3")
	write(t, p+".1", "4\n") // still matched: still followed, not read twice
	h.expect("4")
}

func TestTailCopyTruncate(t *testing.T) {
	skipShort(t)
	tests := []struct {
		name  string
		after string
		want  []string
	}{
		{"shorter", "x\n", []string{"x"}},
		{"longer than the old offset", "rewritten 1\nrewritten 2\n", []string{"rewritten 1", "rewritten 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "app.log")
			write(t, p, "")
			h := start(t, TailerOptions{Inputs: []Input{{Path: p}}})
			write(t, p, "first 1\nfirst 2\n")
			h.expect("first 1", "first 2")
			// Truncate and write in one go, faster than the follower looks.
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(tt.after)
			f.Close()
			h.expect(tt.want...)
		})
	}
}

func TestTailNewAndMissingFiles(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	h := start(t, TailerOptions{
		Inputs: []Input{{Path: filepath.Join(dir, "*.log")}, {Path: filepath.Join(logs, "later.log")}},
		Rescan: 200 * time.Millisecond,
	})
	write(t, filepath.Join(dir, "other.txt"), "not matched\n")
	write(t, filepath.Join(dir, "b.log"), "b1\nb2\n")
	h.expect("b1", "b2")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(logs, "later.log"), "late 1\n")
	h.expect("late 1")
	write(t, filepath.Join(logs, "later.log"), "late 2\n")
	h.expect("late 2")
}

func TestTailStartAt(t *testing.T) {
	skipShort(t)
	tests := []struct {
		name  string
		start StartAt
		want  []string
	}{
		{"end", StartAtEnd, []string{"new"}},
		{"beginning", StartAtBeginning, []string{"old 1", "old 2", "new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "app.log")
			write(t, p, "old 1\nold 2\n")
			h := start(t, TailerOptions{Inputs: []Input{{Path: p, Start: tt.start}}})
			write(t, p, "new\n")
			h.expect(tt.want...)
		})
	}
}

func TestTailExclude(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	h := start(t, TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "*"), Exclude: []string{"*.gz", filepath.Join(dir, "skip.log")}}}})
	write(t, filepath.Join(dir, "old.gz"), "compressed\n")
	write(t, filepath.Join(dir, "skip.log"), "skipped\n")
	write(t, filepath.Join(dir, "keep.log"), "kept\n")
	h.expect("kept")
}

func TestTailMultiline(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "")
	m := &Multiline{Start: regexp.MustCompile(`^\d{4}-\d\d-\d\d `), Timeout: 200 * time.Millisecond}
	h := start(t, TailerOptions{Inputs: []Input{{Path: p, Multiline: m}}})
	write(t, p, "2024-01-02 ERROR boom\njava.lang.IllegalStateException: x\n\tat a.B(B.java:1)\n\tat c.D(D.java:2)\n2024-01-02 INFO ok\n")
	lines := h.expect("2024-01-02 ERROR boom\njava.lang.IllegalStateException: x\n\tat a.B(B.java:1)\n\tat c.D(D.java:2)", "2024-01-02 INFO ok")
	if lines[0].Offset != 0 || lines[0].End != lines[1].Offset {
		t.Errorf("event offsets %d-%d, next starts at %d", lines[0].Offset, lines[0].End, lines[1].Offset)
	}
}

func TestTailBadInputs(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "dir.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(dir, "secret.log")
	write(t, unreadable, "")
	os.Chmod(unreadable, 0)
	good := filepath.Join(dir, "good.log")
	write(t, good, "")
	h := start(t, TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "*.log")}}, Rescan: 50 * time.Millisecond})
	write(t, good, "fine\n")
	h.expect("fine")
	write(t, good, "still fine\n")
	h.expect("still fine")
	h.stop()
	logs := h.logs.String()
	if n := strings.Count(logs, "input is not a regular file"); n != 1 {
		t.Errorf("directory logged %d times, want once:\n%s", n, logs)
	}
	if os.Geteuid() != 0 {
		if n := strings.Count(logs, "cannot read input file"); n != 1 {
			t.Errorf("unreadable file logged %d times, want once:\n%s", n, logs)
		}
	}
}

func TestTailPollingFallback(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "")
	opts := TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "*.log")}}, Poll: 20 * time.Millisecond, Rescan: 50 * time.Millisecond}
	h := start(t, opts, func(tl *Tailer) { tl.noWatch = true })
	write(t, p, "1\n")
	h.expect("1")
	if err := os.Rename(p, p+".1"); err != nil {
		t.Fatal(err)
	}
	write(t, p+".1", "2\n")
	write(t, p, "3\n")
	h.expect("2", "3")
	write(t, filepath.Join(dir, "b.log"), "b\n")
	h.expect("b")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("4 after truncation\n")
	f.Close()
	h.expect("4 after truncation")
}
