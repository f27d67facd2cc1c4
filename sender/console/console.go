// Package console prints digests to a writer (a terminal, a file), one
// block per digest with "[room] color: " before every line. It is the
// destination for trying rules out and for the pipe mode.
package console

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/internal/terminal"
	"github.com/roomwatch/roomwatch/sender"
)

// Config configures a Notifier.
type Config struct {
	// Output receives the digests; the caller owns it (Notify never
	// closes it).
	Output io.Writer
	// Color shows the digest's color as ANSI colors.
	Color bool
}

// Notifier prints digests. It is safe for concurrent use: each digest is
// written with one Write call, under a lock.
type Notifier struct {
	color bool

	mu  sync.Mutex // serialises writes to out
	out io.Writer
}

var _ sender.Notifier = (*Notifier)(nil)

// New returns a Notifier writing to cfg.Output.
func New(cfg Config) (*Notifier, error) {
	if cfg.Output == nil {
		return nil, errors.New("console: no output")
	}
	return &Notifier{out: cfg.Output, color: cfg.Color}, nil
}

// ansi maps HipChat's colors to terminal colors.
var ansi = map[string]string{
	"red": "31", "green": "32", "yellow": "33", "purple": "35", "gray": "90", "grey": "90", "random": "36",
}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	color := d.Color
	if color == "" {
		color = "yellow"
	}
	prefix := fmt.Sprintf("[%s] %s: ", terminal.Escape(d.Room), terminal.Escape(color))
	if code, ok := ansi[color]; ok && n.color {
		prefix = "\x1b[" + code + "m" + prefix + "\x1b[0m"
	}
	msg := d.Message
	if d.Format == "html" {
		msg = htmlText(msg)
	}
	if d.Mention != "" {
		msg = d.Mention + " " + msg
	}
	var b strings.Builder
	for line := range strings.Lines(terminal.Escape(msg)) {
		b.WriteString(prefix)
		b.WriteString(strings.TrimSuffix(line, "\n"))
		b.WriteByte('\n')
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.out, b.String()); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

var (
	breakTag = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|li|tr|pre)>`)
	anyTag   = regexp.MustCompile(`<[^>]*>`)
)

// htmlText renders an html message as plain text: line breaks for <br>
// and block ends, no tags, entities decoded.
func htmlText(s string) string {
	s = breakTag.ReplaceAllString(s, "\n")
	s = anyTag.ReplaceAllString(s, "")
	return strings.TrimRight(html.UnescapeString(s), "\n")
}
