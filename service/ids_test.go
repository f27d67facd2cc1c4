package service

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Lines with ids, and counting them in what the fake server received.

// idRule matches the lines written by writeIDs. An id is written in the
// letters g-z so that no two ids have the same shape in a digest (the
// batcher collapses lines that differ only in numbers or hex), and its last
// two letters shard the matches over 400 keys so that each digest stays
// small enough to list every id. The digest template states the count and
// lists every id with its count, so that ids can be counted exactly.
const idRule = `
rules:
  - name: ids
    match: '^line (?P<id>[g-z]*(?P<shard>[g-z]{2}))$'
    group_by: [shard]
    template: '{{.id}}'
    digest_template: 'n={{.count}} more={{.more}}{{range .lines}} {{.text}}*{{.count}}{{end}}'
    debounce: {wait: 0s, interval: 100ms, max_lines: 1000}
`

// lineID returns the id of line i: its number in base 20 written with the
// letters g-z, at least four of them.
func lineID(i int) string {
	var b [8]byte
	n := len(b)
	for k := 0; k < 4 || i > 0; k++ {
		n--
		b[n] = byte('g' + i%20)
		i /= 20
	}
	return string(b[n:])
}

// writeIDs appends the lines with ids from..to-1 to path, each followed by
// a line no rule matches, in writes of about 64 KiB.
func writeIDs(t testing.TB, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	writeIDsTo(t, f, from, to)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeIDsTo is writeIDs on an open file.
func writeIDsTo(t testing.TB, f *os.File, from, to int) {
	t.Helper()
	if err := appendIDs(f, from, to); err != nil {
		t.Fatal(err)
	}
}

// appendIDs writes the lines of ids from..to-1 to f.
func appendIDs(f *os.File, from, to int) error {
	w := bufio.NewWriterSize(f, 64<<10)
	for i := from; i < to; i++ {
		fmt.Fprintf(w, "line %s\nnoise %d not matched\n", lineID(i), i)
	}
	return w.Flush()
}

// digestRE parses a message of idRule's digest_template.
var digestRE = regexp.MustCompile(`^n=(\d+) more=(\d+)((?: [g-z]+\*\d+)*)$`)

// delivered counts, per id, the lines the fake server received. It fails
// the test on a message that does not list its lines exactly.
func (d *filesEnv) delivered() map[string]int {
	d.t.Helper()
	got := map[string]int{}
	for _, n := range d.srv.Notifications() {
		m := digestRE.FindStringSubmatch(n.Message)
		if m == nil {
			d.t.Fatalf("message not in the digest_template's form: %q", n.Message)
		}
		count, _ := strconv.Atoi(m[1])
		if m[2] != "0" {
			d.t.Fatalf("digest does not list all its lines (more=%s): %q", m[2], n.Message)
		}
		sum := 0
		for _, f := range strings.Fields(m[3]) {
			id, c, _ := strings.Cut(f, "*")
			k, _ := strconv.Atoi(c)
			got[id] += k
			sum += k
		}
		if sum != count {
			d.t.Fatalf("digest counts %d lines but lists %d: %q", count, sum, n.Message)
		}
	}
	return got
}

// waitIDs waits until every id from..to-1 was delivered at least once.
func (d *filesEnv) waitIDs(from, to int) {
	d.t.Helper()
	deadline := time.Now().Add(deliveryDeadline)
	for {
		got := d.delivered()
		missing := 0
		for i := from; i < to; i++ {
			if got[lineID(i)] == 0 {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%d of ids %d..%d not delivered within %v", missing, from, to-1, deliveryDeadline)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkExactlyOnce checks that ids from..to-1 were each delivered once,
// and nothing else.
func (d *filesEnv) checkExactlyOnce(from, to int) {
	d.t.Helper()
	lost, twice, extra := d.tally(from, to)
	if lost+twice+extra > 0 {
		d.t.Errorf("ids %d..%d: %d lost, %d delivered more than once, %d not written", from, to-1, lost, twice, extra)
	}
}

// tally returns how many ids from..to-1 were not delivered, how many more
// than once, and how many delivered ids are outside the range.
func (d *filesEnv) tally(from, to int) (lost, twice, extra int) {
	got := d.delivered()
	for i := from; i < to; i++ {
		switch n := got[lineID(i)]; {
		case n == 0:
			lost++
		case n > 1:
			twice++
		}
		delete(got, lineID(i))
	}
	return lost, twice, len(got)
}

// waitNotifications waits until the fake server has accepted n messages.
func (d *filesEnv) waitNotifications(n int) {
	d.t.Helper()
	deadline := time.Now().Add(deliveryDeadline)
	for len(d.srv.Notifications()) < n {
		if time.Now().After(deadline) {
			d.t.Fatalf("fewer than %d notifications within %v", n, deliveryDeadline)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countDelivered returns how many of ids from..to-1 were delivered.
func (d *filesEnv) countDelivered(from, to int) int {
	d.t.Helper()
	got, n := d.delivered(), 0
	for i := from; i < to; i++ {
		if got[lineID(i)] > 0 {
			n++
		}
	}
	return n
}
