package nspawn

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ExecTimeout bounds every command Exec runs, so that a hung command fails
// the test instead of hanging it.
const ExecTimeout = 60 * time.Second

// env is the environment of commands run in the container: no pager, no
// colours, no host variables leaking in.
var env = []string{
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C.UTF-8", "HOME=/root", "TERM=dumb",
	"SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", "SYSTEMD_LOG_COLOR=0",
}

// Exec runs a command as root in the container and returns its output,
// stdout and stderr together. A non-zero exit is an error that holds the
// output.
func (c *Container) Exec(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ExecTimeout)
	defer cancel()
	return c.ExecContext(ctx, nil, args...)
}

// ExecContext is Exec with a context and the command's standard input.
func (c *Container) ExecContext(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	if len(args) == 0 {
		return "", fmt.Errorf("nspawn: exec: no command")
	}
	nargs := append([]string{"-t", strconv.Itoa(c.Leader), "-a", "--"}, args...)
	cmd := exec.CommandContext(ctx, "nsenter", nargs...)
	cmd.Env = env
	cmd.Stdin = stdin
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s in container %s: %w\n%s", strings.Join(args, " "), c.Name, err, tail(out.String(), 40))
	}
	return out.String(), nil
}

// Systemctl runs systemctl in the container.
func (c *Container) Systemctl(args ...string) (string, error) {
	return c.Exec(append([]string{"systemctl"}, args...)...)
}

// Show returns a unit's properties (systemctl show -p).
func (c *Container) Show(unit string, props ...string) (map[string]string, error) {
	args := []string{"show", unit}
	for _, p := range props {
		args = append(args, "-p", p)
	}
	out, err := c.Systemctl(args...)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(props))
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m, nil
}

// Property returns one property of a unit (systemctl show -P).
func (c *Container) Property(unit, prop string) (string, error) {
	out, err := c.Systemctl("show", "-P", prop, unit)
	return strings.TrimRight(out, "\n"), err
}

// MainPID returns the main process of a service, as the container numbers
// it; 0 when it has none.
func (c *Container) MainPID(unit string) (int, error) {
	v, err := c.Property(unit, "MainPID")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

// HostPID returns the host's id of a process of the container, given the
// id the container knows it by.
func (c *Container) HostPID(pid int) (int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	want := strconv.Itoa(pid)
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		// NSpid: the id in each PID namespace, the host's first, the
		// innermost last; the container's processes are one level down.
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(strings.TrimPrefix(l, "NSpid:"))
			if strings.HasPrefix(l, "NSpid:") && len(f) >= 2 && f[1] == want && c.owns(e.Name()) {
				return strconv.Atoi(f[0])
			}
		}
	}
	return 0, fmt.Errorf("nspawn: no process %d in container %s", pid, c.Name)
}

// owns reports whether host process pid is in the container's PID
// namespace.
func (c *Container) owns(pid string) bool {
	mine, err1 := os.Readlink("/proc/" + strconv.Itoa(c.Leader) + "/ns/pid")
	its, err2 := os.Readlink("/proc/" + pid + "/ns/pid")
	return err1 == nil && err2 == nil && mine == its
}

// WaitState waits until a unit's ActiveState is want ("active",
// "inactive", "failed", ...). It gives up after timeout, or at once when
// the unit fails while another state is wanted, with the unit's status in
// the error.
func (c *Container) WaitState(unit, want string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var state string
	for {
		s, err := c.Property(unit, "ActiveState")
		if err != nil {
			return err
		}
		state = s
		if state == want {
			return nil
		}
		if state == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	status, _ := c.Systemctl("status", "--lines=20", unit)
	return fmt.Errorf("nspawn: %s is %s, not %s (waited up to %s):\n%s", unit, state, want, timeout, status)
}

// WaitActive waits until a unit is active.
func (c *Container) WaitActive(unit string, timeout time.Duration) error {
	return c.WaitState(unit, "active", timeout)
}

// Journal returns a unit's journal (all of it when unit is ""), with more
// journalctl arguments when given ("-o", "cat"; "--after-cursor", ...).
func (c *Container) Journal(unit string, args ...string) (string, error) {
	all := []string{"journalctl", "--no-pager", "--no-hostname", "-o", "short-precise"}
	if unit != "" {
		all = append(all, "-u", unit)
	}
	return c.Exec(append(all, args...)...)
}

// Cursor returns the journal's current end, for Journal(unit,
// "--after-cursor="+cursor): what was logged since.
func (c *Container) Cursor() (string, error) {
	out, err := c.Exec("journalctl", "--no-pager", "-n", "0", "--show-cursor")
	if err != nil {
		return "", err
	}
	_, cur, ok := strings.Cut(out, "-- cursor: ")
	if !ok {
		return "", fmt.Errorf("nspawn: no cursor in %q", out)
	}
	return strings.TrimSpace(cur), nil
}

// WaitJournal waits until the journal of unit (everything when "") since
// cursor (the start when "") has a line matching re, and returns that
// part of the journal.
func (c *Container) WaitJournal(unit, cursor string, re *regexp.Regexp, timeout time.Duration) (string, error) {
	var args []string
	if cursor != "" {
		args = append(args, "--after-cursor="+cursor)
	}
	deadline := time.Now().Add(timeout)
	for {
		j, err := c.Journal(unit, args...)
		if err != nil {
			return j, err
		}
		if re.MatchString(j) {
			return j, nil
		}
		if time.Now().After(deadline) {
			return j, fmt.Errorf("nspawn: no journal line of %q matching %q within %s:\n%s", unit, re, timeout, tail(j, 40))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WriteFile writes a file in the container, as root, making its folder
// when missing. The file lands in the container's overlay (or in a bound
// folder), never on the host's root file system.
func (c *Container) WriteFile(name string, data []byte, perm os.FileMode) error {
	ctx, cancel := context.WithTimeout(context.Background(), ExecTimeout)
	defer cancel()
	_, err := c.ExecContext(ctx, bytes.NewReader(data), "sh", "-c",
		`mkdir -p -- "$(dirname -- "$1")" && cat > "$1" && chmod "$2" -- "$1"`,
		"sh", name, strconv.FormatUint(uint64(perm.Perm()), 8))
	return err
}

// CopyIn copies a host file into the container (WriteFile of its content,
// with its permission bits).
func (c *Container) CopyIn(host, name string) error {
	f, err := os.Open(host)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), ExecTimeout)
	defer cancel()
	_, err = c.ExecContext(ctx, f, "sh", "-c",
		`mkdir -p -- "$(dirname -- "$1")" && cat > "$1" && chmod "$2" -- "$1"`,
		"sh", name, strconv.FormatUint(uint64(fi.Mode().Perm()), 8))
	return err
}

// ReadFile returns a file of the container.
func (c *Container) ReadFile(name string) ([]byte, error) {
	out, err := c.Exec("cat", "--", name)
	return []byte(out), err
}

// DropIn writes a drop-in for unit (/etc/systemd/system/UNIT.d/NAME.conf)
// and reloads systemd's units. A running service keeps its old settings
// until it restarts.
func (c *Container) DropIn(unit, name, text string) error {
	p := path.Join("/etc/systemd/system", unit+".d", name+".conf")
	if err := c.WriteFile(p, []byte(text), 0o644); err != nil {
		return err
	}
	_, err := c.Systemctl("daemon-reload")
	return err
}
