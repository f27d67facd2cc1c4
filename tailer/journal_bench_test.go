package tailer

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

// BenchmarkJournalInput reads a journal from its beginning through a
// journal input (journalctl and roomwatch's part: JSON decoding, the
// syslog line, batching) and reports entries per second, and the CPU time
// per entry of roomwatch's part and of journalctl's apart.
//
// bench/journal.sh runs it on a journal of 200,000 entries
// (ROOMWATCH_BENCH_JOURNAL=DIR ROOMWATCH_BENCH_ENTRIES=N); without them it
// writes a small journal of its own.
func BenchmarkJournalInput(b *testing.B) {
	dir, n := os.Getenv("ROOMWATCH_BENCH_JOURNAL"), 0
	if dir != "" {
		var err error
		if n, err = strconv.Atoi(os.Getenv("ROOMWATCH_BENCH_ENTRIES")); err != nil {
			b.Fatal("ROOMWATCH_BENCH_ENTRIES: want the number of entries in ROOMWATCH_BENCH_JOURNAL")
		}
	} else {
		j := realtest.NewJournal(b)
		n = 5000
		es := make([]realtest.JournalEntry, n)
		for i := range es {
			es[i] = realtest.JournalEntry{Unit: "ssh.service", Ident: "sshd", PID: "100", Msg: fmt.Sprintf("Failed password for root from 203.0.113.%d port 22 ssh2", i%250)}
		}
		j.Write(es...)
		dir = j.Dir
	}
	var self, child time.Duration
	start := time.Now()
	for b.Loop() {
		s0, c0 := cpu(syscall.RUSAGE_SELF), cpu(syscall.RUSAGE_CHILDREN)
		readJournal(b, dir, n)
		self += cpu(syscall.RUSAGE_SELF) - s0
		child += cpu(syscall.RUSAGE_CHILDREN) - c0
	}
	total := float64(n * b.N)
	b.ReportMetric(total/time.Since(start).Seconds(), "entries/s")
	b.ReportMetric(float64(self.Microseconds())/total, "roomwatch-cpu-µs/entry")
	b.ReportMetric(float64(child.Microseconds())/total, "journalctl-cpu-µs/entry")
}

// readJournal reads n entries of dir through a journal input, from the
// beginning, and stops it.
func readJournal(b *testing.B, dir string, n int) {
	tl, err := New(TailerOptions{Inputs: []Input{{Journal: &Journal{Directory: dir}, Start: StartAtBeginning}}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(b.Context())
	out := make(chan []Line, 16)
	done := make(chan error, 1)
	go func() { done <- tl.Run(ctx, out) }()
	for got := 0; got < n; {
		select {
		case batch := <-out:
			got += len(batch)
			for _, l := range batch {
				l.Cursor.Handled(l.End)
			}
			Recycle(batch)
		case <-time.After(time.Minute):
			b.Fatalf("read %d of %d entries", got, n)
		}
	}
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// cpu returns the user and system CPU time of who.
func cpu(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
