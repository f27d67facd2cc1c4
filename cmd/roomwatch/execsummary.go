package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
)

// summaryRule names the summary's digest: a key of its own, so that it is
// never merged into the digest of the lines that matched.
const summaryRule = "exec-summary"

// summaryLines is how many of the last output lines a summary shows.
const summaryLines = 10

// maxSummaryLine caps one line of output in the summary, in bytes.
const maxSummaryLine = 500

// outputTail keeps the last lines of a command's output.
type outputTail struct {
	mu   sync.Mutex // protects ring and n
	ring []string
	n    int // lines seen
}

func newOutputTail(size int) *outputTail { return &outputTail{ring: make([]string, size)} }

func (o *outputTail) add(s string) {
	if len(s) > maxSummaryLine {
		s = strings.ToValidUTF8(s[:maxSummaryLine], "") + "…"
	} else {
		s = strings.Clone(s) // not a slice of the whole read buffer
	}
	o.mu.Lock()
	o.ring[o.n%len(o.ring)] = s
	o.n++
	o.mu.Unlock()
}

// lines returns the kept lines, oldest first.
func (o *outputTail) lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := min(o.n, len(o.ring))
	out := make([]string, 0, k)
	for i := o.n - k; i < o.n; i++ {
		out = append(out, o.ring[i%len(o.ring)])
	}
	return out
}

// summaryTarget is the first notifying rule: its destination, room,
// format and mention receive the summary.
func summaryTarget(cfg *rules.Loaded) *rules.Rule {
	for _, r := range cfg.Set.Rules() {
		if r.Action == rules.ActionNotify && r.Destination != nil {
			return r
		}
	}
	return nil
}

// summaryDigest is the digest that reports how the job ended: red when it
// failed, green when it succeeded; its text is escaped for the
// destination, because the command line and its output are not ours.
func summaryDigest(cfg *rules.Loaded, j job, res result, tail []string, start time.Time) *batch.Digest {
	r := summaryTarget(cfg)
	if r == nil {
		return nil
	}
	room := r.Room
	if j.room != "" {
		room = j.room
	}
	esc := sender.Escaper(r.Destination.Type, r.Format)
	color, verb := "red", "failed"
	if res.code == exitOK {
		color, verb = "green", "succeeded"
	}
	var b strings.Builder
	br := "\n"
	if r.Format == "html" {
		br = "<br>"
	}
	fmt.Fprintf(&b, "%s %s on %s: %s", esc(strings.Join(j.argv, " ")), verb, esc(rules.Hostname()), esc(res.status))
	if res.code != exitTimedOut {
		fmt.Fprintf(&b, " after %s", res.duration)
	}
	if res.startErr != nil {
		b.WriteString(br + esc(res.startErr.Error()))
	}
	switch len(tail) {
	case 0:
	case 1:
		b.WriteString(br + "last line:")
	default:
		fmt.Fprintf(&b, "%slast %d lines:", br, len(tail))
	}
	lines := make([]batch.Line, len(tail))
	for i, l := range tail {
		b.WriteString(br + esc(l))
		lines[i] = batch.Line{Text: esc(l), Count: 1}
	}
	end := start.Add(res.duration)
	return &batch.Digest{
		ID:   newDigestID(),
		Key:  batch.Key{Destination: r.Destination.Name, Room: room, Rule: summaryRule},
		Rule: summaryRule, Room: room, Color: color, Format: r.Format, Notify: res.code != exitOK, Mention: r.Mention,
		Count: len(tail), First: start, Last: end, At: end, Lines: lines, Message: b.String(),
	}
}

func newDigestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
