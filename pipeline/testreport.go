package pipeline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/internal/terminal"
)

// WriteJSON writes rep as json.Encoder with a two-space indent
// does, a message at a time: the report of a large log holds thousands of
// messages, and encoding it whole would hold the output in memory twice.
func (rep *TestReport) WriteJSON(w io.Writer) error {
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
func writeMessagesJSON(w io.Writer, msgs []TestMessage) error {
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

// Print writes rep for a person to read: the counts, each rule's matches
// and samples, the messages that would be sent and, when kept, the lines
// no rule matched. Log text has its control characters escaped.
func (rep *TestReport) Print(w io.Writer) {
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
	rep.printUnmatched(w)
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

// printUnmatched lists the lines no rule matched, with their control
// characters escaped (`\x1b`): they are log text, printed to a terminal.
func (rep *TestReport) printUnmatched(w io.Writer) {
	if rep.Unmatched == nil {
		return
	}
	unmatched := rep.Lines - rep.Matched
	fmt.Fprintf(w, "\n%s no rule matched", plural(int(unmatched), "line"))
	if int64(len(rep.Unmatched)) < unmatched {
		fmt.Fprintf(w, " (the first %d)", len(rep.Unmatched))
	}
	fmt.Fprintln(w, ":")
	for _, l := range rep.Unmatched {
		fmt.Fprintf(w, "  %s\n", terminal.Escape(l))
	}
}
