package tailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// StdinOptions configures a Stdin source (TailerOptions, a Tailer).
type StdinOptions struct {
	// MaxLineBytes is where a line is cut; 0 means DefaultMaxLineBytes.
	MaxLineBytes int
	// Now stamps Line.Time; nil means time.Now.
	Now func() time.Time
	// Logger receives the source's logs; nil discards them.
	Logger *slog.Logger
	// Multiline, when set, joins continuation lines into events.
	Multiline *Multiline
	// Name is the Line.File of the lines read; StdinName when empty.
	Name string
}

// StdinName is the Line.File of lines read from standard input.
const StdinName = "-"

// Stdin reads lines from a stream (standard input, a pipe) to its end.
type Stdin struct {
	r    io.Reader
	opts StdinOptions
}

// NewStdin returns a source reading lines from r.
func NewStdin(r io.Reader, opts StdinOptions) *Stdin {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Stdin{r: r, opts: opts}
}

// Run reads lines and sends them on out, in batches (see Recycle), until
// the end of the stream, where it sends the trailing partial line and the
// open multiline event and returns nil, or until ctx is done, where it
// returns nil without flushing.
// It blocks on out (backpressure) and never closes out. Lines carry no
// Cursor; their offsets count bytes from the start of the stream.
//
// Reads block, so they run on a goroutine. When ctx ends, Run unblocks that
// read with SetReadDeadline if r is an *os.File that supports deadlines
// (pipes and terminals opened non-blocking) and waits for it. Otherwise
// (a blocking standard input, any other io.Reader) Run returns at once and
// the goroutine ends when its pending Read returns, at the latest with the
// process: a read blocked in the kernel cannot be interrupted portably.
func (s *Stdin) Run(ctx context.Context, out chan<- []Line) error {
	// lines is unbuffered: the reader hands a batch over before it reports
	// the end on done, so this loop never sees the end before the batch.
	lines := make(chan []rawLine)
	free := make(chan []rawLine, 4)
	done := make(chan error, 1)
	stop := make(chan struct{})
	// The reader goroutine turns blocking reads into messages so that this
	// loop can watch ctx and the multiline timer meanwhile.
	go s.read(lines, free, done, stop)
	stopReader := sync.OnceFunc(func() { close(stop) })
	defer stopReader()
	e := newEmitter(out, s.opts.Multiline, s.opts.MaxLineBytes)
	defer e.stop()
	for {
		select {
		case batch := <-lines:
			// A batch is what one read (or a few quick ones) brought:
			// its lines share the time it arrived.
			now := s.opts.Now()
			for _, rl := range batch {
				if !e.send(ctx, s.line(rl, now)) {
					return s.cancel(stopReader, done)
				}
			}
			if !e.ship(ctx) {
				return s.cancel(stopReader, done)
			}
			clear(batch)
			select {
			case free <- batch[:0]:
			default:
			}
		case err := <-done:
			e.flush(ctx)
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("read standard input: %w", err)
			}
			return nil
		case <-e.expired():
			if !e.flush(ctx) {
				return s.cancel(stopReader, done)
			}
		case <-ctx.Done():
			return s.cancel(stopReader, done)
		}
	}
}

// line turns a raw line read at now into a Line of this source.
func (s *Stdin) line(rl rawLine, now time.Time) Line {
	return Line{Text: rl.text, File: s.name(), Time: now, Truncated: rl.truncated, Cut: rl.cut, CutAt: rl.cutAt, Offset: rl.off, End: rl.end}
}

// read reads lines until the end of the stream or an error, which it
// reports on done (nil for the end). It stops when stop is closed.
//
// It hands lines over in batches, taking batch slices back from free: a
// batch goes as soon as it is full or the next line is not read yet, so
// a line never waits for a read that may block.
func (s *Stdin) read(lines chan<- []rawLine, free <-chan []rawLine, done chan<- error, stop <-chan struct{}) {
	lr := newLineReader(s.r, s.opts.MaxLineBytes, 0)
	batch := make([]rawLine, 0, MaxBatch)
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case lines <- batch:
		case <-stop:
			return false
		}
		select {
		case batch = <-free:
		default:
			batch = make([]rawLine, 0, MaxBatch)
		}
		return true
	}
	for {
		rl, err := lr.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
				if last, ok := lr.flush(); ok {
					batch = append(batch, last)
				}
			}
			if !send() {
				err = nil
			}
			done <- err
			return
		}
		batch = append(batch, rl)
		for len(batch) < MaxBatch {
			rl, ok := lr.buffered()
			if !ok {
				break
			}
			batch = append(batch, rl)
		}
		if !send() {
			done <- nil
			return
		}
	}
}

// cancel stops the reader goroutine; it unblocks its read if it can and
// waits for it then.
func (s *Stdin) cancel(stopReader func(), done <-chan error) error {
	stopReader()
	f, ok := s.r.(*os.File)
	if !ok {
		return nil
	}
	if err := f.SetReadDeadline(time.Unix(1, 0)); err != nil {
		s.opts.Logger.Debug("cannot interrupt a blocked read of standard input", "err", err)
		return nil
	}
	<-done
	return nil
}

func (s *Stdin) name() string {
	if s.opts.Name != "" {
		return s.opts.Name
	}
	return StdinName
}
