package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/internal/realtest"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// TestExampleOverJournal reads real journal entries of sshd, sudo and the
// kernel through configs/example.yaml's journal inputs, pointed at a
// folder of journal files, and checks that its rules (written for
// /var/log/auth.log lines) match the syslog lines the input makes.
func TestExampleOverJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("reads real journal files")
	}
	j := realtest.NewJournal(t)
	j.Write(
		realtest.JournalEntry{Unit: "ssh.service", Ident: "sshd", PID: "100", Msg: "Failed password for root from 203.0.113.5 port 22 ssh2"},
		realtest.JournalEntry{Unit: "ssh.service", Ident: "sshd-session", PID: "101", Msg: "Invalid user admin from 203.0.113.9 port 4242"},
		realtest.JournalEntry{Unit: "session-3.scope", Ident: "sudo", PID: "102", Priority: "2", Msg: "   alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls"},
		realtest.JournalEntry{Ident: "kernel", Priority: "3", Msg: "Out of memory: Killed process 4242 (java) total-vm:1024kB"},
		realtest.JournalEntry{Unit: "cron.service", Ident: "CRON", PID: "103", Msg: "Failed password for root from 203.0.113.5 (not sshd: not read)"},
	)
	cfg, err := rules.Load("../../configs/example.yaml", rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ins []tailer.Input
	for _, in := range cfg.Inputs {
		tj := rules.TailerJournal(in.Journal)
		tj.Directory = j.Dir
		ins = append(ins, tailer.Input{Journal: tj, Start: tailer.StartAtBeginning})
	}
	tl, err := tailer.New(tailer.TailerOptions{Inputs: ins})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	out := make(chan []tailer.Line, 10)
	done := make(chan error, 1)
	go func() { done <- tl.Run(ctx, out) }()
	got := map[string]string{}
	for timeout := time.After(10 * time.Second); len(got) < 4; {
		select {
		case b := <-out:
			for _, l := range b {
				for _, m := range cfg.Set.Match(l, nil) {
					got[m.Rule.Name] = m.Text
				}
			}
		case <-timeout:
			t.Fatalf("timed out with %q", got)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ssh-root-password": "root password guessed from 203.0.113.5",
		"ssh-invalid-user":  "unknown user admin tried web1 from 203.0.113.9",
		"sudo-auth-failure": "sudo refused for alice on web1: " + time.Unix(realtest.JournalBase.Unix()+3, 0).Format(time.Stamp) + " web1 sudo[102]:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls",
		"kernel-oom":        "OOM killer took java on web1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("matches mismatch (-want +got):\n%s", diff)
	}
}
