package nspawn

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestContainer boots one container and checks what tests rely on: files
// in and out, a service started and watched, its journal, a listener in
// the container's private network, bound folders, and that nothing
// reaches the host.
func TestContainer(t *testing.T) {
	shared := t.TempDir()
	c := Boot(t, Options{Binds: []Bind{{Host: shared, Container: "/srv/shared"}}})

	t.Run("cgroup", func(t *testing.T) {
		// Its own cgroup, so that containers booted at once stay apart.
		b, err := os.ReadFile("/proc/" + strconv.Itoa(c.Leader) + "/cgroup")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "/"+c.Name+"/") {
			t.Errorf("the container's init is not in a cgroup of its own:\n%s", b)
		}
	})

	t.Run("files", func(t *testing.T) {
		if err := c.WriteFile("/etc/nspawn-test/hello", []byte("hello\n"), 0o640); err != nil {
			t.Fatal(err)
		}
		out, err := c.Exec("stat", "-c", "%U:%G %a", "/etc/nspawn-test/hello")
		if err != nil || strings.TrimSpace(out) != "root:root 640" {
			t.Errorf("stat = %q, %v; want root:root 640", out, err)
		}
		if b, err := c.ReadFile("/etc/nspawn-test/hello"); err != nil || string(b) != "hello\n" {
			t.Errorf("ReadFile = %q, %v", b, err)
		}
		if _, err := os.Stat("/etc/nspawn-test"); !os.IsNotExist(err) {
			t.Errorf("the container's write reached the host: %v", err)
		}
	})

	t.Run("bind", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(shared, "from-host"), []byte("1"), 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err := c.ReadFile("/srv/shared/from-host"); err != nil || string(b) != "1" {
			t.Errorf("host file in the container = %q, %v", b, err)
		}
	})

	t.Run("service", func(t *testing.T) {
		cur, err := c.Cursor()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exec("systemd-run", "--unit=nspawn-probe", "--", "sh", "-c", "echo probe-started; exec sleep 300"); err != nil {
			t.Fatal(err)
		}
		if err := c.WaitActive("nspawn-probe", 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitJournal("nspawn-probe", cur, regexp.MustCompile(`probe-started`), 10*time.Second); err != nil {
			t.Error(err)
		}
		pid, err := c.MainPID("nspawn-probe")
		if err != nil || pid == 0 {
			t.Fatalf("MainPID = %d, %v", pid, err)
		}
		host, err := c.HostPID(pid)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(host) + "/comm"); err != nil || strings.TrimSpace(string(b)) != "sleep" {
			t.Errorf("host pid %d is %q, %v; want sleep", host, b, err)
		}
		if _, err := c.Systemctl("stop", "nspawn-probe"); err != nil {
			t.Fatal(err)
		}
		if err := c.WaitState("nspawn-probe", "inactive", 10*time.Second); err != nil {
			t.Error(err)
		}
	})

	t.Run("dpkg", func(t *testing.T) {
		deb := probeDeb(t)
		if err := c.CopyIn(deb, "/root/nspawn-probe.deb"); err != nil {
			t.Fatal(err)
		}
		if out, err := c.Exec("dpkg", "-i", "/root/nspawn-probe.deb"); err != nil {
			t.Fatal(err)
		} else {
			t.Logf("dpkg -i:\n%s", out)
		}
		// The postinst enabled and started it, as on a host.
		if err := c.WaitActive("nspawn-probe-deb", 10*time.Second); err != nil {
			t.Error(err)
		}
		if out, err := c.Systemctl("is-enabled", "nspawn-probe-deb"); err != nil || strings.TrimSpace(out) != "enabled" {
			t.Errorf("is-enabled: %q, %v", out, err)
		}
		if out, err := exec.Command("dpkg-query", "-W", "nspawn-probe").CombinedOutput(); err == nil {
			t.Errorf("the package reached the host's dpkg database: %s", out)
		}
	})

	t.Run("listen", func(t *testing.T) {
		l, err := c.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		got := make(chan string, 1)
		// Accepts the one connection the container makes.
		go func() {
			conn, err := l.Accept()
			if err != nil {
				got <- err.Error()
				return
			}
			defer conn.Close()
			line, _ := bufio.NewReader(conn).ReadString('\n')
			got <- line
		}()
		addr := l.Addr().(*net.TCPAddr)
		if _, err := c.Exec("bash", "-c", "echo hi > /dev/tcp/127.0.0.1/"+strconv.Itoa(addr.Port)); err != nil {
			t.Fatal(err)
		}
		select {
		case line := <-got:
			if line != "hi\n" {
				t.Errorf("the listener read %q, want hi", line)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no connection from the container")
		}
		// The host's own loopback does not have it: the network is private.
		if conn, err := net.DialTimeout("tcp", addr.String(), time.Second); err == nil {
			conn.Close()
			t.Errorf("%s answers on the host too", addr)
		}
	})
}

// probeDeb builds a package holding a service, whose scripts do what
// debhelper's do: enable and start it on install.
func probeDeb(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not installed")
	}
	root := filepath.Join(t.TempDir(), "pkg")
	files := map[string]string{
		"DEBIAN/control": "Package: nspawn-probe\nVersion: 1.0\nArchitecture: all\n" +
			"Maintainer: roomwatch tests <tests@example.com>\nDescription: a service for the container test\n",
		"DEBIAN/postinst": "#!/bin/sh\nset -e\nif [ \"$1\" = configure ]; then\n" +
			"\tdeb-systemd-helper enable nspawn-probe-deb.service\n\tsystemctl daemon-reload\n" +
			"\tdeb-systemd-invoke start nspawn-probe-deb.service\nfi\n",
		"lib/systemd/system/nspawn-probe-deb.service": "[Unit]\nDescription=probe\n[Service]\n" +
			"ExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n",
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if name == "DEBIAN/postinst" {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	deb := root + ".deb"
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", root, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb: %v\n%s", err, out)
	}
	return deb
}
