package batch

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/roomwatch/roomwatch/rules"
)

// loghub reads the lines of a sample log.
func loghub(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open("../testdata/loghub/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestStormIsOneDigest(t *testing.T) {
	hdfs := loghub(t, "HDFS_2k.log")
	tests := []struct {
		name   string
		offset time.Duration // when the storm starts, after the key opened
		want   []int         // counts of the digests
	}{
		{"within wait", 0, []int{20000}},
		{"across the first tick", 9500 * time.Millisecond, []int{1 + 500*20000/1000, 20000 - 500*20000/1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder(t)
				b := newBatcher(rec, nil)
				r := testRule("hdfs", func(r *rules.Rule) { r.MaxLines = 8 })
				b.Add(match(r, hdfs[0]))
				time.Sleep(tt.offset)
				// 20,000 lines in one second: one every 50µs.
				for i := range 20000 {
					if tt.offset == 0 && i == 0 {
						continue // the opening line above is the first
					}
					b.Add(match(r, hdfs[i%len(hdfs)]))
					time.Sleep(50 * time.Microsecond)
				}
				time.Sleep(time.Hour)
				synctest.Wait()
				var counts []int
				total := 0
				for _, d := range rec.got() {
					counts = append(counts, d.Count)
					total += d.Count
					checkSum(t, d, 8)
					if d.More == 0 {
						t.Errorf("digest of %d lines has More 0: HDFS has more than 8 shapes", d.Count)
					}
				}
				if tt.offset > 0 {
					total-- // the opening line
				}
				if total != 20000 {
					t.Errorf("digests count %d storm lines, want 20000", total)
				}
				if diff := cmp.Diff(tt.want, counts); diff != "" {
					t.Errorf("digest counts (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// Similar lines collapse into one shown line with a count; the parts that
// varied show their first values and how many lines had others.
func TestSimilarLinesCollapse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := testRule("ssh", func(r *rules.Rule) { r.MaxLines = 2 })
		for i := range 312 {
			b.Add(match(r, fmt.Sprintf("Failed password for root from 10.0.%d.%d port %d ssh2", i/256, i%256, 40000+i)))
		}
		for i := range 5 {
			b.Add(match(r, fmt.Sprintf("Accepted publickey for user%d", i)))
		}
		for i := range 7 {
			b.Add(match(r, fmt.Sprintf("session opened by %q", fmt.Sprint("u", i))))
		}
		time.Sleep(r.Wait)
		synctest.Wait()
		got := rec.got()
		if len(got) != 1 {
			t.Fatalf("%d digests, want 1", len(got))
		}
		d := got[0]
		want := []rules.DigestLine{
			{Text: "Failed password for root from {10.0.0.0, 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, +307 others} " +
				"port {40000, 40001, 40002, 40003, 40004, +307 others} ssh2", Count: 312},
			{Text: "Accepted publickey for user{0, 1, 2, 3, 4}", Count: 5},
		}
		if diff := cmp.Diff(want, DigestLines(d), cmpopts.IgnoreFields(rules.DigestLine{}, "Values")); diff != "" {
			t.Errorf("lines (-want +got):\n%s", diff)
		}
		if d.Count != 324 || d.More != 7 {
			t.Errorf("Count, More = %d, %d; want 324, 7", d.Count, d.More)
		}
		wantMsg := "324 × ssh on web-01\n(×312) " + want[0].Text + "\n(×5) " + want[1].Text + "\n+7 more"
		if d.Message != wantMsg {
			t.Errorf("Message = %q, want %q", d.Message, wantMsg)
		}
	})
}

func TestSampleIsCut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := testRule("r", nil)
		long := strings.Repeat("é", 4000)
		b.Add(match(r, long))
		time.Sleep(r.Wait)
		synctest.Wait()
		l := rec.got()[0].Lines[0]
		if len(l.Text) > maxSample || !strings.HasSuffix(l.Text, "…") {
			t.Errorf("sample of %d bytes ending %q, want at most %d ending …", len(l.Text), l.Text[len(l.Text)-4:], maxSample)
		}
	})
}

// TestStormFiresThroughFewDrainers: thousands of keys opened together
// fire together; their digests are rendered and sent by at most
// maxDrainers goroutines at a time, and every one is sent.
func TestStormFiresThroughFewDrainers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		inFlight, most, sent := 0, 0, 0
		b := New(Options{Send: func(d *Digest) {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(time.Millisecond) // a slow outbox
			mu.Lock()
			inFlight--
			sent++
			mu.Unlock()
			d.Release()
		}})
		r := testRule("ssh", func(r *rules.Rule) { r.GroupBy = []string{"ip"} })
		const keys = 900
		for i := range keys {
			ip := fmt.Sprintf("10.1.%d.%d", i/256, i%256)
			b.Add(match(r, "fail from "+ip, ip))
		}
		time.Sleep(r.Wait + time.Second)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if sent != keys {
			t.Errorf("%d digests sent, want %d", sent, keys)
		}
		if most > maxDrainers {
			t.Errorf("%d sends at once, want at most %d", most, maxDrainers)
		}
		b.Flush()
	})
}
