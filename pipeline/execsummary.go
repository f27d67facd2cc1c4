package pipeline

import (
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

// SummaryLines is how many of the last output lines a summary shows.
const SummaryLines = 10

// maxSummaryLine caps one line of output in the summary, in bytes.
const maxSummaryLine = 500

// OutputTail keeps the last lines of a command's output. It is safe for
// concurrent use.
type OutputTail struct {
	mu   sync.Mutex // protects ring and n
	ring []string
	n    int // lines seen
}

// NewOutputTail returns an OutputTail that keeps the last size lines.
func NewOutputTail(size int) *OutputTail { return &OutputTail{ring: make([]string, size)} }

// Add keeps s, a copy cut to maxSummaryLine bytes, dropping the oldest
// line when the tail is full.
func (o *OutputTail) Add(s string) {
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

// Lines returns the kept lines, oldest first.
func (o *OutputTail) Lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := min(o.n, len(o.ring))
	out := make([]string, 0, k)
	for i := o.n - k; i < o.n; i++ {
		out = append(out, o.ring[i%len(o.ring)])
	}
	return out
}

// ExecSummary is how a command that exec ran ended.
type ExecSummary struct {
	Argv     []string
	Room     string // --room, or "" for the rule's
	Status   string // "exit status 2", "killed by signal terminated", "timed out after 5s"
	Failed   bool   // the command did not exit 0
	TimedOut bool   // exit status 124, as --timeout gives: Status says how long, no duration follows
	StartErr error  // why it could not start, or nil
	Start    time.Time
	Duration time.Duration
	Tail     []string // the last lines of its output, oldest first
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

// SummaryDigest is the digest that reports how the job ended: red when it
// failed, green when it succeeded; its text is escaped for the
// destination, because the command line and its output are not ours. It
// is nil when no rule notifies a destination.
func SummaryDigest(cfg *rules.Loaded, s ExecSummary) *batch.Digest {
	r := summaryTarget(cfg)
	if r == nil {
		return nil
	}
	room := r.Room
	if s.Room != "" {
		room = s.Room
	}
	esc := sender.Escaper(r.Destination.Type, r.Format)
	color, verb := "red", "failed"
	if !s.Failed {
		color, verb = "green", "succeeded"
	}
	var b strings.Builder
	br := "\n"
	if r.Format == "html" {
		br = "<br>"
	}
	fmt.Fprintf(&b, "%s %s on %s: %s", esc(strings.Join(s.Argv, " ")), verb, esc(rules.Hostname()), esc(s.Status))
	if !s.TimedOut {
		fmt.Fprintf(&b, " after %s", s.Duration)
	}
	if s.StartErr != nil {
		b.WriteString(br + esc(s.StartErr.Error()))
	}
	tail := s.Tail
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
	end := s.Start.Add(s.Duration)
	return &batch.Digest{
		ID:   batch.NewID(),
		Key:  batch.Key{Destination: r.Destination.Name, Room: room, Rule: summaryRule},
		Rule: summaryRule, Room: room, Color: color, Format: r.Format, Notify: s.Failed, Mention: r.Mention,
		Count: len(tail), First: s.Start, Last: end, At: end, Lines: lines, Message: b.String(),
	}
}
