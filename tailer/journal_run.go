package tailer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Restart delays of a journalctl that exited: from journalMinDelay,
// doubling up to journalMaxDelay; back to the start once one ran for
// journalSteady.
const (
	journalMinDelay = 200 * time.Millisecond
	journalMaxDelay = 30 * time.Second
	journalSteady   = 30 * time.Second
)

// maxEntryBytes bounds one entry of journalctl's output; a longer one is
// skipped with a warning.
const maxEntryBytes = 64 << 20

// tailCursor returns the journal cursor of the newest entry the input
// reads, "" when there is none: where a first start with start: end
// begins.
func (s *journalSource) tailCursor(ctx context.Context) (string, error) {
	args := append(s.j.args(), "--lines=1")
	cmd := exec.CommandContext(ctx, s.j.command(), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("journal input %s: %s %s: %w: %s", s.j.name(), s.j.command(), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	last := ""
	for l := range bytes.Lines(out) {
		if e, err := parseEntry(l); err == nil {
			last = e.Cursor
		}
	}
	return last, nil
}

// run reads the journal until ctx ends, restarting journalctl with a
// growing delay whenever it exits, after the last entry it read.
func (s *journalSource) run(ctx context.Context, out chan<- []Line, now func() time.Time) {
	e := newEmitter(out, nil, s.in.MaxLineBytes)
	defer e.stop()
	s.mu.Lock()
	after := s.resume[0]
	s.mu.Unlock()
	delay := journalMinDelay
	for {
		began := time.Now()
		var err error
		after, err = s.follow(ctx, e, after, now)
		if ctx.Err() != nil || !e.flush(ctx) {
			return
		}
		if time.Since(began) > journalSteady {
			delay = journalMinDelay
		}
		s.log.Warn("journalctl exited; restarting it after the last entry read", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, journalMaxDelay)
	}
}

// follow runs one `journalctl --follow` from after ("" from the oldest
// entry) and hands its entries on until it exits or ctx ends. It returns
// the cursor of the last entry read.
func (s *journalSource) follow(ctx context.Context, e *emitter, after string, now func() time.Time) (string, error) {
	// --no-tail in both cases: --follow alone implies --lines=10, which
	// with --cursor shows only ten entries from the cursor and holds the
	// rest of the backlog back until a new entry is written.
	args := append(s.j.args(), "--follow", "--no-tail")
	if after != "" {
		args = append(args, "--cursor="+after)
	}
	cmd := exec.CommandContext(ctx, s.j.command(), args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 2 * time.Second
	stderr := &stderrLog{log: s.log}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return after, err
	}
	if err := cmd.Start(); err != nil {
		return after, fmt.Errorf("start %s: %w", s.j.command(), err)
	}
	last, rerr := s.read(ctx, e, bufio.NewReaderSize(stdout, 256<<10), after, now)
	if rerr != nil && !errors.Is(rerr, io.EOF) {
		_ = cmd.Process.Kill() // stop it writing to a pipe no one reads
	}
	werr := cmd.Wait()
	if ctx.Err() != nil {
		return last, ctx.Err()
	}
	return last, errors.Join(errJournalExited, werr, stderr.lastErr())
}

// read hands on the entries of one journalctl's output. The entry at
// after, which journalctl starts with, was handed on before and is
// skipped; when the first entry is another one, the cursor is gone.
func (s *journalSource) read(ctx context.Context, e *emitter, br *bufio.Reader, after string, now func() time.Time) (string, error) {
	last, first := after, after != ""
	for {
		if br.Buffered() == 0 && !e.ship(ctx) {
			return last, ctx.Err()
		}
		b, err := readEntry(br)
		if err != nil {
			return last, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		ent, err := parseEntry(b)
		if err != nil {
			s.log.Warn("journal entry not understood, skipped", "err", err)
			continue
		}
		if first {
			first = false
			if ent.Cursor == after {
				continue
			}
			s.log.Warn("the saved journal cursor no longer exists (journal rotated or vacuumed): resuming at the oldest entry after it", "cursor", after)
		}
		last = ent.Cursor
		if s.j.wanted(&ent) && !e.send(ctx, s.line(&ent, now())) {
			return last, ctx.Err()
		}
	}
}

// line turns an entry into the next Line of the source.
func (s *journalSource) line(ent *jentry, at time.Time) Line {
	jf := ent.fields()
	text, cut := cutText(ent.text(s.j.Format, jf, s.zone), s.in.MaxLineBytes)
	s.mu.Lock()
	n := s.base + int64(len(s.resume)) - 1
	s.resume = append(s.resume, ent.Cursor)
	s.mu.Unlock()
	return Line{Text: text, File: s.j.name(), Time: at, Truncated: cut, Cursor: s.cur, Offset: n, End: n + 1, Journal: jf}
}

// readEntry returns the next line of br, without its newline. A line
// longer than maxEntryBytes is skipped.
func readEntry(br *bufio.Reader) ([]byte, error) {
	var long []byte
	for {
		b, err := br.ReadSlice('\n')
		switch {
		case err == nil && long == nil:
			return b, nil
		case err == nil:
			return append(long, b...), nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(long)+len(b) > maxEntryBytes {
				return nil, errors.New("journal entry longer than 64 MiB")
			}
			long = append(long, b...)
		default:
			return nil, err
		}
	}
}

// stderrLog logs what journalctl writes to its standard error, a line at a
// time, and keeps the last line for the error of its exit.
type stderrLog struct {
	log *slog.Logger

	mu      sync.Mutex // protects the fields below (written by exec's copier)
	partial []byte
	last    string
	logged  int
}

// Write implements io.Writer.
func (w *stderrLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(validString(w.partial[:i]))
		w.partial = w.partial[i+1:]
		if line == "" {
			continue
		}
		w.last = line
		if w.logged++; w.logged <= 20 {
			w.log.Warn("journalctl: " + line)
		}
	}
	return len(p), nil
}

// lastErr returns the last line written as an error, or nil.
func (w *stderrLog) lastErr() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == "" {
		return nil
	}
	return errors.New(w.last)
}

// newJournals makes the sources of the journal inputs, each resuming
// after its saved cursor. An input that ran before without a cursor had
// no entry when it first started: everything it finds now came later, so
// it reads from the oldest entry.
func (t *Tailer) newJournals(ins []Input) {
	for i := range ins {
		in := &ins[i]
		key := in.Journal.key()
		c, ok := t.cursors[key]
		js := newJournalSource(in, t.log, c)
		js.tail = !ok && !t.known[key] && in.Start == StartAtEnd
		t.journals = append(t.journals, js)
	}
}

// startJournals starts a reader for every journal input, on the runner.
// An input starting at the end learns the cursor of its newest entry
// first, so that it is saved at once and a crash before the first entry
// resumes from there.
func (t *Tailer) startJournals(ctx context.Context) error {
	for _, js := range t.journals {
		if js.tail {
			c, err := js.tailCursor(ctx)
			if err != nil {
				return err
			}
			js.mu.Lock()
			js.resume[0] = c
			js.mu.Unlock()
			js.tail = false
		}
	}
	for _, js := range t.journals {
		js.zone = cmp.Or(t.zone, time.Local)
		t.runner.wg.Add(1)
		// The reader runs until ctx ends; Run waits for it through wg.
		go func() { defer t.runner.wg.Done(); js.run(ctx, t.runner.out, t.now) }()
	}
	return nil
}
