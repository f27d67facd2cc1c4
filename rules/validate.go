package rules

import (
	"regexp"
	"slices"

	"github.com/roomwatch/roomwatch/config"
)

// oneOf checks that an optional value is one of want in a rule or
// `defaults`; label names it.
func (c *compiler) oneOf(s *config.RuleSpec, label, key, value string, want ...string) bool {
	if value == "" && !c.cfg.Written(s, key) || slices.Contains(want, value) {
		return true
	}
	c.errorf(c.at(s, key, s.At), label, "%s: want %s, got %q%s", key, config.OrList(want), value, config.DidYouMean(value, want))
	return false
}

// notInDefaults are the rule keys that make no sense for every rule.
var notInDefaults = []string{"name", "match", "action", "continue"}

// defaults checks the `defaults` section once, so that its problems are
// reported once and not for every rule.
func (c *compiler) defaults() {
	d := &c.cfg.Defaults
	set := map[string]bool{"name": d.Name != "", "match": d.Match.IsSet(), "action": d.Action != "", "continue": d.Continue}
	for _, k := range notInDefaults {
		if set[k] || c.cfg.Written(d, k) {
			c.errorf(c.cfg.KeyAt(d, k, d.At), "defaults", "key %q is not allowed in defaults", k)
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
func (c *compiler) checkSpec(s *config.RuleSpec, label string) {
	c.oneOf(s, label, "action", s.Action, "notify", "drop")
	c.oneOf(s, label, "color", s.Color, Colors...)
	c.oneOf(s, label, "format", s.Format, "text", "html")
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
		if b.MaxLines < 0 || b.MaxLines == 0 && c.cfg.Written(b, "max_lines") {
			c.errorf(c.at(b, "max_lines", at), label, "debounce: max_lines: must be at least 1")
		}
	}
}

// mentionRE accepts @all, @here, @name (a Matrix @user:server too), an
// email address, a numeric user id or a Slack member id.
var mentionRE = regexp.MustCompile(`^(@[\p{L}\p{N}._-]+(:[A-Za-z0-9.-]+(:\d+)?)?|[\p{L}\p{N}._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\d+|[UW][A-Z0-9]{2,})$`)
