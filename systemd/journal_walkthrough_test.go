package systemd

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/nspawn"
)

// TestWalkthroughReadsJournal follows README's "Running as a service" on
// a Debian host whose logs are in the systemd journal only: the shipped
// example config (journal inputs, console destination) with state_dir
// set, the empty token file, `check` (ok, no warning), the shipped unit
// enabled and started. A line logged as sshd reaches the service's
// journal as a notification; one logged while the service is stopped is
// sent once after the start, and the first is not sent again.
func TestWalkthroughReadsJournal(t *testing.T) {
	nspawn.Require(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "roomwatch")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/roomwatch/roomwatch/cmd/roomwatch").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	example, err := os.ReadFile("../configs/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	unitText, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	c := nspawn.Boot(t, nspawn.Options{Binds: []nspawn.Bind{{Host: bin, Container: binPath, ReadOnly: true}}})
	run := func(args ...string) string {
		t.Helper()
		out, err := c.Exec(args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	if _, err := c.Exec("test", "-e", "/var/log/auth.log"); err == nil {
		t.Log("this host has /var/log/auth.log; the service reads the journal all the same")
	}
	must(t, c.WriteFile(etcDir+"/roomwatch.yaml", append([]byte("state_dir: /var/lib/roomwatch\n"), example...), 0o644))
	run("install", "-m", "0600", "/dev/null", etcDir+"/hipchat.token")
	if got, want := strings.TrimSpace(run("roomwatch", "check", "-c", etcDir+"/roomwatch.yaml")), etcDir+"/roomwatch.yaml: ok: 6 rules, 1 destination, 2 inputs"; got != want {
		t.Fatalf("check says\n%s\nwant only\n%s", got, want)
	}
	must(t, c.WriteFile("/etc/systemd/system/"+unit, unitText, 0o644))
	run("systemctl", "daemon-reload")
	run("systemctl", "enable", "--now", "roomwatch")
	must(t, c.WaitActive("roomwatch", unitStart))

	cursor, err := c.Cursor()
	must(t, err)
	run("logger", "-t", "sshd", "Failed password for root from 203.0.113.5 port 22 ssh2")
	_, err = c.WaitJournal("roomwatch", cursor, regexp.MustCompile(`\[Ops\] red: root password guessed from 203\.0\.113\.5`), 30*time.Second)
	must(t, err)

	run("systemctl", "stop", "roomwatch")
	run("logger", "-t", "sshd", "Failed password for root from 198.51.100.7 port 22 ssh2")
	cursor, err = c.Cursor()
	must(t, err)
	run("systemctl", "start", "roomwatch")
	must(t, c.WaitActive("roomwatch", unitStart))
	j, err := c.WaitJournal("roomwatch", cursor, regexp.MustCompile(`root password guessed from 198\.51\.100\.7`), 30*time.Second)
	must(t, err)
	time.Sleep(11 * time.Second) // a debounce wait more: a repeat would be out by now
	j, err = c.Journal("roomwatch", "--after-cursor="+cursor)
	must(t, err)
	if strings.Contains(j, "203.0.113.5") || strings.Count(j, "guessed from 198.51.100.7") != 1 {
		t.Errorf("after the restart the service's journal says:\n%s", j)
	}
	positions, err := c.ReadFile("/var/lib/private/roomwatch/positions.json")
	must(t, err)
	if !strings.Contains(string(positions), `"journals"`) {
		t.Errorf("positions.json keeps no journal cursor:\n%s", positions)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
