// Command journalgen writes N journal entries in journal export format to
// standard output, for systemd-journal-remote to turn into a journal file:
// the messages of testdata/loghub/OpenSSH_2k.log in turn, with the fields
// a real journal has for sshd (unit, identifier, pid, uid, command line,
// cgroup, ...), and every fifth entry from cron or the kernel instead.
//
//	go run ./bench/journalgen -n 200000 > entries.export
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	n := flag.Int("n", 200000, "entries")
	sample := flag.String("sample", "testdata/loghub/OpenSSH_2k.log", "log whose messages are used")
	flag.Parse()
	msgs, err := messages(*sample)
	if err != nil {
		fmt.Fprintln(os.Stderr, "journalgen:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	const start = 1764528372000000 // 2025-11-30 18:46:12 UTC, in µs
	for i := range *n {
		us := start + int64(i)*1000
		f := [][2]string{
			{"__REALTIME_TIMESTAMP", fmt.Sprint(us)},
			{"__MONOTONIC_TIMESTAMP", fmt.Sprint(1000000 + int64(i)*1000)},
			{"_BOOT_ID", "8d9d273d4e5e439492e0b6da956f3b89"},
			{"_MACHINE_ID", "3d1219c7c4c5404aaa1f6d2a48adfda4"},
			{"_HOSTNAME", "web1"},
			{"_TRANSPORT", "syslog"},
			{"SYSLOG_FACILITY", "4"},
			{"_UID", "0"},
			{"_GID", "0"},
			{"_CAP_EFFECTIVE", "1ffffffffff"},
			{"_SOURCE_REALTIME_TIMESTAMP", fmt.Sprint(us - 7)},
		}
		switch {
		case i%5 == 3:
			f = append(f, [2]string{"_SYSTEMD_UNIT", "cron.service"}, [2]string{"SYSLOG_IDENTIFIER", "CRON"},
				[2]string{"_PID", fmt.Sprint(20000 + i%5000)}, [2]string{"_COMM", "cron"}, [2]string{"_EXE", "/usr/sbin/cron"},
				[2]string{"_CMDLINE", "/usr/sbin/CRON -f"}, [2]string{"_SYSTEMD_CGROUP", "/system.slice/cron.service"},
				[2]string{"PRIORITY", "6"}, [2]string{"MESSAGE", "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"})
		case i%5 == 4:
			f = append(f, [2]string{"SYSLOG_IDENTIFIER", "kernel"}, [2]string{"PRIORITY", "4"},
				[2]string{"MESSAGE", fmt.Sprintf("[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.%d DST=198.51.100.1 PROTO=TCP SPT=%d DPT=22", i%250, 30000+i%30000)})
		default:
			f = append(f, [2]string{"_SYSTEMD_UNIT", "ssh.service"}, [2]string{"SYSLOG_IDENTIFIER", "sshd"},
				[2]string{"_PID", fmt.Sprint(24000 + i%5000)}, [2]string{"_COMM", "sshd"}, [2]string{"_EXE", "/usr/sbin/sshd"},
				[2]string{"_CMDLINE", "sshd: root [priv]"}, [2]string{"_SYSTEMD_CGROUP", "/system.slice/ssh.service"},
				[2]string{"_SYSTEMD_SLICE", "system.slice"}, [2]string{"PRIORITY", "6"}, [2]string{"MESSAGE", msgs[i%len(msgs)]})
		}
		for _, kv := range f {
			fmt.Fprintf(w, "%s=%s\n", kv[0], kv[1])
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "journalgen:", err)
		os.Exit(1)
	}
}

// messages returns the MESSAGE part of each syslog line of the sample:
// what follows "ident[pid]: ".
func messages(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if _, m, ok := strings.Cut(l, "]: "); ok && m != "" && !strings.ContainsAny(m, "\r\n") {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no syslog lines", path)
	}
	return out, nil
}
