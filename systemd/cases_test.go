package systemd

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// ready: Type=notify means `systemctl start` returns once roomwatch said
// READY=1, and it says so only with its inputs open: at the moment
// systemd got READY=1 the log was open, and a line written right after
// `systemctl start` is alerted.
func (h *harness) ready(t *testing.T) {
	begin := time.Now()
	if _, err := h.c.Systemctl("start", unit); err != nil {
		t.Fatal(err)
	}
	took := time.Since(begin)
	pid, host := h.mainPID(t)
	fds, err := h.c.ReadFile(readyFDs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(fds), "-> "+appLog+"\n") {
		t.Errorf("at READY=1 roomwatch did not have %s open; its files then:\n%s", appLog, fds)
	}
	h.append(t, "app: BOOM ready-alpha")
	h.waitDelivered(t, "BOOM ready-alpha")
	h.started = begin

	p, err := h.c.Show(unit, "Type", "NotifyAccess", "ActiveState", "SubState", "WatchdogUSec", "NRestarts")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Type": "notify", "NotifyAccess": "main", "ActiveState": "active",
		"SubState": "running", "WatchdogUSec": "4s", "NRestarts": "0"}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s=%s, want %s", k, p[k], v)
		}
	}
	j, err := h.c.Journal(unit)
	if err != nil {
		t.Fatal(err)
	}
	// In this order: roomwatch's own lines come through one stream, and it
	// logs "ready" right after sending READY=1.
	order := `Starting roomwatch\.service[^\n]*\n(?:.*\n)*?.*msg="following file" path=` + appLog +
		`.*\n(?:.*\n)*?.*msg=ready\n(?:.*\n)*?.*Started roomwatch\.service`
	if !regexp.MustCompile(order).MatchString(j) {
		t.Errorf("journal: not Starting, following file, ready, Started, in that order:\n%s", j)
	}
	t.Logf("systemctl start took %s; main pid %d (host %d); its log at READY=1: %s; journal:\n%s",
		took.Round(time.Millisecond), pid, host, regexp.MustCompile(`\S+ -> `+appLog).FindString(string(fds)), j)
}

var statusRE = regexp.MustCompile(`^lines read (\d+), matched (\d+), digests sent (\d+), failed 0, outbox 0$`)

// status: roomwatch's STATUS= line is what systemctl shows, refreshed
// while it runs (every WatchdogSec/2).
func (h *harness) status(t *testing.T) {
	var text string
	deadline := time.Now().Add(3 * watchdog)
	for {
		var err error
		text, err = h.c.Property(unit, "StatusText")
		if err != nil {
			t.Fatal(err)
		}
		m := statusRE.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("StatusText %q does not match %q", text, statusRE)
		}
		if m[3] != "0" && m[2] != "0" && m[1] != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("StatusText %q: the digest sent in the last %s is not counted", text, 3*watchdog)
		}
		time.Sleep(200 * time.Millisecond)
	}
	out, err := h.c.Systemctl("status", "--lines=0", unit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `Status: "`+text+`"`) {
		t.Errorf("systemctl status does not show %q:\n%s", text, out)
	}
	t.Logf("systemctl status:\n%s", out)
}

