package packaging_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/nspawn"
)

// unit is the packaged service.
const unit = "roomwatch.service"

// TestInstall installs the .deb as an operator would on a host run by
// systemd (a throwaway container over an overlay of this machine's root,
// see internal/nspawn) and follows the README: dpkg -i, roomwatch version,
// roomwatch check of the packaged config, the manual page, then the
// service started as installed, READY, its status, a matching journal
// entry told on the console (the service's own log), and systemctl reload
// refusing a bad config. The subtests run in order, each on what the one
// before left.
func TestInstall(t *testing.T) {
	nspawn.Require(t) // before the build: skips early, saying why
	began := time.Now()
	dist := build(t)
	deb := only(t, filepath.Join(dist, "roomwatch_"+version+"-1_*.deb"))
	built := time.Since(began)
	c := nspawn.Boot(t, nspawn.Options{})
	t.Logf("packages built (or reused) in %s, container booted in %s", built.Round(time.Millisecond), (time.Since(began) - built).Round(time.Millisecond))
	in := &installed{c: c, deb: "/root/" + filepath.Base(deb)}
	if err := c.CopyIn(deb, in.deb); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name string
		f    func(*testing.T)
		gate bool // what follows needs it
	}{
		{"dpkg-i", in.dpkgInstall, true},
		{"version", in.version, false},
		{"check", in.check, false},
		{"man", in.man, false},
		{"completion", in.completion, false},
		{"start", in.start, true},
		{"journal-to-console", in.journalToConsole, false},
		{"reload", in.reload, false},
		{"credential-by-systemctl-edit", in.credential, false},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.f) && s.gate {
			t.Fatalf("%s failed: the steps after it need it", s.name)
		}
	}
	t.Logf("all of it: %s", time.Since(began).Round(time.Millisecond))
}

type installed struct {
	c   *nspawn.Container
	deb string // the .deb's path in the container
}

// dpkgInstall: dpkg -i installs, runs no script that starts or enables
// the service, and keeps the config as a conffile.
func (in *installed) dpkgInstall(t *testing.T) {
	out, err := in.c.Exec("dpkg", "-i", in.deb)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dpkg -i:\n%s", out)
	st, err := in.c.Exec("dpkg-query", "-W", "-f", "${Status} ${Version}\n", "roomwatch")
	if err != nil || st != "install ok installed "+version+"-1\n" {
		t.Errorf("dpkg-query: %q, %v", st, err)
	}
	conf, err := in.c.Exec("dpkg-query", "-W", "-f", "${Conffiles}\n", "roomwatch")
	if err != nil || !strings.Contains(conf, " /etc/roomwatch/roomwatch.yaml ") {
		t.Errorf("conffiles: %q, %v", conf, err)
	}
	// No maintainer scripts: systemd learns of the unit at daemon-reload.
	if p, err := in.c.Exec("sh", "-c", "ls /var/lib/dpkg/info/roomwatch.* | grep -v '\\.\\(list\\|md5sums\\|conffiles\\)$' || true"); err != nil || p != "" {
		t.Errorf("maintainer scripts: %q, %v", p, err)
	}
	if state, _ := in.c.Property(unit, "ActiveState"); state != "inactive" {
		t.Errorf("after dpkg -i the unit is %s, want inactive", state)
	}
}

