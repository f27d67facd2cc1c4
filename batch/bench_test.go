package batch

import (
	"hash/maphash"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

// uniqueText writes into buf a line that differs from every other i in
// its literal text (letters, not numbers), so no two collapse.
func uniqueText(buf []byte, i int) string {
	buf = append(buf[:0], "Failed login for user "...)
	for {
		buf = append(buf, byte('a'+i%26))
		i /= 26
		if i == 0 {
			break
		}
	}
	buf = append(buf, " from the outside"...)
	return string(buf)
}

// heapMiB returns the live heap after a full collection.
func heapMiB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

func BenchmarkShapeOf(b *testing.B) {
	lines := loghub(b, "HDFS_2k.log")
	seed := maphash.MakeSeed()
	n := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l := lines[i%len(lines)]
		shapeOf(seed, l)
		n += len(l)
	}
	b.SetBytes(int64(n / b.N))
}

// benchStorm adds b.N matches made by mk to one Batcher whose digests
// never come due, and reports the live heap after the storm.
func benchStorm(b *testing.B, r *rules.Rule, mk func(buf []byte, i int) rules.Match) {
	bt := New(Options{Send: func(d *Digest) {}})
	buf := make([]byte, 0, 64)
	before := heapMiB()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bt.Add(mk(buf, i))
	}
	b.StopTimer()
	b.ReportMetric(heapMiB()-before, "heap-MiB")
	bt.Flush()
}

// Run with -benchtime=1000000x for the million-line storms.
func BenchmarkAddUniqueLines(b *testing.B) {
	r := testRule("r", func(r *rules.Rule) { r.Wait = time.Hour })
	benchStorm(b, r, func(buf []byte, i int) rules.Match { return match(r, uniqueText(buf, i)) })
}

func BenchmarkAddDistinctGroups(b *testing.B) {
	r := testRule("ssh", func(r *rules.Rule) { r.Wait = time.Hour; r.GroupBy = []string{"ip"} })
	benchStorm(b, r, func(buf []byte, i int) rules.Match {
		ip := strconv.Itoa(i>>16) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
		return match(r, "Failed password for root from 10."+ip, ip)
	})
}

func BenchmarkAddThresholdGroups(b *testing.B) {
	r := testRule("ssh", func(r *rules.Rule) {
		r.Wait = time.Hour
		r.GroupBy = []string{"ip"}
		r.Threshold = config.Threshold{Count: 5, Within: config.Duration(time.Hour)}
	})
	benchStorm(b, r, func(buf []byte, i int) rules.Match {
		ip := strconv.Itoa(i % 3000)
		return match(r, "Failed password for root from "+ip, ip)
	})
}

// BenchmarkAddVaryingValues adds lines of a few shapes whose addresses
// and ports vary, the path that keeps the values of a digest line.
func BenchmarkAddVaryingValues(b *testing.B) {
	r := testRule("ssh", func(r *rules.Rule) { r.Wait = time.Hour })
	benchStorm(b, r, func(buf []byte, i int) rules.Match {
		buf = append(buf[:0], "Failed password for root from 203.0.113."...)
		buf = strconv.AppendInt(buf, int64(i%300), 10)
		buf = append(buf, " port "...)
		buf = strconv.AppendInt(buf, int64(40000+i%7), 10)
		buf = append(buf, " ssh2"...)
		return match(r, string(buf))
	})
}
