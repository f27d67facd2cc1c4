package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/internal/terminal"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// testReport is what `roomwatch test` prints; --json prints it as is.
type testReport struct {
	Lines       int64         `json:"lines"`
	Matched     int64         `json:"matched"`
	Rules       []*ruleReport `json:"rules"`
	Messages    []testMessage `json:"messages"`
	Seconds     float64       `json:"seconds"`
	LinesPerSec float64       `json:"lines_per_second"`
	// Unmatched holds the first lines no rule matched, with --unmatched.
	Unmatched []string `json:"unmatched,omitempty"`
}

type ruleReport struct {
	Name    string       `json:"name"`
	Action  string       `json:"action"`
	Matches int64        `json:"matches"`
	Samples []testSample `json:"samples"`
}

type testSample struct {
	File     string            `json:"file"`
	Line     string            `json:"line"`
	Captures map[string]string `json:"captures,omitempty"`
}

type testMessage struct {
	Destination string `json:"destination"`
	Room        string `json:"room"`
	Color       string `json:"color"`
	Format      string `json:"format"`
	Notify      bool   `json:"notify"`
	Rule        string `json:"rule"`
	Count       int    `json:"count"`
	Text        string `json:"text"`
}

const testSamples = 3

func cmdTest(args []string, e *env) int {
	fs := newFlags("test", "-c FILE [--json] [--unmatched [N]] [LOG...]", e)
	config := fs.String("c", config.DefaultPath, "config `file`")
	asJSON := fs.Bool("json", false, "print one JSON object")
	var unmatched unmatchedFlag
	fs.Var(&unmatched, "unmatched", "after the summary, print up to N lines (default 20) that no rule matched")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	logs := unmatched.takeCount(fs.Args())
	cfg, err := loadConfig(*config, e)
	if err != nil {
		printConfigError(e, err)
		return exitUsage
	}
	rep, err := runTest(cfg, logs, e.stdin, unmatched.n)
	if err != nil {
		fmt.Fprintf(e.stderr, "roomwatch test: %v\n", err)
		return exitFailed
	}
	if *asJSON {
		if err := writeReportJSON(e.stdout, rep); err != nil {
			fmt.Fprintf(e.stderr, "roomwatch test: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	printReport(e.stdout, rep)
	return exitOK
}

// runTest reads every log once through the rules and a batcher that sends
// nothing: all lines count as arriving at once, so each key makes one
// digest, the one that the first `wait` would send.
func runTest(cfg *rules.Loaded, logs []string, stdin io.Reader, unmatched int) (*testReport, error) {
	set := cfg.Set
	rep := &testReport{}
	if unmatched > 0 {
		rep.Unmatched = []string{}
	}
	byRule := map[*rules.Rule]*ruleReport{}
	for _, r := range set.Rules() {
		rr := &ruleReport{Name: r.Name, Action: "notify"}
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
		rep.Messages = append(rep.Messages, testMessage{
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
				rr.Samples = append(rr.Samples, testSample{File: l.File, Line: shown, Captures: caps})
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
func readLogs(logs []string, stdin io.Reader, set *rules.Set, shape func(string) uint64, fn pipeline.LineFunc) error {
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

func readLog(name string, stdin io.Reader, set *rules.Set, shape func(string) uint64, fn pipeline.LineFunc) error {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	lines := make(chan []tailer.Line, pipeline.LineBatches)
	errc := make(chan error, 1)
	// The reader owns lines and closes it at the end of the file.
	go func() {
		errc <- tailer.NewStdin(r, tailer.StdinOptions{Name: name}).Run(context.Background(), lines)
		close(lines)
	}()
	pipeline.MatchLines(context.Background(), lines, func() *rules.Set { return set }, shape, fn)
	if err := <-errc; err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// writeReportJSON writes rep as json.Encoder with a two-space indent
// does, a message at a time: the report of a large log holds thousands of
// messages, and encoding it whole would hold the output in memory twice.
func writeReportJSON(w io.Writer, rep *testReport) error {
	bw := bufio.NewWriter(w)
	field := func(name string, v any, last bool) error {
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "  %q: %s", name, b)
		if !last {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		return nil
	}
	bw.WriteString("{\n")
	for _, f := range []struct {
		name string
		v    any
	}{{"lines", rep.Lines}, {"matched", rep.Matched}, {"rules", rep.Rules}} {
		if err := field(f.name, f.v, false); err != nil {
			return err
		}
	}
	switch {
	case rep.Messages == nil:
		bw.WriteString("  \"messages\": null,\n")
	case len(rep.Messages) == 0:
		bw.WriteString("  \"messages\": [],\n")
	default:
		bw.WriteString("  \"messages\": [\n")
		if err := writeMessagesJSON(bw, rep.Messages); err != nil {
			return err
		}
		bw.WriteString("  ],\n")
	}
	if err := field("seconds", rep.Seconds, false); err != nil {
		return err
	}
	if err := field("lines_per_second", rep.LinesPerSec, rep.Unmatched == nil); err != nil {
		return err
	}
	if rep.Unmatched != nil {
		if err := field("unmatched", rep.Unmatched, true); err != nil {
			return err
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// writeMessagesJSON writes the elements of the report's messages array,
// each as json.Encoder with a two-space indent writes it (json.Indent
// took half the time of the report, so the layout is written here).
func writeMessagesJSON(w io.Writer, msgs []testMessage) error {
	var out []byte
	for i, m := range msgs {
		out = append(out[:0], "    {\n"...)
		for _, f := range []struct{ name, value string }{
			{"destination", m.Destination}, {"room", m.Room}, {"color", m.Color}, {"format", m.Format},
		} {
			out = appendJSONField(out, f.name, f.value)
		}
		out = append(out, "      \"notify\": "...)
		out = strconv.AppendBool(out, m.Notify)
		out = append(out, ",\n"...)
		out = appendJSONField(out, "rule", m.Rule)
		out = append(out, "      \"count\": "...)
		out = strconv.AppendInt(out, int64(m.Count), 10)
		out = append(out, ",\n      \"text\": "...)
		out = append(appendJSONString(out, m.Text), "\n    }"...)
		if i < len(msgs)-1 {
			out = append(out, ',')
		}
		if _, err := w.Write(append(out, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// appendJSONField appends `      "name": "value",` and a newline.
func appendJSONField(out []byte, name, value string) []byte {
	out = append(out, "      \""...)
	out = append(out, name...)
	out = append(out, "\": "...)
	return append(appendJSONString(out, value), ",\n"...)
}

// appendJSONString appends s quoted as encoding/json quotes a string by
// default: \" \\ \b \f \n \r \t, other control bytes and < > & as \u00XX,
// U+2028 and U+2029 as \u2028 and \u2029, an invalid byte as \ufffd
// (TestJSONStringAsEncodingJSON holds the two equal).
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			esc := ""
			switch {
			case r == utf8.RuneError && n == 1:
				esc = `\ufffd`
			case r == '\u2028':
				esc = `\u2028`
			case r == '\u2029':
				esc = `\u2029`
			}
			if esc != "" {
				dst = append(append(dst, s[last:i]...), esc...)
				last = i + n
			}
			i += n
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
			i++
			continue
		}
		dst = append(dst, s[last:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, `\b`...)
		case '\f':
			dst = append(dst, `\f`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		i++
		last = i
	}
	return append(append(dst, s[last:]...), '"')
}

func printReport(w io.Writer, rep *testReport) {
	fmt.Fprintf(w, "%d lines, %d matched, %.3fs (%.0f lines/s)\n", rep.Lines, rep.Matched, rep.Seconds, rep.LinesPerSec)
	for _, r := range rep.Rules {
		verb := "matches"
		if r.Action == "drop" {
			verb = "dropped"
		}
		fmt.Fprintf(w, "\nrule %s: %d %s\n", terminal.Escape(r.Name), r.Matches, verb)
		for _, s := range r.Samples {
			fmt.Fprintf(w, "  %s\n", terminal.Escape(s.Line))
			if caps := formatCaptures(s.Captures); caps != "" {
				fmt.Fprintf(w, "    %s\n", terminal.Escape(caps))
			}
		}
	}
	fmt.Fprintf(w, "\n%s would be sent (all lines arriving at once):\n", plural(len(rep.Messages), "message"))
	for _, m := range rep.Messages {
		fmt.Fprintf(w, "\n--- %s room %q, %s, %s%s\n", m.Destination, m.Room, m.Color, m.Format, notifyWord(m.Notify))
		fmt.Fprintln(w, terminal.Escape(m.Text))
	}
	printUnmatched(w, rep)
}

func notifyWord(n bool) string {
	if n {
		return ", notify"
	}
	return ""
}

func formatCaptures(caps map[string]string) string {
	keys := make([]string, 0, len(caps))
	for k := range caps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, caps[k])
	}
	return strings.Join(parts, " ")
}
