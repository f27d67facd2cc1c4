// Package nspawn boots real systemd in a throwaway systemd-nspawn container
// for tests: the machine's own root file system seen through an overlay
// (so the container has every program the host has, and nothing it writes
// reaches the host), a private network, and the test's files bound in.
//
// A test boots one container, shares it between subtests, and works in it
// as root through nsenter:
//
//	c := nspawn.Boot(t, nspawn.Options{Binds: []nspawn.Bind{
//		{Host: bin, Container: "/usr/local/bin/roomwatch", ReadOnly: true},
//	}})
//	c.WriteFile("/etc/roomwatch/roomwatch.yaml", cfg, 0o644)
//	c.Systemctl("start", "roomwatch")
//	c.WaitActive("roomwatch", 10*time.Second)
//	log, _ := c.Journal("roomwatch")
//
// A package installs as on a host (its scripts may start services):
//
//	c.CopyIn(deb, "/root/roomwatch.deb")
//	c.Exec("dpkg", "-i", "/root/roomwatch.deb")
//
// Boot needs root, util-linux (unshare, nsenter) and Debian's
// systemd-container; without them the test is skipped, or fails when real
// programs are required (see internal/realtest). It is skipped under
// testing.Short.
//
// Everything the container sets up lives in a mount namespace of its own
// (made by unshare): the overlay and its tmpfs vanish with the container's
// last process, even when the test binary is killed. The test's cleanup
// powers the container off, and kills it when that takes too long.
package nspawn

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

const install = "as root, with Debian's systemd-container and util-linux"

// namePrefix starts every container's machine name and cgroup.
const namePrefix = "rwtest-"

// Bind is a host file or folder made visible inside the container.
type Bind struct {
	Host      string // an absolute path on the host
	Container string // where it appears in the container; Host when empty
	ReadOnly  bool
}

// Options says how to boot a container. The zero value boots basic.target
// with nothing bound in.
type Options struct {
	// Binds are bound in at boot. A bound folder shares its files with the
	// host both ways (unless ReadOnly): a test may write a log file on the
	// host and have it read by a service in the container. Do not bind
	// under /tmp: the container's /tmp is a fresh tmpfs.
	Binds []Bind
	// Target is the unit the container boots into (systemd.unit=);
	// basic.target when empty. A larger target starts whatever the host
	// has enabled in it (multi-user.target: its databases and daemons).
	Target string
	// BootTimeout bounds the boot, until the system runs; 60s when zero.
	BootTimeout time.Duration
}

// Container is a booted container. Its methods run commands as root in all
// of the container's namespaces; they are safe for concurrent use.
type Container struct {
	// Name is the machine name, unique to this boot.
	Name string
	// Leader is the host's process id of the container's init (its PID 1).
	Leader int

	t       testing.TB
	nspawn  *exec.Cmd
	exited  chan struct{} // closed when nspawn has exited
	console *syncBuffer   // nspawn's output: the boot console
	cgroups []string      // made for the container, removed by Close
	once    sync.Once
}

// Available reports why containers cannot be booted here, or "" when they
// can: root, and the programs Boot runs.
func Available() string {
	if os.Geteuid() != 0 {
		return "booting a container needs root"
	}
	for _, p := range []string{"systemd-nspawn", "unshare", "nsenter", "mount"} {
		if _, err := exec.LookPath(p); err != nil {
			return p + " is not installed"
		}
	}
	return ""
}

// Require skips the test under testing.Short, and when containers cannot
// be booted here (Available) skips it, or fails it when real programs are
// required (realtest.Missing). Boot calls it; a test calls it first when
// it has slow work to do before the boot.
func Require(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("boots systemd in a container: skipped with -short")
	}
	if why := Available(); why != "" {
		realtest.Missing(t, "systemd-nspawn ("+why+")", install)
	}
}

