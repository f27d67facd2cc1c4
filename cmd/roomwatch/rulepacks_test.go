package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
)

// packConfig writes a config that includes one rule pack of
// configs/rules.d, with a console destination, and loads it.
func packConfig(t *testing.T, pack string) *rules.Loaded {
	t.Helper()
	abs, err := filepath.Abs("../../configs/rules.d/" + pack + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := "destinations:\n  con: {type: console}\ndefaults: {destination: con, room: ops}\ninclude: [" + abs + "]\n"
	path := filepath.Join(t.TempDir(), "roomwatch.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := rules.Load(path, rules.Options{})
	if err != nil {
		t.Fatalf("rule pack %s does not load:\n%v", pack, err)
	}
	return c
}

// stable replaces what changes from run to run in a digest: the host and
// the time span.
var stable = regexp.MustCompile(` on \S+ \(\d\d:\d\d:\d\d(?:–\d\d:\d\d:\d\d)?\)`)

// TestRulePacks runs each rule pack over real sample lines (rsyslog's
// classic and RFC 3339 formats, and the journal's syslog format, with
// OpenSSH 9.8+'s sshd-session): what must alert does, with the digest
// text an operator reads; what must not (an accepted login, the PAM line
// of a failure already reported, a threshold not reached) sends nothing.
func TestRulePacks(t *testing.T) {
	tests := []struct {
		pack    string
		matches map[string]int64 // on the alert sample
		want    []string         // the messages, by rule then text
	}{{
		pack: "sshd",
		matches: map[string]int64{"sshd-failed-password": 6, "sshd-invalid-user": 1, "sshd-preauth-disconnect": 5,
			"sshd-too-many-failures": 1},
		want: []string{
			"6 failed ssh logins on HOST\nfailed password for root from {1.1.1.1, 203.0.113.5 ×5} (×6)",
			"invalid user admin from 198.51.100.23",
			"5 × sshd-preauth-disconnect ip=192.0.2.44 on HOST\n" +
				"disconnected before authentication: authenticating user root from 192.0.2.44 (×4)\n" +
				"disconnected before authentication: invalid user oracle from 192.0.2.44",
			"too many authentication failures for root from 192.0.2.9",
		},
	}, {
		pack:    "sudo",
		matches: map[string]int64{"sudo-auth-failure": 2, "sudo-refused": 2},
		want: []string{
			"2 × sudo-auth-failure on HOST\n" +
				"sudo: alice: 3 incorrect password attempts (as root: /usr/bin/apt upgrade)\n" +
				"sudo: dave: 1 incorrect password attempt (as postgres: /usr/bin/psql)",
			"2 × sudo-refused on HOST\n" +
				"sudo refused: bob: user NOT in sudoers (as root: /usr/bin/id)\n" +
				"sudo refused: carol: command not allowed (as root: /bin/sh)",
		},
	}, {
		pack:    "kernel",
		matches: map[string]int64{"kernel-oom-kill": 2, "kernel-io-error": 3, "kernel-fs-error": 3, "kernel-segfault": 2},
		want: []string{
			"3 × kernel-fs-error on HOST\n" +
				"EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0\n" +
				"EXT4-fs (sda1): Remounting filesystem read-only\n" +
				"XFS (dm-0): Corruption detected. Unmount and run xfs_repair",
			"3 × kernel-io-error on HOST\nI/O error on sda\nI/O error on sdb\nI/O error on sdb1",
			"2 × kernel-oom-kill on HOST\n" +
				"OOM killer (Out of memory) killed java (pid 4321)\n" +
				"OOM killer (Memory cgroup out of memory) killed node (pid 999)",
			"2 × kernel-segfault on HOST\nmyapp: segfault (pid 5555)\nworker: general protection fault (pid 5556)",
		},
	}, {
		pack:    "systemd",
		matches: map[string]int64{"systemd-unit-failed": 4},
		want: []string{
			"2 × systemd-unit-failed failed_unit=nginx.service on HOST\nnginx.service failed (exit-code) (×2)",
			"backup.service failed (timeout)",
			"sync.timer failed (resources)",
		},
	}, {
		pack:    "nginx",
		matches: map[string]int64{"nginx-5xx": 11, "nginx-upstream-error": 3},
		want: []string{
			"11 × nginx-5xx on HOST\n{500 ×2, 503 ×2, 504 ×2, 502 ×5} GET /login (×11)",
			"3 × nginx-upstream-error on HOST\n" +
				"connect() failed (111: Connection refused): GET /login HTTP/1.1 via http://127.0.0.1:8080/login\n" +
				"upstream timed out (110: Connection timed out): POST /api/orders HTTP/2.0 via http://10.0.0.12:9000/api/orders\n" +
				"no live upstreams: GET / HTTP/1.1 via http://backend/",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.pack, func(t *testing.T) {
			cfg := packConfig(t, tt.pack)
			rep, err := pipeline.Test(cfg, []string{"../../testdata/rulepacks/" + tt.pack + ".alert.log"}, nil, pipeline.TestOptions{Unmatched: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, r := range rep.Rules {
				got[r.Name] = r.Matches
			}
			if diff := cmp.Diff(tt.matches, got); diff != "" {
				t.Errorf("matches per rule (-want +got):\n%s", diff)
			}
			var msgs []string
			for _, m := range rep.Messages {
				msgs = append(msgs, stable.ReplaceAllString(m.Text, " on HOST"))
			}
			if diff := cmp.Diff(tt.want, msgs); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}

			quiet, err := pipeline.Test(cfg, []string{"../../testdata/rulepacks/" + tt.pack + ".quiet.log"}, nil, pipeline.TestOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range quiet.Messages {
				t.Errorf("a line that must not alert sent %q", m.Text)
			}
		})
	}
}

// Every sample line of a pack that must alert is matched by some rule;
// none is left for `test --unmatched` to show.
func TestRulePackSamplesAllMatch(t *testing.T) {
	for _, pack := range []string{"sshd", "sudo", "kernel", "systemd"} {
		cfg := packConfig(t, pack)
		rep, err := pipeline.Test(cfg, []string{"../../testdata/rulepacks/" + pack + ".alert.log"}, nil, pipeline.TestOptions{Unmatched: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range rep.Unmatched {
			if !strings.Contains(l, "Main process exited") && !strings.Contains(l, "Failed to start") && !strings.Contains(l, "Failed password for invalid user") {
				t.Errorf("%s: sample line matched by no rule: %s", pack, l)
			}
		}
	}
}