// version: the packaged binary says the packaged version.
func (in *installed) version(t *testing.T) {
	out, err := in.c.Exec("roomwatch", "version")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^roomwatch ` + regexp.QuoteMeta(version) + ` \(commit [0-9a-f]{12}`).MatchString(out) {
		t.Errorf("roomwatch version: %q", out)
	}
	if path, _ := in.c.Exec("sh", "-c", "command -v roomwatch"); path != "/usr/bin/roomwatch\n" {
		t.Errorf("roomwatch is %q, want /usr/bin/roomwatch", path)
	}
	t.Logf("%s", strings.TrimSpace(out))
}

// check: the config as shipped passes roomwatch check.
func (in *installed) check(t *testing.T) {
	out, err := in.c.Exec("roomwatch", "check", "-c", "/etc/roomwatch/roomwatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "/etc/roomwatch/roomwatch.yaml: ok: ") || strings.Contains(out, "warning") {
		t.Errorf("roomwatch check:\n%s", out)
	}
	t.Logf("%s", strings.TrimSpace(out))
}

// man: man finds the page by name, and man -l renders the file.
func (in *installed) man(t *testing.T) {
	where, err := in.c.Exec("man", "-w", "roomwatch")
	if err != nil || where != "/usr/share/man/man1/roomwatch.1.gz\n" {
		t.Errorf("man -w roomwatch: %q, %v", where, err)
	}
	for _, args := range [][]string{{"man", "roomwatch"}, {"man", "-l", "/usr/share/man/man1/roomwatch.1.gz"}} {
		out, err := in.c.Exec(append([]string{"env", "MANWIDTH=80"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"NAME", "roomwatch - ", "SYNOPSIS", "roomwatch check", "/etc/roomwatch/roomwatch.yaml"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", strings.Join(args, " "), want, out)
			}
		}
	}
}

// completion: the packaged bash completion, sourced as bash-completion
// does on demand, registers itself and completes the commands.
func (in *installed) completion(t *testing.T) {
	out, err := in.c.Exec("bash", "-c", `. /usr/share/bash-completion/completions/roomwatch
complete -p roomwatch
COMP_WORDS=(roomwatch ch); COMP_CWORD=1
_roomwatch
printf '%s\n' "${COMPREPLY[@]}"`)
	if err != nil {
		t.Fatal(err)
	}
	if out != "complete -o filenames -F _roomwatch roomwatch\ncheck\n" {
		t.Errorf("bash: %q, want the completion registered and \"roomwatch ch\" completed to check", out)
	}
}

var statusRE = regexp.MustCompile(`\n\s+Status: "lines read \d+, matched \d+, digests sent \d+, failed 0, outbox 0"\n`)

// start: systemctl start returns once roomwatch said READY=1, the unit as
// installed (no credential file anywhere) runs, and systemctl status shows
// roomwatch's STATUS= line.
func (in *installed) start(t *testing.T) {
	if _, err := in.c.Systemctl("daemon-reload"); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	if _, err := in.c.Systemctl("start", unit); err != nil {
		status, _ := in.c.Systemctl("status", "--lines=20", unit)
		t.Fatalf("%v\n%s", err, status)
	}
	took := time.Since(begin)
	p, err := in.c.Show(unit, "ActiveState", "SubState", "Type", "FragmentPath", "ExecMainStatus")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ActiveState": "active", "SubState": "running", "Type": "notify",
		"FragmentPath": "/lib/systemd/system/" + unit}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s=%s, want %s", k, p[k], v)
		}
	}
	var status string
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _ = in.c.Systemctl("status", "--lines=8", unit) // exits 0: active
		if statusRE.MatchString(status) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !statusRE.MatchString(status) {
		t.Errorf("systemctl status shows no Status: line matching %s:\n%s", statusRE, status)
	}
	j, _ := in.c.Journal(unit)
	if !regexp.MustCompile(`msg=ready\n(?:.*\n)*?.*Started roomwatch\.service|Started roomwatch\.service(?:.*\n)*?.*msg=ready`).MatchString(j) {
		t.Errorf("journal: no ready and Started:\n%s", j)
	}
	t.Logf("systemctl start took %s\n$ systemctl status roomwatch\n%s", took.Round(time.Millisecond), status)
}

// journalToConsole: an sshd journal entry that a rule pack matches comes
// out, as a digest, on the console destination, which is the service's
// own log.
func (in *installed) journalToConsole(t *testing.T) {
	cur, err := in.c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	const ip = "203.0.113.5"
	if _, err := in.c.Exec("logger", "-t", "sshd", "--id=4242", "Failed password for root from "+ip+" port 22 ssh2"); err != nil {
		t.Fatal(err)
	}
	// The packaged debounce waits 10s for more lines before it tells.
	j, err := in.c.WaitJournal(unit, cur, regexp.MustCompile(`roomwatch\[\d+\]: .*`+regexp.QuoteMeta(ip)), 40*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// roomwatch refreshes its status every WatchdogSec/2 (15s).
	counted := regexp.MustCompile(`Status: "lines read [1-9]\d*, matched [1-9]\d*, digests sent [1-9]\d*, failed 0, outbox 0"`)
	var status string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		status, _ = in.c.Systemctl("status", "--lines=0", unit)
		if counted.MatchString(status) || time.Now().After(deadline) {
			break
		}
	}
	if !counted.MatchString(status) {
		t.Errorf("the digest is not counted in the status:\n%s", status)
	}
	t.Logf("journalctl -u roomwatch:\n%s\n$ systemctl status roomwatch\n%s", j, status)
}

// reload: systemctl reload succeeds with the packaged config, and fails,
// saying where, with a broken one, which never reaches the daemon.
func (in *installed) reload(t *testing.T) {
	const conf = "/etc/roomwatch/roomwatch.yaml"
	pid, _ := in.c.MainPID(unit)
	if out, err := in.c.Systemctl("reload", unit); err != nil {
		t.Fatalf("reload of the packaged config: %v\n%s", err, out)
	}
	good, err := in.c.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), "\nrules: []\n", "\nrules:\n  - name: broken\n    match: 'disk (full'\n", 1)
	if bad == string(good) {
		t.Fatalf("no 'rules: []' in the packaged config to break:\n%s", good)
	}
	cur, _ := in.c.Cursor()
	if err := in.c.WriteFile(conf, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := in.c.Systemctl("reload", unit)
	if err == nil {
		t.Errorf("systemctl reload of a broken config succeeded: %s", out)
	}
	j, _ := in.c.Journal(unit, "--after-cursor="+cur)
	if !regexp.MustCompile(`roomwatch\.yaml:\d+:\d+: rule "broken": match: `).MatchString(j) {
		t.Errorf("the journal does not say where the config is broken:\n%s", j)
	}
	if err := in.c.WriteFile(conf, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := in.c.Systemctl("reload", unit); err != nil {
		t.Errorf("reload after the repair: %v\n%s", err, out)
	}
	if now, _ := in.c.MainPID(unit); now != pid || pid == 0 {
		t.Errorf("main pid %d after the reloads, was %d", now, pid)
	}
	t.Logf("systemctl reload of the broken config: %s\njournal:\n%s", strings.TrimSpace(out), j)
}

// credential: a secret added as the unit's header says (a root-only file,
// LoadCredential= with systemctl edit) reaches the service.
func (in *installed) credential(t *testing.T) {
	if err := in.c.WriteFile("/etc/roomwatch/slack.url", []byte("https://hooks.slack.com/services/T0/B0/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := in.c.DropIn(unit, "override", "[Service]\nLoadCredential=slack.url:/etc/roomwatch/slack.url\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := in.c.Systemctl("restart", unit); err != nil {
		t.Fatal(err)
	}
	if err := in.c.WaitActive(unit, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	out, err := in.c.Exec("ls", "/run/credentials/"+unit)
	if err != nil || out != "slack.url\n" {
		t.Errorf("the service's credentials: %q, %v", out, err)
	}
}