// Boot boots a container and waits until its system runs. It calls
// Require first, and fails the test when the boot fails. The container is
// powered off when the test and its subtests end.
func Boot(t testing.TB, o Options) *Container {
	t.Helper()
	Require(t)
	if o.Target == "" {
		o.Target = "basic.target"
	}
	if o.BootTimeout == 0 {
		o.BootTimeout = 60 * time.Second
	}
	start := time.Now()
	c, err := boot(t, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("container %s booted into %s in %s (init: host pid %d)", c.Name, o.Target, time.Since(start).Round(time.Millisecond), c.Leader)
	return c
}

// script runs in the private mount namespace made by unshare: it moves
// itself into the cgroups named in $2 (when it may), mounts a tmpfs on $1
// holding the overlay's upper and work folders and the overlay of / on
// $1/root, then runs systemd-nspawn on it with the remaining arguments.
// The tmpfs keeps the upper folder off any overlay the host itself may
// run on.
const script = `set -eu
d=$1 cgroups=$2; shift 2
for g in $cgroups; do
	{ mkdir -p "$g" && echo $$ > "$g/cgroup.procs"; } 2>/dev/null || echo "nspawn: cannot use cgroup $g" >&2
done
mount -t tmpfs -o mode=0755 nspawn-test "$d"
mkdir "$d/upper" "$d/work" "$d/root"
mount -t overlay -o lowerdir=/,upperdir="$d/upper",workdir="$d/work" overlay "$d/root"
exec systemd-nspawn -D "$d/root" "$@"
`

func boot(t testing.TB, o Options) (*Container, error) {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	c := &Container{
		Name:    namePrefix + hex.EncodeToString(id[:4]),
		t:       t,
		exited:  make(chan struct{}),
		console: &syncBuffer{},
	}
	c.cgroups = cgroupDirs(c.Name)
	for _, g := range c.cgroups {
		sweepCgroups(g)
	}
	args := []string{"-m", "--propagation", "private", "sh", "-c", script, "sh", t.TempDir(), strings.Join(c.cgroups, " "),
		"--quiet", "--machine=" + c.Name, "--uuid=" + hex.EncodeToString(id),
		"--private-network", "--register=no", "--keep-unit", "--link-journal=no",
		"--tmpfs=/tmp", "--console=read-only"}
	for _, b := range o.Binds {
		spec, err := b.spec()
		if err != nil {
			return nil, err
		}
		args = append(args, spec)
	}
	args = append(args, "--boot", "systemd.unit="+o.Target)
	c.nspawn = exec.Command("unshare", args...)
	c.nspawn.Stdout, c.nspawn.Stderr = c.console, c.console
	c.nspawn.SysProcAttr = sysProcAttr()
	if err := c.nspawn.Start(); err != nil {
		return nil, fmt.Errorf("start systemd-nspawn: %w", err)
	}
	// This goroutine reaps nspawn; Close waits for it through c.exited.
	go func() {
		_ = c.nspawn.Wait()
		close(c.exited)
	}()
	t.Cleanup(c.Close)

	deadline := time.Now().Add(o.BootTimeout)
	for c.Leader == 0 {
		if err := c.checkRunning(); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, c.bootError("no container init after %s", o.BootTimeout)
		}
		c.Leader = childOf(c.nspawn.Process.Pid, "systemd")
		if c.Leader == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The bus may not answer in the first instants; is-system-running
	// --wait then waits for the boot's end and says how it went.
	for {
		if err := c.checkRunning(); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		out, _ := c.ExecContext(ctx, nil, "systemctl", "is-system-running", "--wait")
		cancel()
		state := strings.TrimSpace(out)
		switch state {
		case "running", "degraded":
			if state == "degraded" {
				failed, _ := c.Systemctl("--failed", "--no-legend")
				t.Logf("container %s booted degraded; failed units:\n%s", c.Name, failed)
			}
			// Container images (Docker's among them) forbid package scripts
			// to start services; a host, which the container stands for,
			// does not.
			if _, err := c.Exec("rm", "-f", "/usr/sbin/policy-rc.d"); err != nil {
				return nil, err
			}
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, c.bootError("system not running after %s: %q", o.BootTimeout, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b Bind) spec() (string, error) {
	dst := b.Container
	if dst == "" {
		dst = b.Host
	}
	if !filepath.IsAbs(b.Host) || !filepath.IsAbs(dst) {
		return "", fmt.Errorf("nspawn: bind %q:%q: paths must be absolute", b.Host, dst)
	}
	if strings.ContainsAny(b.Host+dst, ":\n") {
		return "", fmt.Errorf("nspawn: bind %q:%q: a path must not hold ':'", b.Host, dst)
	}
	if _, err := os.Stat(b.Host); err != nil {
		return "", fmt.Errorf("nspawn: bind: %w", err)
	}
	if b.ReadOnly {
		return "--bind-ro=" + b.Host + ":" + dst, nil
	}
	return "--bind=" + b.Host + ":" + dst, nil
}

// checkRunning returns an error when nspawn has exited.
func (c *Container) checkRunning() error {
	select {
	case <-c.exited:
		return c.bootError("systemd-nspawn exited: %v", c.nspawn.ProcessState)
	default:
		return nil
	}
}

func (c *Container) bootError(format string, args ...any) error {
	return fmt.Errorf("nspawn: container %s: %s\nconsole:\n%s", c.Name, fmt.Sprintf(format, args...), tail(c.console.String(), 60))
}

// childOf returns the id of a child process of parent named comm, or 0.
func childOf(parent int, comm string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 2 || f[1] != strconv.Itoa(parent) {
			continue
		}
		if s[open+1:end] == comm {
			return pid
		}
	}
	return 0
}

// Close powers the container off and waits until it is gone; after 20
// seconds it kills it. Boot registers it as the test's cleanup; calling it
// again does nothing. When the test failed, the end of the container's
// journal goes to the test log.
func (c *Container) Close() {
	c.once.Do(func() {
		if c.t.Failed() && c.Leader != 0 {
			if j, err := c.Exec("journalctl", "--no-pager", "-b", "-n", "80", "-o", "short-precise"); err == nil {
				c.t.Logf("container %s: the journal's last lines:\n%s", c.Name, j)
			}
		}
		defer func() {
			for _, g := range c.cgroups {
				if err := removeCgroup(g); err != nil {
					c.t.Error(err)
				}
			}
		}()
		start := time.Now()
		// SIGTERM makes nspawn ask the container's systemd to power off.
		_ = c.nspawn.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited:
			c.t.Logf("container %s powered off in %s", c.Name, time.Since(start).Round(time.Millisecond))
			return
		case <-time.After(20 * time.Second):
		}
		// Killing a PID namespace's init kills every process in it.
		if c.Leader != 0 {
			_ = syscall.Kill(c.Leader, syscall.SIGKILL)
		}
		_ = c.nspawn.Process.Kill()
		<-c.exited
		c.t.Errorf("container %s did not power off within 20s; killed", c.Name)
	})
}

// Console returns what the container printed on its console so far.
func (c *Container) Console() string { return c.console.String() }

// syncBuffer is a bytes.Buffer for a process's output, read while it runs.
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

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}
