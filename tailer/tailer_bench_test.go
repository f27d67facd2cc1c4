package tailer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkTailFromBeginning reads a large file from its beginning.
func BenchmarkTailFromBeginning(b *testing.B) {
	sample, err := os.ReadFile("../testdata/loghub/Apache_2k.log")
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "big.log")
	big := bytes.Repeat(sample, (32<<20)/len(sample))
	if err := os.WriteFile(p, big, 0o644); err != nil {
		b.Fatal(err)
	}
	n := bytes.Count(big, []byte("\n"))
	b.SetBytes(int64(len(big)))
	start := time.Now()
	for b.Loop() {
		tl, err := New(TailerOptions{Inputs: []Input{{Path: p, Start: StartAtBeginning}}})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(b.Context())
		out := make(chan []Line, 16)
		done := make(chan error)
		go func() { done <- tl.Run(ctx, out) }()
		for got := 0; got < n; {
			b := <-out
			for _, l := range b {
				l.Cursor.Handled(l.End)
			}
			got += len(b)
			Recycle(b)
		}
		cancel()
		<-done
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "lines/s")
}

// BenchmarkManyFilesHeap follows 1,000 idle files of one glob and reports
// the heap they take.
func BenchmarkManyFilesHeap(b *testing.B) {
	dir := b.TempDir()
	for i := range 1000 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d.log", i)), []byte("a line\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var perFile float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		tl, err := New(TailerOptions{Inputs: []Input{{Path: filepath.Join(dir, "*.log")}}})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(b.Context())
		done := make(chan error)
		go func() { done <- tl.Run(ctx, make(chan []Line)) }()
		<-tl.Ready()
		time.Sleep(100 * time.Millisecond) // let the followers reach their first wait
		runtime.GC()
		runtime.ReadMemStats(&after)
		perFile = float64(after.HeapAlloc-before.HeapAlloc) / 1000
		cancel()
		<-done
	}
	b.ReportMetric(perFile, "heap-B/file")
}
