package service

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/idlines"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
	"github.com/roomwatch/roomwatch/tailer"
)

// The daemon on real files, in-process: a Service on a config with file
// inputs and a state_dir, against the fake HipChat server. Stopping it is
// cancelling its context, which is what SIGTERM does to `roomwatch run`
// (cmd/roomwatch's end-to-end scripts cover the signal itself).

// filesToken is the HipChat token the fake server accepts.
const filesToken = "daemon-token"

// deliveryDeadline bounds every wait for the daemon in these tests: they
// wait for something to happen, never for time to pass.
const deliveryDeadline = 60 * time.Second

// filesEnv is one test's fake HipChat server, log directory, state
// directory and config.
type filesEnv struct {
	t     *testing.T
	srv   *hipchattest.Server
	dir   string // the logs
	state string // state_dir
	cfg   string // config file
	token string // HIPCHAT_TOKEN of the next start
	// files are the tailer options of the next start (its clock, Waker).
	files tailer.TailerOptions
}

// newFilesEnv writes a config with the given inputs (YAML list items,
// where $DIR stands for the log directory) and the rules.
func newFilesEnv(t *testing.T, inputs, rulesYAML string) *filesEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the daemon in real time, through thousands of deliveries")
	}
	srv := hipchattest.New(t, hipchattest.Options{RateLimit: 1 << 30, FloodLimit: 1 << 30})
	srv.AddRoom(42, "Ops")
	srv.AddToken(filesToken, hipchattest.Token{})
	d := &filesEnv{t: t, srv: srv, dir: idlines.TempDir(t), state: idlines.TempDir(t), token: filesToken}
	d.cfg = filepath.Join(t.TempDir(), "roomwatch.yaml")
	cfg := idlines.Config(d.state, srv.URL, strings.ReplaceAll(inputs, "$DIR", d.dir), rulesYAML)
	if err := os.WriteFile(d.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// path returns the path of a log file.
func (d *filesEnv) path(name string) string { return filepath.Join(d.dir, name) }

// filesDaemon is one running Service.
type filesDaemon struct {
	t      *testing.T
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan struct{} // closed when Run has returned
	err    error         // set before done is closed
}

// start runs the daemon on the config with stdin (may be nil).
func (d *filesEnv) start(stdin io.Reader) *filesDaemon {
	t := d.t
	t.Helper()
	token := d.token
	lookup := func(k string) (string, bool) {
		if k == "HIPCHAT_TOKEN" {
			return token, true
		}
		return "", false
	}
	opts := pipeline.RuleOptions(lookup)
	cfg, err := rules.Load(d.cfg, opts)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	p := &filesDaemon{t: t, log: &syncBuffer{}, done: make(chan struct{})}
	s, err := New(Options{
		Config: cfg, Path: d.cfg, Rules: opts,
		Outputs: pipeline.Outputs{Stdout: p.log, Stderr: p.log}, Stdin: stdin,
		Logger: slog.New(slog.NewTextHandler(p.log, nil)),
		Files:  d.files,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	// Run is joined by stop, wait or the cleanup.
	go func() {
		p.err = s.Run(ctx)
		s.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
		if t.Failed() {
			t.Logf("daemon log, last lines:\n%s", lastLines(p.log.String(), 40))
		}
	})
	return p
}

// waitLog waits until the daemon has logged a line matching re.
func (p *filesDaemon) waitLog(re string) {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(deliveryDeadline)
	for !rx.MatchString(p.log.String()) {
		select {
		case <-p.done:
			p.t.Fatalf("daemon stopped (%v) before logging %q", p.err, re)
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("daemon did not log %q within %v", re, deliveryDeadline)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFollowing waits until the daemon follows the file at path.
func (p *filesDaemon) waitFollowing(path string) {
	p.t.Helper()
	p.waitLog(`msg="following file" path=` + regexp.QuoteMeta(path) + ` `)
}

// stop stops the daemon as SIGTERM does and checks that it stopped
// cleanly (exit status 0 for `roomwatch run`).
func (p *filesDaemon) stop() {
	p.t.Helper()
	p.cancel()
	p.wait()
}

// wait waits for the daemon to stop and checks that it stopped cleanly:
// by the end of its input or by stop.
func (p *filesDaemon) wait() {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(deliveryDeadline):
		p.t.Fatalf("daemon did not stop within %v", deliveryDeadline)
	}
	if p.err != nil && !errors.Is(p.err, context.Canceled) {
		p.t.Errorf("daemon stopped with %v, want a clean stop", p.err)
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

// stepClock is a clock that moves only when told, and a tailer.Waker
// that wakes every file follower when it does.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
	ch  chan struct{}
}

func newStepClock() *stepClock {
	return &stepClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ch: make(chan struct{})}
}

// Now returns the clock's time.
func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Wake returns a channel closed at the next step.
func (c *stepClock) Wake() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ch
}

// Step moves the clock on by d and wakes the followers.
func (c *stepClock) Step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	close(c.ch)
	c.ch = make(chan struct{})
}
