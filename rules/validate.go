package rules

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/roomwatch/roomwatch/tailer"
)

// top checks the top-level keys and fills their defaults.
func (c *compiler) top() {
	cfg := c.cfg
	cfg.StateDir = cfg.resolve(cfg.StateDir)
	c.oneOf(cfg, &cfg.Log, "log", "level", cfg.Log.Level, "debug", "info", "warn", "error")
	c.oneOf(cfg, &cfg.Log, "log", "format", cfg.Log.Format, "text", "json")
	if cfg.Listen != "" {
		if _, _, err := net.SplitHostPort(cfg.Listen); err != nil {
			c.errorf(c.at(cfg, "listen", Place{File: cfg.File}), "listen", "want host:port, got %q", cfg.Listen)
		}
	}
	switch {
	case cfg.ShutdownTimeout < 0:
		c.errorf(c.at(cfg, "shutdown_timeout", Place{File: cfg.File}), "shutdown_timeout", "must not be negative")
	case cfg.ShutdownTimeout == 0:
		cfg.ShutdownTimeout = Duration(DefaultShutdownTimeout)
	}
	c.health()
}

// oneOf checks that an optional value is one of want; owner is the struct
// holding key, label names it.
func (c *compiler) oneOf(def, owner any, label, key, value string, want ...string) bool {
	if value == "" && !c.cfg.written(owner, key) || slices.Contains(want, value) {
		return true
	}
	at := c.at(owner, key, c.defaultPlace(def))
	c.errorf(at, label, "%s: want %s, got %q%s", key, orList(want), value, DidYouMean(value, want))
	return false
}

// defaultPlace returns the place of the struct def points to, if it has one.
func (c *compiler) defaultPlace(def any) Place {
	switch v := def.(type) {
	case *RuleSpec:
		return v.At
	case *Destination:
		return v.At
	case *Input:
		return v.At
	}
	return Place{File: c.cfg.File}
}

// orList formats choices as `a, b or c`.
func orList(want []string) string {
	if len(want) == 1 {
		return want[0]
	}
	return strings.Join(want[:len(want)-1], ", ") + " or " + want[len(want)-1]
}

// inputs checks every input and resolves its paths.
func (c *compiler) inputs() {
	for i, in := range c.cfg.Inputs {
		if in == nil {
			continue
		}
		label := fmt.Sprintf("inputs[%d]", i)
		if in.Path == "" {
			c.errorf(in.At, label, "path is required")
		}
		in.Path = c.cfg.resolve(in.Path)
		c.oneOf(in, in, label, "start", in.Start, "end", "beginning")
		for j, ex := range in.Exclude {
			if _, err := filepath.Match(ex, ""); err != nil {
				c.errorf(c.at(in, fmt.Sprintf("exclude[%d]", j), in.At), label, "exclude: bad pattern %q: %v", ex, err)
			}
		}
		switch {
		case in.MaxLineBytes < 0:
			c.errorf(c.at(in, "max_line_bytes", in.At), label, "max_line_bytes: must not be negative")
		case in.MaxLineBytes == 0:
			in.MaxLineBytes = tailer.DefaultMaxLineBytes
		}
		c.multiline(in, label)
	}
}

func (c *compiler) multiline(in *Input, label string) {
	m := in.Multiline
	if m == nil {
		return
	}
	at := c.at(in, "multiline", in.At)
	if !m.Start.IsSet() && !c.cfg.failed(m, "start") {
		c.errorf(at, label, "multiline: start is required")
	}
	switch {
	case m.Timeout < 0:
		c.errorf(c.at(m, "timeout", at), label, "multiline: timeout: must not be negative")
	case m.Timeout == 0:
		m.Timeout = Duration(DefaultMultilineWait)
	}
}

// notInDefaults are the rule keys that make no sense for every rule.
var notInDefaults = []string{"name", "match", "action", "continue"}

// defaults checks the `defaults` section once, so that its problems are
// reported once and not for every rule.
func (c *compiler) defaults() {
	d := &c.cfg.Defaults
	set := map[string]bool{"name": d.Name != "", "match": d.Match.IsSet(), "action": d.Action != "", "continue": d.Continue}
	for _, k := range notInDefaults {
		if set[k] || c.cfg.written(d, k) {
			c.errorf(c.cfg.keyPlace(d, k, d.At), "defaults", "key %q is not allowed in defaults", k)
		}
	}
	c.checkSpec(d, "defaults")
	if d.Destination != "" && c.cfg.Destinations[d.Destination] == nil {
		c.errorf(c.at(d, "destination", d.At), "defaults", "destination: %s", c.unknownDest(d.Destination))
	}
	for _, key := range []string{"template", "digest_template"} {
		text := map[string]string{"template": d.Template, "digest_template": d.DigestTemplate}[key]
		if _, err := newTemplate(key, text); text != "" && err != nil {
			c.errorf(c.at(d, key, d.At), "defaults", "%s: %s", key, templateProblem(err))
		}
	}
}

// checkSpec checks the fields a rule or `defaults` writes itself.
func (c *compiler) checkSpec(s *RuleSpec, label string) {
	c.oneOf(s, s, label, "action", s.Action, "notify", "drop")
	c.oneOf(s, s, label, "color", s.Color, Colors...)
	c.oneOf(s, s, label, "format", s.Format, "text", "html")
	if s.Mention != "" && !mentionRE.MatchString(s.Mention) {
		c.errorf(c.at(s, "mention", s.At), label,
			"mention: want @all, @here, @name, a user id or an email, got %q", s.Mention)
	}
	if t := s.Threshold; t != nil {
		at := c.at(s, "threshold", s.At)
		if t.Count < 1 {
			c.errorf(c.at(t, "count", at), label, "threshold: count: must be at least 1")
		}
		if t.Within <= 0 {
			c.errorf(c.at(t, "within", at), label, "threshold: within: must be more than 0")
		}
	}
	if b := s.Debounce; b != nil {
		at := c.at(s, "debounce", s.At)
		if b.Wait != nil && *b.Wait < 0 {
			c.errorf(c.at(b, "wait", at), label, "debounce: wait: must not be negative")
		}
		if b.Interval != nil && *b.Interval < 0 {
			c.errorf(c.at(b, "interval", at), label, "debounce: interval: must not be negative")
		}
		if b.MaxLines < 0 || b.MaxLines == 0 && c.cfg.written(b, "max_lines") {
			c.errorf(c.at(b, "max_lines", at), label, "debounce: max_lines: must be at least 1")
		}
	}
}

// mentionRE accepts @all, @here, @name (a Matrix @user:server too), an
// email address, a numeric user id or a Slack member id.
var mentionRE = regexp.MustCompile(`^(@[\p{L}\p{N}._-]+(:[A-Za-z0-9.-]+(:\d+)?)?|[\p{L}\p{N}._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\d+|[UW][A-Z0-9]{2,})$`)
