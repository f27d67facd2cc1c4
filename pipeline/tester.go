package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// TestReport is what `roomwatch test` prints; --json prints it as is.
type TestReport struct {
	Lines       int64         `json:"lines"`
	Matched     int64         `json:"matched"`
	Rules       []*RuleReport `json:"rules"`
	Messages    []TestMessage `json:"messages"`
	Seconds     float64       `json:"seconds"`
	LinesPerSec float64       `json:"lines_per_second"`
	// Unmatched holds the first lines no rule matched, with --unmatched.
	Unmatched []string `json:"unmatched,omitempty"`
}

// RuleReport is one rule's part of a TestReport: how many lines it
// matched (or dropped) and the first few of them.
type RuleReport struct {
	Name    string       `json:"name"`
	Action  string       `json:"action"`
	Matches int64        `json:"matches"`
	Samples []TestSample `json:"samples"`
}

// TestSample is one line a rule matched, with its named captures.
type TestSample struct {
	File     string            `json:"file"`
	Line     string            `json:"line"`
	Captures map[string]string `json:"captures,omitempty"`
}

// TestMessage is one digest the tested lines would send.
type TestMessage struct {
	Destination string `json:"destination"`
	Room        string `json:"room"`
	Color       string `json:"color"`
	Format      string `json:"format"`
	Notify      bool   `json:"notify"`
	Rule        string `json:"rule"`
	Count       int    `json:"count"`
	Text        string `json:"text"`
}

// testSamples is how many matched lines a rule's report keeps.
const testSamples = 3

// maxUnmatchedLine caps one printed unmatched line, in bytes.
const maxUnmatchedLine = 2000

// TestOptions tunes Test.
type TestOptions struct {
	// Unmatched is how many lines that no rule matched the report keeps;
	// with 0 it keeps none and TestReport.Unmatched is nil.
	Unmatched int
}

// Test reads every log (stdin for none or "-") once through the rules and
// a batcher that sends nothing: all lines count as arriving at once, so
// each key makes one digest, the one that the first `wait` would send.
func Test(cfg *rules.Loaded, logs []string, stdin io.Reader, opts TestOptions) (*TestReport, error) {
	unmatched := opts.Unmatched
	set := cfg.Set
	rep := &TestReport{}
	if unmatched > 0 {
		rep.Unmatched = []string{}
	}
	byRule := map[*rules.Rule]*RuleReport{}
	for _, r := range set.Rules() {
		rr := &RuleReport{Name: r.Name, Action: "notify"}
		if r.Action == rules.ActionDrop {
			rr.Action = "drop"
		}
		byRule[r] = rr
		rep.Rules = append(rep.Rules, rr)
	}
	var mu sync.Mutex // protects rep.Messages
	// A clock that stands still: every line arrives at the same instant,
	// so no digest falls due before the final Flush.
	at := time.Now()
	b := batch.New(batch.Options{Now: func() time.Time { return at }, Host: rules.Hostname(), Send: func(d *batch.Digest) {
		d.Release()
		mu.Lock()
		defer mu.Unlock()
		rep.Messages = append(rep.Messages, TestMessage{
			Destination: d.Key.Destination, Room: d.Room, Color: d.Color, Format: d.Format,
			Notify: d.Notify, Rule: d.Rule, Count: d.Count, Text: d.Message,
		})
	}})
	count := func(l tailer.Line, buf []rules.Match, shapes []uint64, drop *rules.Rule) {
		rep.Lines++
		if drop != nil {
			byRule[drop].Matches++
		}
		if drop != nil || len(buf) > 0 {
			rep.Matched++
		} else if len(rep.Unmatched) < unmatched {
			rep.Unmatched = append(rep.Unmatched, cutUnmatched(l.Text))
		}
		for i, m := range buf {
			rr := byRule[m.Rule]
			rr.Matches++
			if len(rr.Samples) < testSamples {
				// Copies: the text of a line is a slice of its read's
				// buffer, which a kept sample would keep whole.
				text := strings.Clone(l.Text)
				caps := m.Rule.Captures(text)
				shown := text
				if l.Cut > 0 {
					shown = l.Shown()
				}
				rr.Samples = append(rr.Samples, TestSample{File: l.File, Line: shown, Captures: caps})
			}
			b.AddShaped(m, shapes[i])
		}
	}
	start := time.Now()
	if err := readLogs(logs, stdin, set, b.Shape, count); err != nil {
		return nil, err
	}
	b.Flush()
	rep.Seconds = time.Since(start).Seconds()
	if rep.Seconds > 0 {
		rep.LinesPerSec = float64(rep.Lines) / rep.Seconds
	}
	// Rule, room, then text: digests of one rule's group_by keys come in
	// no set order, and the report must read the same every run.
	sort.Slice(rep.Messages, func(i, j int) bool {
		a, c := rep.Messages[i], rep.Messages[j]
		if a.Rule != c.Rule {
			return a.Rule < c.Rule
		}
		if a.Room != c.Room {
			return a.Room < c.Room
		}
		return a.Text < c.Text
	})
	return rep, nil
}

// readLogs passes every line of the named files (or stdin), with what
// set made of it, to fn, in order. Matching runs on every CPU, as in run.
func readLogs(logs []string, stdin io.Reader, set *rules.Set, shape func(string) uint64, fn LineFunc) error {
	if len(logs) == 0 {
		logs = []string{"-"}
	}
	for _, name := range logs {
		if err := readLog(name, stdin, set, shape, fn); err != nil {
			return err
		}
	}
	return nil
}

func readLog(name string, stdin io.Reader, set *rules.Set, shape func(string) uint64, fn LineFunc) error {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	lines := make(chan []tailer.Line, LineBatches)
	errc := make(chan error, 1)
	// The reader owns lines and closes it at the end of the file.
	go func() {
		errc <- tailer.NewStdin(r, tailer.StdinOptions{Name: name}).Run(context.Background(), lines)
		close(lines)
	}()
	MatchLines(context.Background(), lines, func() *rules.Set { return set }, shape, fn)
	if err := <-errc; err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// cutUnmatched copies an unmatched line to keep, at most
// maxUnmatchedLine bytes of it.
func cutUnmatched(s string) string {
	if len(s) <= maxUnmatchedLine {
		return strings.Clone(s)
	}
	n := maxUnmatchedLine
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
