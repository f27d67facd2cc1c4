package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/idlines"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
	"github.com/roomwatch/roomwatch/tailer"
)

// The daemon tests run the real binary: testscript.Main (main_test.go)
// puts the test binary on $PATH as "roomwatch", running main's code.

// daemonToken is the HipChat token the fake server accepts.
const daemonToken = "daemon-token"

// deliveryDeadline bounds every wait for the daemon in these tests.
const deliveryDeadline = 60 * time.Second

// daemonEnv is one test's fake HipChat server, log directory, state
// directory and config.
type daemonEnv struct {
	t     testing.TB
	srv   *hipchattest.Server
	dir   string // the logs
	state string // state_dir
	cfg   string // config file
	token string // HIPCHAT_TOKEN of the next start
	// deadline bounds the waits for deliveries; deliveryDeadline unless a
	// benchmark needs longer.
	deadline time.Duration
}

// newDaemonEnv writes a config with the given inputs (YAML list items,
// where $DIR stands for the log directory) and the rules.
func newDaemonEnv(t testing.TB, inputs, rulesYAML string) *daemonEnv {
	t.Helper()
	return newDaemonEnvWith(t, hipchattest.Options{}, inputs, rulesYAML)
}

// newDaemonEnvWith is newDaemonEnv with a fake server configured by opts,
// whose rate limits default to none.
func newDaemonEnvWith(t testing.TB, opts hipchattest.Options, inputs, rulesYAML string) *daemonEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the daemon in real time")
	}
	opts.RateLimit = cmp.Or(opts.RateLimit, 1<<30)
	opts.FloodLimit = cmp.Or(opts.FloodLimit, 1<<30)
	srv := hipchattest.New(t, opts)
	srv.AddRoom(42, "Ops")
	srv.AddToken(daemonToken, hipchattest.Token{})
	d := &daemonEnv{t: t, srv: srv, dir: idlines.TempDir(t), state: idlines.TempDir(t), token: daemonToken, deadline: deliveryDeadline}
	d.cfg = filepath.Join(t.TempDir(), "roomwatch.yaml")
	cfg := idlines.Config(d.state, srv.URL, strings.ReplaceAll(inputs, "$DIR", d.dir), rulesYAML)
	if err := os.WriteFile(d.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// path returns the path of a log file.
func (d *daemonEnv) path(name string) string { return filepath.Join(d.dir, name) }

// daemonProc is one running `roomwatch run`.
type daemonProc struct {
	t    testing.TB
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // set before done is closed
}

// start runs `roomwatch run -c cfg` with stdin (may be nil).
func (d *daemonEnv) start(stdin *os.File) *daemonProc {
	t := d.t
	t.Helper()
	bin, err := exec.LookPath("roomwatch")
	if err != nil {
		t.Fatalf("the roomwatch command is not on $PATH (testscript.Main installs it): %v", err)
	}
	p := &daemonProc{t: t, log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "run", "-c", d.cfg)
	p.cmd.Env = append(os.Environ(), "HIPCHAT_TOKEN="+d.token)
	p.cmd.Stderr = p.log
	p.cmd.Stdout = p.log
	if stdin != nil {
		p.cmd.Stdin = stdin
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The waiter reaps the process; every test ends by waiting for done.
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("daemon log (pid %d), last lines:\n%s", p.cmd.Process.Pid, lastLines(p.log.String(), 40))
		}
	})
	return p
}

// waitLog waits until the daemon has logged a line matching re.
func (p *daemonProc) waitLog(re string) {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(deliveryDeadline)
	for !rx.MatchString(p.log.String()) {
		select {
		case <-p.done:
			p.t.Fatalf("daemon exited (%v) before logging %q", p.err, re)
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("daemon did not log %q within %v", re, deliveryDeadline)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFollowing waits until the daemon follows the file at path.
func (p *daemonProc) waitFollowing(path string) {
	p.t.Helper()
	p.waitLog(`msg="following file" path=` + regexp.QuoteMeta(path) + ` `)
}

// waitSavedOffset waits until the saved position of the file at path is
// past after, and returns it.
func (d *daemonEnv) waitSavedOffset(path string, after int64) int64 {
	d.t.Helper()
	deadline := time.Now().Add(deliveryDeadline)
	for {
		var p struct {
			Files []struct {
				Path   string
				Offset int64
			}
		}
		b, err := os.ReadFile(filepath.Join(d.state, tailer.PositionsFile))
		if err == nil && json.Unmarshal(b, &p) == nil {
			for _, f := range p.Files {
				if f.Path == path && f.Offset > after {
					return f.Offset
				}
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no position of %s past %d saved within %v", path, after, deliveryDeadline)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop sends sig and returns the exit status.
func (p *daemonProc) stop(sig syscall.Signal) int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	return p.wait()
}

// wait waits for the process to exit and returns its exit status (-1
// when killed by a signal).
func (p *daemonProc) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(deliveryDeadline):
		p.t.Fatalf("daemon did not exit within %v", deliveryDeadline)
	}
	return p.cmd.ProcessState.ExitCode()
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

// syncBuffer is a writer safe for concurrent use.
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
