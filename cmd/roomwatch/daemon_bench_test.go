package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/idlines"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// The daemon benchmarks run `roomwatch run` as a process, like the
// integration tests, and report its peak memory (VmHWM) and timings. Each
// iteration is a whole run: use -benchtime=1x. For the figures of the
// README:
//
//	go test ./cmd/roomwatch -run '^$' -bench BenchmarkRun -benchtime 1x -backlog-mb 1024
var (
	backlogMB    = flag.Int("backlog-mb", 64, "size in MiB of the file BenchmarkRunBacklog reads")
	globFiles    = flag.Int("glob-files", 1000, "number of files BenchmarkRunGlob follows")
	latencyLines = flag.Int("latency-lines", 200, "number of lines BenchmarkRunLatency times")
)

// BenchmarkRunBacklog reads a file of -backlog-mb MiB from its beginning:
// one line in 1,000 matches. Memory must not grow with the file: the
// reader waits for the rules, the rules for the batcher, the batcher for
// delivery.
func BenchmarkRunBacklog(b *testing.B) {
	for range b.N {
		d := newDaemonEnv(b, globInput, idlines.Rule)
		d.deadline = 30 * time.Minute
		ids, size := writeBacklog(b, d.path("big.log"), int64(*backlogMB)<<20)
		t0 := time.Now()
		p := d.start(nil)
		d.waitIDs(0, ids)
		took := time.Since(t0)
		hwm := vmHWM(b, p.cmd.Process.Pid)
		if code := p.stop(syscall.SIGTERM); code != 0 {
			b.Fatalf("exit status %d after SIGTERM", code)
		}
		d.checkExactlyOnce(0, ids)
		b.ReportMetric(float64(size)/(1<<20)/took.Seconds(), "MiB/s")
		b.ReportMetric(float64(hwm)/(1<<20), "maxRSS-MiB")
		b.ReportMetric(float64(size)/(1<<20), "file-MiB")
	}
}

// writeBacklog writes about size bytes of log lines to path, one in 1,000
// a matched line with an id, the last line matched too, and returns the
// number of ids and the size written.
func writeBacklog(b *testing.B, path string, size int64) (int, int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var n int64
	ids := 0
	for i := 0; n < size; i++ {
		var k int
		if i%1000 == 999 {
			k, _ = fmt.Fprintf(w, "line %s\n", idlines.ID(ids))
			ids++
		} else {
			k, _ = fmt.Fprintf(w, "2024-05-01T12:00:00Z web-01 nginx[%d]: 10.0.%d.%d GET /api/v1/items/%d 200 %d bytes\n", i%30000, i%256, i%199, i, i%4096)
		}
		n += int64(k)
	}
	fmt.Fprintf(w, "line %s\n", idlines.ID(ids))
	ids++
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return ids, fi.Size()
}

// BenchmarkRunGlob follows -glob-files files in one glob: each holds one
// matched line at start, and gets one more appended once they are all
// followed.
func BenchmarkRunGlob(b *testing.B) {
	n := *globFiles
	for range b.N {
		d := newDaemonEnv(b, globInput, idlines.Rule)
		for i := range n {
			idlines.WriteFile(b, d.path(fmt.Sprintf("app-%04d.log", i)), i, i+1)
		}
		t0 := time.Now()
		p := d.start(nil)
		d.waitIDs(0, n)
		first := time.Since(t0)
		t1 := time.Now()
		for i := range n {
			idlines.WriteFile(b, d.path(fmt.Sprintf("app-%04d.log", i)), n+i, n+i+1)
		}
		d.waitIDs(n, 2*n)
		appended := time.Since(t1)
		hwm := vmHWM(b, p.cmd.Process.Pid)
		if code := p.stop(syscall.SIGTERM); code != 0 {
			b.Fatalf("exit status %d after SIGTERM", code)
		}
		d.checkExactlyOnce(0, 2*n)
		b.ReportMetric(float64(hwm)/(1<<20), "maxRSS-MiB")
		b.ReportMetric(first.Seconds(), "s-first-lines")
		b.ReportMetric(appended.Seconds(), "s-appended-lines")
	}
}

// BenchmarkRunLatency times -latency-lines lines, one every 20ms, from the
// write to the HTTP request arriving at the fake server, with wait 0s.
// Each line opens a key of its own (the rule groups by the last letters
// of the id), so none waits for a debounce interval.
func BenchmarkRunLatency(b *testing.B) {
	n := *latencyLines
	for range b.N {
		arrivals := &arrivalLog{at: map[string]time.Time{}}
		d := newDaemonEnvWith(b, hipchattest.Options{Hook: arrivals.hook}, globInput, idlines.Rule)
		path := d.path("app.log")
		idlines.WriteFile(b, path, 0, 1)
		p := d.start(nil)
		d.waitIDs(0, 1)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			b.Fatal(err)
		}
		written := make([]time.Time, n+1)
		for i := 1; i <= n; i++ {
			line := []byte("line " + idlines.ID(i) + "\n")
			written[i] = time.Now()
			if _, err := f.Write(line); err != nil {
				b.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		f.Close()
		d.waitIDs(0, n+1)
		if code := p.stop(syscall.SIGTERM); code != 0 {
			b.Fatalf("exit status %d after SIGTERM", code)
		}
		lat := make([]time.Duration, 0, n)
		for i := 1; i <= n; i++ {
			lat = append(lat, arrivals.get(idlines.ID(i)).Sub(written[i]))
		}
		slices.Sort(lat)
		for _, q := range []int{50, 90, 99} {
			b.ReportMetric(float64(lat[(len(lat)-1)*q/100].Microseconds())/1000, fmt.Sprintf("p%d-ms", q))
		}
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	}
}

// arrivalLog records when the fake server first saw each id.
type arrivalLog struct {
	mu sync.Mutex
	at map[string]time.Time
}

// hook is a hipchattest.Options.Hook: it notes the arrival and lets the
// server go on with the request.
func (a *arrivalLog) hook(_ http.ResponseWriter, r *http.Request) bool {
	now := time.Now()
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var msg struct{ Message string }
	if json.Unmarshal(body, &msg) != nil {
		return false
	}
	ids, err := idlines.Count([]string{msg.Message})
	if err != nil {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for id := range ids {
		if _, ok := a.at[id]; !ok {
			a.at[id] = now
		}
	}
	return false
}

func (a *arrivalLog) get(id string) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.at[id]
}

// vmHWM returns the peak resident memory of process pid, in bytes.
func vmHWM(b *testing.B, pid int) int64 {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc to read the memory from: %v", err)
	}
	for line := range strings.Lines(string(s)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/pid/status")
	return 0
}

// globInput follows every .log file of the log directory from its start.
const globInput = `  - path: $DIR/*.log
    start: beginning`
