package batch

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

func sshRule() *rules.Rule {
	return testRule("ssh", func(r *rules.Rule) {
		r.GroupBy = []string{"ip"}
		r.Threshold = config.Threshold{Count: 5, Within: config.Duration(2 * time.Minute)}
	})
}

func TestThresholdPerGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := sshRule()
		c := tailer.NewCursor(0)
		off := int64(0)
		add := func(ip string) {
			text := "Failed password for root from " + ip
			b.Add(matchAt(r, text, c, off, ip))
			off += int64(len(text)) + 1
			c.Handled(off)
			time.Sleep(time.Second)
		}
		for range 4 {
			add("10.0.0.4")
		}
		for range 6 {
			add("10.0.0.6")
		}
		time.Sleep(r.Wait)
		synctest.Wait()
		got := rec.got()
		if len(got) != 1 {
			t.Fatalf("%d digests, want 1 (for 10.0.0.6)", len(got))
		}
		d := got[0]
		if d.Count != 6 || d.Group["ip"] != "10.0.0.6" {
			t.Errorf("digest Count %d for %v, want 6 for 10.0.0.6", d.Count, d.Group)
		}
		if diff := cmp.Diff([]Line{{Text: "Failed password for root from 10.0.0.6", Count: 6}}, d.Lines); diff != "" {
			t.Errorf("lines (-want +got):\n%s", diff)
		}
		// The 4 of 10.0.0.4 still hold the position at the first of them.
		if got := c.Safe(); got != 0 {
			t.Errorf("Safe() = %d while the held lines are in the window, want 0", got)
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		d.Release()
		if got := c.Safe(); got != off {
			t.Errorf("Safe() = %d after the window passed and the digest was released, want %d", got, off)
		}
		st := b.Stats()
		if st.BelowThreshold["ssh"] != 4 {
			t.Errorf("BelowThreshold[ssh] = %d, want 4", st.BelowThreshold["ssh"])
		}
		if len(rec.got()) != 1 {
			t.Errorf("%d digests in the end, want 1", len(rec.got()))
		}
	})
}

// The window slides over arrival times: a match that falls out of it
// before the threshold is reached is not counted by the digest that
// fires later.
func TestThresholdWindowSlides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := testRule("r", func(r *rules.Rule) {
			r.Threshold = config.Threshold{Count: 3, Within: config.Duration(time.Minute)}
		})
		start := time.Now()
		// 60s is exactly `within` after 0s: the first match is out by then.
		for i, at := range []time.Duration{0, 50 * time.Second, 60 * time.Second, 70 * time.Second} {
			time.Sleep(at - time.Since(start))
			b.Add(match(r, fmt.Sprintf("e%d", i)))
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		got := rec.got()
		if len(got) != 1 {
			t.Fatalf("%d digests, want 1", len(got))
		}
		d := got[0]
		if d.Count != 3 || d.First.Sub(start) != 50*time.Second || d.At.Sub(start) != 80*time.Second {
			t.Errorf("digest Count %d First +%v At +%v, want 3, +50s, +80s", d.Count, d.First.Sub(start), d.At.Sub(start))
		}
		checkSum(t, d, r.MaxLines)
		if n := b.Stats().BelowThreshold["r"]; n != 1 {
			t.Errorf("BelowThreshold = %d, want 1", n)
		}
	})
}

// After a key fired and closed, its threshold applies again.
func TestThresholdRearms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := sshRule()
		for range 5 {
			b.Add(match(r, "x", "1.2.3.4"))
		}
		time.Sleep(time.Hour)
		for range 4 {
			b.Add(match(r, "x", "1.2.3.4"))
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := len(rec.got()); n != 1 {
			t.Errorf("%d digests, want 1", n)
		}
		if n := b.Stats().BelowThreshold["ssh"]; n != 4 {
			t.Errorf("BelowThreshold = %d, want 4", n)
		}
	})
}
