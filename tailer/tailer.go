package tailer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// StartAt says where a file seen for the first time is read from.
type StartAt int

const (
	// StartAtEnd reads only lines written from now on (the default).
	StartAtEnd StartAt = iota
	// StartAtBeginning reads the files' existing lines too.
	StartAtBeginning
)

// Input is one configured source of files, or of journal entries.
type Input struct {
	// Path is a file path or a glob (filepath.Match syntax). It is not
	// used when Journal is set.
	Path string
	// Journal, when set, makes the input read the systemd journal.
	Journal *Journal
	// Exclude lists globs of files not to read, matched against both the
	// base name and the full path.
	Exclude []string
	// Start applies to the files present when the input runs for the first
	// time (no saved positions for it). Files appearing later, and files
	// not known after a restart, are always read from their beginning.
	Start StartAt
	// Multiline, when set, joins continuation lines into events.
	Multiline *Multiline
	// MaxLineBytes is where a line is cut; 0 means DefaultMaxLineBytes.
	MaxLineBytes int
}

// TailerOptions configures a Tailer.
type TailerOptions struct {
	// Inputs are the files to follow and the journals to read.
	Inputs []Input
	// StateDir holds the positions file; "" keeps no positions.
	StateDir string
	// Logger receives the tailer's logs; nil discards them.
	Logger *slog.Logger
	// Now stamps Line.Time; nil means time.Now.
	Now func() time.Time
	// Rescan is how often the globs are evaluated again even without
	// directory events (lost events, network file systems); default 10s.
	Rescan time.Duration
	// SaveEvery is how often positions are saved while running; default 5s.
	SaveEvery time.Duration
	// Poll is how often a file is checked for growth when its directory
	// cannot be watched; default 250ms.
	Poll time.Duration
	// RotateWait is how long a rotated or deleted file must stay quiet at
	// its end before it is let go; default 1s.
	RotateWait time.Duration
	// Waker, when set, also wakes every waiting file follower, so that a
	// test steps the poll loop (with Now as its clock) instead of waiting
	// for real intervals.
	Waker Waker
}

// Waker wakes the file followers: every follower waiting on the channel
// that Wake returned checks its file once that channel is closed.
type Waker interface {
	Wake() <-chan struct{}
}

// ErrNoInputs is returned by New without inputs.
var ErrNoInputs = errors.New("tailer: no inputs")

// Tailer follows the files of its inputs by name, through rotations, and
// keeps their read positions across restarts.
type Tailer struct {
	opts TailerOptions
	log  *slog.Logger
	now  func() time.Time

	mu      sync.Mutex          // protects files, saved and known
	files   map[fileID]*file    // followed files, and let-go ones not yet handled
	saved   map[fileID]position // loaded positions not yet claimed by a file
	known   map[string]bool     // inputs that ran before (from the positions file)
	cursors map[string]string   // saved journal cursors by input key; read by New only
	scanned bool                // the first scan is done; SavePositions may write
	ready   chan struct{}       // closed after the first scan
	kick    chan struct{}       // SaveSoon's ask, buffered 1

	// Owned by the Run goroutine.
	noWatch bool // poll only (tests of the fallback)
	watcher *fsnotify.Watcher
	watched map[string]bool   // directories with a watch
	lastAt  map[string]*file  // the file last seen at each path
	byName  map[string]*file  // current path of each followed file
	warned  map[string]string // path -> last problem logged about it
	empty   map[int]bool      // inputs that matched no file at the first scan and since
	fds     fdBudget          // descriptors for followers; see fdlimit.go
	runner  *runner

	journals []*journalSource // the journal inputs; fixed after New
	zone     *time.Location   // of journal syslog lines; nil: time.Local (tests set it)
}

// runner is what a scan needs to start followers.
type runner struct {
	ctx context.Context
	out chan<- []Line
	wg  sync.WaitGroup // the followers
}

// New checks opts and returns a Tailer. It reads the positions file; a
// damaged one is replaced by its previous save (with a warning), and when
// neither can be read New fails with ErrPositionsDamaged, saying how to
// start fresh.
func New(opts TailerOptions) (*Tailer, error) {
	if len(opts.Inputs) == 0 {
		return nil, ErrNoInputs
	}
	var errs []error
	var files, journals []Input
	for _, in := range opts.Inputs {
		if in.Journal != nil {
			// Inputs of one journal fail alike: say it once.
			if err := CheckJournal(in.Journal); err != nil && !slices.ContainsFunc(errs, func(e error) bool { return e != nil && e.Error() == err.Error() }) {
				errs = append(errs, err)
			}
			journals = append(journals, in)
			continue
		}
		errs = append(errs, checkInput(in))
		files = append(files, in)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	opts.Inputs = files
	setDefaults(&opts)
	t := &Tailer{opts: opts, log: opts.Logger, now: opts.Now,
		files: map[fileID]*file{}, saved: map[fileID]position{}, known: map[string]bool{},
		cursors: map[string]string{},
		ready:   make(chan struct{}), kick: make(chan struct{}, 1), watched: map[string]bool{}, lastAt: map[string]*file{}, byName: map[string]*file{}, warned: map[string]string{}}
	t.fds.init()
	if opts.StateDir != "" {
		p, warn, err := loadPositions(opts.StateDir)
		if err != nil {
			return nil, err
		}
		if warn != "" {
			t.log.Warn("positions file damaged; recovered from its previous save", "problem", warn)
		}
		for _, fp := range p.Files {
			t.saved[fp.id()] = fp
		}
		for _, in := range p.Inputs {
			t.known[in] = true
		}
		for _, jp := range p.Journals {
			t.cursors[jp.Input] = jp.Cursor
		}
	}
	t.newJournals(journals)
	return t, nil
}

// checkInput reports what is wrong with in.
func checkInput(in Input) error {
	if in.Path == "" {
		return errors.New("input: empty path")
	}
	if _, err := filepath.Match(in.Path, ""); err != nil {
		return fmt.Errorf("input %s: %w", in.Path, err)
	}
	for _, ex := range in.Exclude {
		if _, err := filepath.Match(ex, ""); err != nil {
			return fmt.Errorf("input %s: exclude %s: %w", in.Path, ex, err)
		}
	}
	if in.Multiline != nil && in.Multiline.Start == nil {
		return fmt.Errorf("input %s: multiline without start", in.Path)
	}
	return nil
}

// setDefaults fills the zero fields of opts.
func setDefaults(o *TailerOptions) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Rescan, 10*time.Second)
	def(&o.SaveEvery, 5*time.Second)
	def(&o.Poll, 250*time.Millisecond)
	def(&o.RotateWait, time.Second)
}

