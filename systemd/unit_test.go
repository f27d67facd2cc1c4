// Package systemd holds the service unit and its tests under real systemd.
package systemd

import (
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/nspawn"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// The paths of the installation the unit expects (README, "Running as a
// service"), and the test's log folder.
const (
	unit      = "roomwatch.service"
	binPath   = "/usr/local/bin/roomwatch"
	etcDir    = "/etc/roomwatch"
	logDir    = "/var/log/rwtest"
	appLog    = logDir + "/app.log"
	token     = "unit-test-token-8c1f"
	watchdog  = 4 * time.Second // the drop-in's WatchdogSec
	unitStart = 30 * time.Second
)

// testDropIn is the test's drop-in: a watchdog and a restart delay short
// enough for a test, and a look at the files roomwatch has open at the
// moment systemd gets READY=1 (ExecStartPost= runs then, before the unit
// is active; "+" runs it with full privileges). Everything else is the
// shipped unit.
const testDropIn = `[Service]
WatchdogSec=4s
RestartSec=1s
ExecStartPost=+/bin/sh -c 'ls -l /proc/$MAINPID/fd/ > ` + readyFDs + `'
`

// readyFDs is where the drop-in's ExecStartPost= puts its look.
const readyFDs = "/run/roomwatch-ready-fds"

// configText is the service's config: the test's log, one rule (two with
// alarm), digests sent quickly, to a HipChat server whose token comes as
// a systemd credential. bad adds a rule whose regex does not compile.
func configText(port int, alarm, bad bool) string {
	s := fmt.Sprintf(`state_dir: /var/lib/roomwatch
destinations:
  chat:
    type: hipchat
    url: http://127.0.0.1:%d
    token_file: ${CREDENTIALS_DIRECTORY}/hipchat.token
defaults:
  destination: chat
  room: Ops
  color: yellow
  debounce: {wait: 200ms, interval: 1s, max_lines: 50}
inputs:
  - path: %s
rules:
  - name: boom
    match: 'BOOM'
`, port, appLog)
	if alarm {
		s += "  - name: alarm\n    match: 'ALARM'\n    color: red\n"
	}
	if bad {
		s += "  - name: broken\n    match: 'disk (full'\n"
	}
	return s
}

// TestUnitUnderSystemd runs the shipped unit under real systemd, in one
// container shared by the subtests, which run in order: each leaves the
// service running for the next.
func TestUnitUnderSystemd(t *testing.T) {
	nspawn.Require(t) // before the build: skips early, saying why
	began := time.Now()
	h := newHarness(t)
	t.Logf("binary built and container booted in %s", time.Since(began).Round(time.Millisecond))

	t.Run("ready", h.ready)
	t.Run("status", h.status)
	t.Run("credential-and-dynamic-user", h.credentialAndUser)
	t.Run("reload", h.reload)
	t.Run("reload-bad-config", h.reloadBad)
	t.Run("watchdog", h.watchdog)
	t.Run("resume", h.resume)
	t.Run("no-token-in-journal", h.noToken)
	t.Logf("all of it: %s", time.Since(began).Round(time.Millisecond))
}

type harness struct {
	c       *nspawn.Container
	hc      *hipchattest.Server
	port    int
	etc     string   // the host folder bound at /etc/roomwatch
	logf    *os.File // the host file seen at /var/log/rwtest/app.log
	adm     int      // the adm group's id
	started time.Time
}

func newHarness(t *testing.T) *harness {
	h := &harness{}
	dir := t.TempDir()
	trackSources(t, "..")
	bin := filepath.Join(dir, "roomwatch")
	build := exec.Command("go", "build", "-o", bin, "github.com/roomwatch/roomwatch/cmd/roomwatch")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	unitFile, err := filepath.Abs(unit)
	if err != nil {
		t.Fatal(err)
	}
	g, err := user.LookupGroup("adm")
	if err != nil {
		t.Fatalf("the adm group, which reads /var/log: %v", err)
	}
	h.adm, _ = strconv.Atoi(g.Gid)

	// /etc/roomwatch: the config and the token, root's alone (0600). The
	// config is a symlink into live/, where the test replaces it: roomwatch
	// watches /etc/roomwatch, not live/, so a reload the test sees can only
	// come from `systemctl reload`.
	h.etc = filepath.Join(dir, "etc")
	mkdir(t, h.etc, 0o755, 0)
	mkdir(t, filepath.Join(h.etc, "live"), 0o755, 0)
	if err := os.Symlink("live/roomwatch.yaml", filepath.Join(h.etc, "roomwatch.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.etc, "hipchat.token"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// /var/log/rwtest/app.log: root:adm 0640, as Debian keeps its logs.
	logs := filepath.Join(dir, "log")
	mkdir(t, logs, 0o750, h.adm)
	f, err := os.OpenFile(filepath.Join(logs, "app.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := f.Chown(0, h.adm); err != nil {
		t.Fatal(err)
	}
	h.logf = f

	h.c = nspawn.Boot(t, nspawn.Options{Binds: []nspawn.Bind{
		{Host: bin, Container: binPath, ReadOnly: true},
		{Host: unitFile, Container: "/etc/systemd/system/" + unit, ReadOnly: true},
		{Host: h.etc, Container: etcDir, ReadOnly: true},
		{Host: logs, Container: logDir, ReadOnly: true},
	}})

	// HipChat, served by the test inside the container's private network.
	h.hc = hipchattest.New(t, hipchattest.Options{})
	h.hc.AddRoom(1, "Ops")
	h.hc.AddToken(token, hipchattest.Token{})
	l, err := h.c.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.port = l.Addr().(*net.TCPAddr).Port
	srv := &http.Server{Handler: h.hc.Handler(), ReadHeaderTimeout: 10 * time.Second}
	// Serves until the cleanup closes it.
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })

	h.writeConfig(t, configText(h.port, false, false))
	if err := h.c.DropIn(unit, "test", testDropIn); err != nil {
		t.Fatal(err)
	}
	return h
}

// trackSources stats every file the binary and the unit are made of, so
// that go test's cache knows them: without it, a cached PASS would outlive
// a change to the daemon, which this package does not import.
func trackSources(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != root || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".service") || d.Name() == "go.mod" || d.Name() == "go.sum") {
			_, err = os.Stat(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, dir string, perm os.FileMode, gid int) {
	t.Helper()
	if err := os.Mkdir(dir, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, perm); err != nil { // past the umask
		t.Fatal(err)
	}
	if err := os.Chown(dir, 0, gid); err != nil {
		t.Fatal(err)
	}
}
