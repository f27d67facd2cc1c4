// Package idlines writes log lines that carry ids and counts them in the
// digests a daemon delivered, so that a test can tell that every matched
// line arrived, and how often.
package idlines

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Rule matches the lines written by Append. An id is written in the
// letters g-z so that no two ids have the same shape in a digest (the
// batcher collapses lines that differ only in numbers or hex), and its last
// two letters shard the matches over 400 keys so that each digest stays
// small enough to list every id. The digest template states the count and
// lists every id with its count, so that ids can be counted exactly.
const Rule = `
rules:
  - name: ids
    match: '^line (?P<id>[g-z]*(?P<shard>[g-z]{2}))$'
    group_by: [shard]
    template: '{{.id}}'
    digest_template: 'n={{.count}} more={{.more}}{{range .lines}} {{.text}}*{{.count}}{{end}}'
    debounce: {wait: 0s, interval: 100ms, max_lines: 1000}
`

// ID returns the id of line i: its number in base 20 written with the
// letters g-z, at least four of them.
func ID(i int) string {
	var b [8]byte
	n := len(b)
	for k := 0; k < 4 || i > 0; k++ {
		n--
		b[n] = byte('g' + i%20)
		i /= 20
	}
	return string(b[n:])
}

// Append writes the lines of ids from..to-1 to w, each followed by a line
// no rule matches, in writes of about 64 KiB.
func Append(w io.Writer, from, to int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for i := from; i < to; i++ {
		fmt.Fprintf(bw, "line %s\nnoise %d not matched\n", ID(i), i)
	}
	return bw.Flush()
}

// digestRE parses a message of Rule's digest_template.
var digestRE = regexp.MustCompile(`^n=(\d+) more=(\d+)((?: [g-z]+\*\d+)*)$`)

// Count counts, per id, the lines that the delivered messages list. A
// message that does not list its lines exactly is an error.
func Count(messages []string) (map[string]int, error) {
	got := map[string]int{}
	for _, msg := range messages {
		m := digestRE.FindStringSubmatch(msg)
		if m == nil {
			return nil, fmt.Errorf("message not in the digest_template's form: %q", msg)
		}
		count, _ := strconv.Atoi(m[1])
		if m[2] != "0" {
			return nil, fmt.Errorf("digest does not list all its lines (more=%s): %q", m[2], msg)
		}
		sum := 0
		for _, f := range strings.Fields(m[3]) {
			id, c, _ := strings.Cut(f, "*")
			k, _ := strconv.Atoi(c)
			got[id] += k
			sum += k
		}
		if sum != count {
			return nil, fmt.Errorf("digest counts %d lines but lists %d: %q", count, sum, msg)
		}
	}
	return got, nil
}

// Tally returns how many ids from..to-1 got does not hold, how many it
// holds more than once, and how many ids it holds outside the range.
func Tally(got map[string]int, from, to int) (lost, twice, extra int) {
	rest := make(map[string]int, len(got))
	for id, n := range got {
		rest[id] = n
	}
	for i := from; i < to; i++ {
		switch n := rest[ID(i)]; {
		case n == 0:
			lost++
		case n > 1:
			twice++
		}
		delete(rest, ID(i))
	}
	return lost, twice, len(rest)
}

// Config returns a config for a daemon that keeps its state in stateDir
// and sends to room "Ops" of the HipChat server at url, with the token in
// $HIPCHAT_TOKEN and no rate limits, reading inputs (YAML list items)
// with rules (a YAML "rules:" block, such as Rule).
func Config(stateDir, url, inputs, rules string) string {
	return fmt.Sprintf(`state_dir: %s
shutdown_timeout: 20s
destinations:
  hipchat:
    type: hipchat
    url: %s
    token_env: HIPCHAT_TOKEN
    rate_limit: {per_room: none, per_destination: none}   # a test server's are lifted too
defaults:
  room: Ops
inputs:
%s
%s`, stateDir, url, inputs, rules)
}

// WriteFile appends the lines of ids from..to-1 to the file at path,
// which it creates if need be.
func WriteFile(t testing.TB, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	Write(t, f, from, to)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Write is Append that fails the test on an error.
func Write(t testing.TB, w io.Writer, from, to int) {
	t.Helper()
	if err := Append(w, from, to); err != nil {
		t.Fatal(err)
	}
}

// TempDir returns a fresh directory, removed when the test ends, on the
// memory file system /dev/shm when there is one, else t.TempDir(). The
// daemon fsyncs every outbox record and position save: on a shared disk,
// that wait is most of a test's time, and what these tests check (every
// line delivered, once) does not depend on the disk.
func TempDir(t testing.TB) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "roomwatch-test-"); err == nil {
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}