// Run follows the files and sends their lines on out, in batches (see
// Recycle), until ctx is done, then returns nil once every follower has
// stopped. It blocks on out (backpressure) and never closes out. Lines of
// one file come in file order, each with that file's Cursor. Run saves
// positions every SaveEvery; the caller calls SavePositions once more
// after it has handled the last lines. Run may be called only once.
func (t *Tailer) Run(ctx context.Context, out chan<- []Line) error {
	ctx, cancel := context.WithCancel(ctx)
	t.runner = &runner{ctx: ctx, out: out}
	defer func() {
		cancel()
		t.runner.wg.Wait()
		if t.watcher != nil {
			t.watcher.Close()
		}
	}()
	t.startWatcher()
	t.scan(true)
	if err := t.startJournals(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	t.scanned = true
	t.mu.Unlock()
	close(t.ready)
	// Save at once: the input is known from now on, so that after a crash
	// before the first periodic save the files resume where reading began
	// rather than at their new end.
	if err := t.SavePositions(); err != nil {
		t.log.Error("save positions", "err", err)
	}
	return t.loop(ctx)
}

// Ready returns a channel closed once Run has opened the files present at
// start (the moment to tell systemd READY=1).
func (t *Tailer) Ready() <-chan struct{} { return t.ready }

// loop serves directory events, timers and ctx.
func (t *Tailer) loop(ctx context.Context) error {
	rescan := time.NewTicker(t.rescanEvery())
	defer rescan.Stop()
	save := time.NewTicker(t.opts.SaveEvery)
	defer save.Stop()
	soon := time.NewTimer(time.Hour)
	soon.Stop()
	var asked saveSoon
	defer asked.stop()
	var events <-chan fsnotify.Event
	var errs <-chan error
	if t.watcher != nil {
		events, errs = t.watcher.Events, t.watcher.Errors
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-events:
			if t.onEvent(ev) {
				soon.Reset(rescanDelay)
			}
		case err := <-errs:
			t.onWatchError(err)
			soon.Reset(rescanDelay)
		case <-t.fds.freed:
			if len(t.fds.starved) > 0 {
				soon.Reset(rescanDelay)
			}
		case <-soon.C:
			t.scan(false)
		case <-rescan.C:
			t.scan(false)
		case <-t.kick:
			asked.ask(time.Now())
		case <-asked.due():
			t.savePositions()
			asked.saved(time.Now())
		case <-save.C:
			t.savePositions()
		}
	}
}

// savePositions is SavePositions with its error logged.
func (t *Tailer) savePositions() {
	if err := t.SavePositions(); err != nil {
		t.log.Error("save positions", "err", err)
	}
}

// SavePositions writes the safe position (Cursor.Safe) of every file to
// the positions file, atomically. It is safe to call during and after Run;
// before Run has looked at the files it does nothing. Files that were let
// go (deleted, rotated out of the globs) are forgotten once their last line
// is handled. Saved positions whose file was not found again are dropped.
func (t *Tailer) SavePositions() error {
	if t.opts.StateDir == "" {
		return nil
	}
	t.mu.Lock()
	if !t.scanned {
		t.mu.Unlock()
		return nil
	}
	p := positions{Version: 1}
	for _, in := range t.opts.Inputs {
		p.Inputs = append(p.Inputs, in.Path)
	}
	for _, js := range t.journals {
		p.Inputs = append(p.Inputs, js.key)
		if c := js.safe(); c != "" {
			p.Journals = append(p.Journals, journalPosition{Input: js.key, Cursor: c})
		}
	}
	for id, f := range t.files {
		safe := f.cursor().Safe()
		if f.isGone() && safe >= f.final.Load() {
			delete(t.files, id)
			continue
		}
		p.Files = append(p.Files, position{Path: f.name(), Dev: id.Dev, Ino: id.Ino, fingerprint: f.fingerprint(), Offset: safe})
	}
	clear(t.saved)
	t.mu.Unlock()
	slices.SortFunc(p.Files, func(a, b position) int { return cmp.Compare(a.Path, b.Path) })
	return writePositions(t.opts.StateDir, p)
}
