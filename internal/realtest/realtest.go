// Package realtest is what tests need to run against real programs and
// servers (Alertmanager, a Matrix homeserver, systemd, journal files, an
// SMTP server, a browser): finding them, free ports on 127.0.0.1, and the
// choice between skipping and failing when one is missing.
//
// On a developer's machine a missing program skips the test with a message
// that says how to get it. In CI (.ci/run sets ROOMWATCH_REAL_SERVERS=required)
// the same test fails instead, so a missing install step can never pass
// unnoticed as a green run that tested nothing.
package realtest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Required reports whether tests must fail, not skip, when a real program is
// missing: ROOMWATCH_REAL_SERVERS=required, as .ci/run sets it.
func Required() bool { return os.Getenv("ROOMWATCH_REAL_SERVERS") == "required" }

// Missing skips the test, or fails it when real programs are required, saying
// what is missing and how to install it.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	msg := fmt.Sprintf("%s is not available (%s); .ci/run installs it", what, install)
	if Required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// LookPath finds a program by name on PATH or at one of the extra paths,
// and calls Missing when it is nowhere.
func LookPath(t testing.TB, name, install string, extra ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range extra {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	Missing(t, name, install)
	return ""
}

// CacheDir is where CI keeps what is slow to build (Dendrite, Mailpit):
// $ROOMWATCH_CI_CACHE, by default /var/cache/roomwatch-ci.
func CacheDir() string {
	if d := os.Getenv("ROOMWATCH_CI_CACHE"); d != "" {
		return d
	}
	return "/var/cache/roomwatch-ci"
}

// CachedBin returns the path of a program built into CacheDir()/dir.
func CachedBin(dir, name string) string {
	return filepath.Join(CacheDir(), dir, name)
}

// FreePort returns a port on 127.0.0.1 that was free a moment ago, chosen at
// random among unusual ones (20000–44999), so that a test never collides with
// a well-known service the machine runs (9093, 8008, 1025, ...).
func FreePort(t testing.TB) int {
	t.Helper()
	for range 200 {
		p := 20000 + rand.IntN(25000)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		l.Close()
		return p
	}
	t.Fatal("no free port on 127.0.0.1 between 20000 and 44999")
	return 0
}

// Addr returns "127.0.0.1:PORT" for a fresh FreePort.
func Addr(t testing.TB) string {
	t.Helper()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t)))
}