// credentialAndUser: the service runs as a user made up for it, in the adm
// group, reads a root:adm 0640 log, and gets its token as a credential:
// the token file itself is root's alone, out of the user's reach.
func (h *harness) credentialAndUser(t *testing.T) {
	pid, host := h.mainPID(t)
	st, err := os.ReadFile("/proc/" + strconv.Itoa(host) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	uid := field(string(st), "Uid")
	if len(uid) != 4 || slices.ContainsFunc(uid, func(s string) bool { return s != uid[0] }) {
		t.Fatalf("Uid: %v", uid)
	}
	// systemd's DynamicUser= range.
	if n, _ := strconv.Atoi(uid[0]); n < 61184 || n > 65519 {
		t.Errorf("the service runs as uid %d, not a dynamic user", n)
	}
	if !slices.Contains(field(string(st), "Groups"), strconv.Itoa(h.adm)) {
		t.Errorf("the service is not in the adm group (%d): Groups %v", h.adm, field(string(st), "Groups"))
	}
	who, _ := h.c.Exec("stat", "-c", "%U:%G %a", appLog, etcDir+"/hipchat.token")
	if want := "root:adm 640\nroot:root 600\n"; who != want {
		t.Errorf("stat of the log and the token file:\n%s\nwant\n%s", who, want)
	}
	// As the service's user, the token file cannot be read: the token can
	// only have come through LoadCredential=.
	if out, err := h.c.Exec("setpriv", "--reuid="+uid[0], "--regid="+uid[0], "--groups="+strconv.Itoa(h.adm),
		"cat", etcDir+"/hipchat.token"); err == nil {
		t.Errorf("uid %s reads the token file: %q", uid[0], out)
	}
	env, err := os.ReadFile("/proc/" + strconv.Itoa(host) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	creds := "CREDENTIALS_DIRECTORY=/run/credentials/" + unit
	if !slices.Contains(strings.Split(string(env), "\x00"), creds) {
		t.Errorf("environment lacks %s", creds)
	}
	n := h.waitDelivered(t, "BOOM ready-alpha")
	if n.Token != token || n.Room != "Ops" {
		t.Errorf("HipChat got token %q for room %q, want %q for Ops", n.Token, n.Room, token)
	}
	t.Logf("main pid %d runs as uid %s, groups %v; HipChat got %q from %q with the credential's token",
		pid, uid[0], field(string(st), "Groups"), n.Message, n.Room)
}

// reload: systemctl reload sends SIGHUP; a good config takes effect, and
// the process stays the same.
func (h *harness) reload(t *testing.T) {
	pid, _ := h.mainPID(t)
	cur := h.cursor(t)
	h.writeConfig(t, configText(h.port, true, false))
	if _, err := h.c.Systemctl("reload", unit); err != nil {
		t.Fatal(err)
	}
	j, err := h.c.WaitJournal(unit, cur, regexp.MustCompile(`reason=SIGHUP[^\n]*\n(?:[^\n]*\n)*?[^\n]*msg="config reloaded"`), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	h.append(t, "app: ALARM reload-alpha")
	if n := h.waitDelivered(t, "ALARM reload-alpha"); n.Color != "red" {
		t.Errorf("the new rule's line arrived %s, want red", n.Color)
	}
	if now, _ := h.mainPID(t); now != pid {
		t.Errorf("main pid %d after the reload, was %d", now, pid)
	}
	t.Logf("journal:\n%s", j)
}

// reloadBad: a config with a bad regex is refused, with the place of the
// problem in the journal; the running config goes on.
func (h *harness) reloadBad(t *testing.T) {
	pid, _ := h.mainPID(t)
	cur := h.cursor(t)
	h.writeConfig(t, configText(h.port, true, true))
	if _, err := h.c.Systemctl("reload", unit); err != nil {
		t.Fatal(err)
	}
	j, err := h.c.WaitJournal(unit, cur, regexp.MustCompile(`reason=SIGHUP[^\n]*\n(?:[^\n]*\n)*?[^\n]*reload failed; the running config stays`), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`config not reloaded" problem="[^"]*roomwatch\.yaml:\d+:\d+: rule \\"broken\\": match: `).MatchString(j) {
		t.Errorf("no problem with its place in the journal:\n%s", j)
	}
	if err := h.c.WaitActive(unit, time.Second); err != nil {
		t.Fatal(err)
	}
	if now, _ := h.mainPID(t); now != pid {
		t.Errorf("main pid %d after the refused reload, was %d", now, pid)
	}
	// The running config (with the alarm rule) goes on.
	h.append(t, "app: ALARM bad-alpha", "app: BOOM bad-bravo")
	if n := h.waitDelivered(t, "ALARM bad-alpha"); n.Color != "red" {
		t.Errorf("after the refused reload the alarm arrived %s, want red", n.Color)
	}
	h.waitDelivered(t, "BOOM bad-bravo")
	status, _ := h.c.Systemctl("status", "--lines=0", unit)
	t.Logf("journal:\n%s\nsystemctl status:\n%s", j, status)

	// Back to the good config for what follows.
	cur = h.cursor(t)
	h.writeConfig(t, configText(h.port, true, false))
	if _, err := h.c.Systemctl("reload", unit); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.WaitJournal(unit, cur, regexp.MustCompile(`reason=SIGHUP[^\n]*\n(?:[^\n]*\n)*?[^\n]*msg="config reloaded"`), 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// watchdog: roomwatch pings the watchdog while it works, so systemd leaves
// it alone; stopped (SIGSTOP: no WATCHDOG=1 any more), systemd aborts it
// after WatchdogSec and starts it again.
func (h *harness) watchdog(t *testing.T) {
	pid, _ := h.mainPID(t)
	// Alive for more than twice WatchdogSec, never restarted, pings seen.
	if d := 2*watchdog + time.Second - time.Since(h.started); d > 0 {
		time.Sleep(d)
	}
	first, err := h.c.Property(unit, "WatchdogTimestampMonotonic")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(watchdog/2 + 500*time.Millisecond)
	p, err := h.c.Show(unit, "WatchdogTimestampMonotonic", "NRestarts", "MainPID")
	if err != nil {
		t.Fatal(err)
	}
	if p["WatchdogTimestampMonotonic"] == first || first == "0" {
		t.Errorf("no WATCHDOG=1 within %s: WatchdogTimestampMonotonic %s, then %s", watchdog/2+500*time.Millisecond, first, p["WatchdogTimestampMonotonic"])
	}
	if p["NRestarts"] != "0" || p["MainPID"] != strconv.Itoa(pid) {
		t.Fatalf("a healthy roomwatch was restarted: %v (main pid was %d)", p, pid)
	}

	cur := h.cursor(t)
	stopped := time.Now()
	if _, err := h.c.Exec("kill", "-STOP", strconv.Itoa(pid)); err != nil {
		t.Fatal(err)
	}
	// Written while roomwatch cannot read: the next one reads it.
	h.append(t, "app: BOOM while-frozen")
	j, err := h.c.WaitJournal(unit, cur, regexp.MustCompile(`Started roomwatch\.service`), watchdog+unitStart)
	if err != nil {
		t.Fatal(err)
	}
	back := time.Since(stopped)
	if err := h.c.WaitActive(unit, unitStart); err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`Watchdog timeout \(limit 4s\)!`,
		`Killing process ` + strconv.Itoa(pid) + ` \(roomwatch\) with signal SIGABRT`,
		`SIGABRT: abort`, // Go's answer: every goroutine's stack, then exit 2
		`Main process exited, code=(?:exited, status=2/INVALIDARGUMENT|dumped, status=6/ABRT|killed, status=6/ABRT)`,
		`Failed with result 'watchdog'`,
		`Scheduled restart job, restart counter is at 1`,
	} {
		if !regexp.MustCompile(re).MatchString(j) {
			t.Errorf("journal lacks %q", re)
		}
	}
	now, _ := h.mainPID(t)
	if restarts, _ := h.c.Property(unit, "NRestarts"); restarts != "1" || now == pid {
		t.Errorf("after the watchdog: NRestarts=%s, main pid %d (was %d)", restarts, now, pid)
	}
	h.append(t, "app: BOOM after-watchdog")
	h.waitDelivered(t, "BOOM while-frozen")
	h.waitDelivered(t, "BOOM after-watchdog")
	t.Logf("stopped pid %d; systemd had a new one (%d) running %s later; journal without the stacks:\n%s",
		pid, now, back.Round(time.Millisecond), withoutStacks(j))
}

// resume: lines written while roomwatch is stopped are alerted once when
// it starts again, and lines alerted before are not alerted again (nor
// those of the watchdog's restart).
func (h *harness) resume(t *testing.T) {
	h.append(t, "app: BOOM resume-before")
	h.waitDelivered(t, "BOOM resume-before")
	cur := h.cursor(t)
	if _, err := h.c.Systemctl("stop", unit); err != nil {
		t.Fatal(err)
	}
	if err := h.c.WaitState(unit, "inactive", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	h.append(t, "app: BOOM resume-alpha", "app: BOOM resume-bravo")
	if _, err := h.c.Systemctl("start", unit); err != nil {
		t.Fatal(err)
	}
	h.waitDelivered(t, "BOOM resume-alpha")
	h.waitDelivered(t, "BOOM resume-bravo")
	// Longer than a digest takes (wait + interval), for a second copy to show.
	time.Sleep(2 * time.Second)
	for _, m := range []string{"BOOM while-frozen", "BOOM after-watchdog", "BOOM resume-before", "BOOM resume-alpha", "BOOM resume-bravo"} {
		if n := h.count(m); n != 1 {
			t.Errorf("%q alerted %d times, want once", m, n)
		}
	}
	j, _ := h.c.Journal(unit, "--after-cursor="+cur)
	if !regexp.MustCompile(`msg="following file" path=` + appLog + ` offset=[1-9]`).MatchString(j) {
		t.Errorf("after the restart the log was not resumed from its saved offset:\n%s", j)
	}
	t.Logf("journal:\n%s", j)
}

// noToken: after all of the above (reloads, a refused config, a crash with
// every goroutine's stack), the token is nowhere in the journal.
func (h *harness) noToken(t *testing.T) {
	j, err := h.c.Journal("", "-b", "-o", "cat")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(j, token) {
		t.Errorf("the token is in the journal")
	}
	t.Logf("%d journal lines, none with the token", strings.Count(j, "\n"))
}

// append writes lines to the test's log, as the host's logger would.
func (h *harness) append(t *testing.T, lines ...string) {
	t.Helper()
	if _, err := h.logf.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
}

// writeConfig replaces the config at once (rename), as config managers
// do: the file roomwatch.yaml links to.
func (h *harness) writeConfig(t *testing.T, text string) {
	t.Helper()
	tmp := filepath.Join(h.etc, "live", ".roomwatch.yaml.new")
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(h.etc, "live", "roomwatch.yaml")); err != nil {
		t.Fatal(err)
	}
}

var timesRE = regexp.MustCompile(`\(×(\d+)\)$`)

// count returns how many times marker was alerted: a digest line "... (×3)"
// stands for three. Markers differ in words, not digits: lines that differ
// only in numbers are folded into one digest line.
func (h *harness) count(marker string) int {
	n := 0
	for _, m := range h.hc.Notifications() {
		for _, l := range strings.Split(m.Message, "\n") {
			if !strings.Contains(l, marker) {
				continue
			}
			if x := timesRE.FindStringSubmatch(l); x != nil {
				k, _ := strconv.Atoi(x[1])
				n += k
			} else {
				n++
			}
		}
	}
	return n
}

// waitDelivered waits until HipChat got a notification holding marker.
func (h *harness) waitDelivered(t *testing.T, marker string) hipchattest.Notification {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, m := range h.hc.Notifications() {
			if strings.Contains(m.Message, marker) {
				return m
			}
		}
		if time.Now().After(deadline) {
			j, _ := h.c.Journal(unit, "-n", "30")
			t.Fatalf("%q not delivered within 15s; HipChat got %d notifications; journal:\n%s", marker, len(h.hc.Notifications()), j)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mainPID returns the service's main process, as the container and as
// the host number it.
func (h *harness) mainPID(t *testing.T) (int, int) {
	t.Helper()
	pid, err := h.c.MainPID(unit)
	if err != nil || pid == 0 {
		status, _ := h.c.Systemctl("status", "--lines=10", unit)
		t.Fatalf("no main pid: %d, %v\n%s", pid, err, status)
	}
	host, err := h.c.HostPID(pid)
	if err != nil {
		t.Fatal(err)
	}
	return pid, host
}

func (h *harness) cursor(t *testing.T) string {
	t.Helper()
	cur, err := h.c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// field returns the values of a "Key:\tv1\tv2" line of /proc/PID/status.
func field(status, key string) []string {
	for _, l := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			return strings.Fields(v)
		}
	}
	return nil
}

// withoutStacks drops the goroutine stacks Go prints on SIGABRT.
func withoutStacks(j string) string {
	var out []string
	skipped := 0
	for _, l := range strings.Split(j, "\n") {
		if strings.Contains(l, "roomwatch[") && !strings.Contains(l, "level=") && !strings.Contains(l, "SIGABRT") {
			skipped++
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n") + "\n(" + strconv.Itoa(skipped) + " lines of goroutine stacks left out)"
}
