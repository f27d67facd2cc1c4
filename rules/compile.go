package rules

import (
	"cmp"
	"fmt"
	"html"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
)

// compiler checks one Config and builds its Set, collecting every problem.
type compiler struct {
	cfg   *Config
	opts  Options
	errs  Errors
	warns Errors
}

// Compile validates cfg, resolves every rule against `defaults` and the
// built-in defaults, and sets cfg.Set and cfg.Warnings. It changes cfg in
// place: relative paths are resolved, secrets are read from their files
// and the environment, defaults are filled in. So it must run once per
// Config. It serves configs built from flags too (their Places are zero).
// The error, if any, is an Errors holding every problem.
func Compile(cfg *Config, opts Options) error {
	if cfg.places == nil {
		cfg.places = places{}
	}
	c := &compiler{cfg: cfg, opts: opts}
	if c.opts.Host == "" {
		c.opts.Host = Hostname()
	}
	if c.opts.LookupEnv == nil {
		c.opts.LookupEnv = os.LookupEnv
	}
	c.top()
	c.inputs()
	c.destinations()
	c.defaults()
	rules := c.rules()
	cfg.Warnings = sortErrors(c.warns)
	if len(c.errs) > 0 {
		return sortErrors(c.errs)
	}
	cfg.Set = &Set{rules: rules}
	return nil
}

// errorf records a problem, unless the decoder already rejected the
// value at that place.
func (c *compiler) errorf(at Place, label, format string, args ...any) {
	if c.cfg.bad[at] {
		return
	}
	c.errs = append(c.errs, Error{At: at, Msg: join(label, fmt.Sprintf(format, args...))})
}

func (c *compiler) warnf(at Place, label, format string, args ...any) {
	c.warns = append(c.warns, Error{At: at, Msg: join(label, fmt.Sprintf(format, args...))})
}

// at returns where key's value was written in owner, else owner's place.
func (c *compiler) at(owner any, key string, def Place) Place {
	return c.cfg.placeOf(owner, key, def)
}

// rules compiles every rule in order.
func (c *compiler) rules() []*Rule {
	var out []*Rule
	seen := map[string]Place{}
	index := map[string]int{}
	for _, s := range c.cfg.Rules {
		if s == nil {
			continue
		}
		label := fmt.Sprintf("rules[%d]", index[s.At.File])
		index[s.At.File]++
		if s.Name != "" {
			label = fmt.Sprintf("rule %q", s.Name)
		}
		c.checkSpec(s, label)
		if r := c.rule(s, label, seen); r != nil {
			out = append(out, r)
		}
	}
	return out
}

func (c *compiler) rule(s *RuleSpec, label string, seen map[string]Place) *Rule {
	switch first, dup := seen[s.Name]; {
	case s.Name == "" && !c.cfg.failed(s, "name"):
		c.errorf(s.At, label, "name is required")
	case s.Name == "":
	case dup:
		c.errorf(c.at(s, "name", s.At), label, "name: duplicate rule name, first at %s", first)
	default:
		seen[s.Name] = c.at(s, "name", s.At)
	}
	if !s.Match.IsSet() {
		if !c.cfg.failed(s, "match") {
			c.errorf(s.At, label, "match is required")
		}
		return nil
	}
	d := &c.cfg.Defaults
	r := &Rule{
		Name: s.Name, At: s.At, Continue: s.Continue, host: c.opts.Host,
		match: s.Match.Regexp, names: s.Match.SubexpNames(),
		unless: cmp.Or(s.Unless.Regexp, d.Unless.Regexp),
	}
	if s.Action == "drop" {
		r.Action = ActionDrop
	}
	c.resolve(r, s, label)
	c.groupBy(r, s, label)
	destType := ""
	if r.Action == ActionNotify {
		c.target(r, s, label)
		if r.Destination != nil {
			destType = r.Destination.Type
		}
	}
	r.escape = c.escaper(destType, r.Format)
	c.templates(r, s, label)
	return r
}

// origin returns the spec a field's value comes from: the rule when it
// set the field, else `defaults`; and the label to name it by.
func (c *compiler) origin(s *RuleSpec, set bool, label string) (*RuleSpec, string) {
	if set {
		return s, label
	}
	return &c.cfg.Defaults, "defaults"
}

// resolve fills the rule's plain fields from the spec, `defaults` and the
// built-in defaults.
func (c *compiler) resolve(r *Rule, s *RuleSpec, label string) {
	d := &c.cfg.Defaults
	r.Color = cmp.Or(s.Color, d.Color, DefaultColor)
	r.Format = cmp.Or(s.Format, d.Format, DefaultFormat)
	r.Room = cmp.Or(s.Room, d.Room)
	r.Mention = cmp.Or(s.Mention, d.Mention)
	if n := cmp.Or(s.Notify, d.Notify); n != nil {
		r.Notify = *n
	}
	if t := cmp.Or(s.Threshold, d.Threshold); t != nil {
		r.Threshold = *t
	}
	r.GroupBy = s.GroupBy
	if s.GroupBy == nil {
		r.GroupBy = d.GroupBy
	}
	r.Wait = durationOr(DefaultWait, s.Debounce, d.Debounce, func(b *Debounce) *Duration { return b.Wait })
	r.Interval = durationOr(DefaultInterval, s.Debounce, d.Debounce, func(b *Debounce) *Duration { return b.Interval })
	r.MaxLines = DefaultMaxLines
	for _, b := range []*Debounce{d.Debounce, s.Debounce} {
		if b != nil && b.MaxLines != 0 {
			r.MaxLines = b.MaxLines
		}
	}
	if r.Mention != "" && r.Format != "text" {
		o, ol := c.origin(s, s.Format != "", label)
		c.warnf(c.at(o, "format", o.At), ol, "format: mention needs text format; using text")
		r.Format = "text"
	}
}

// durationOr returns the first duration set in the rule's or the
// defaults' debounce, else def.
func durationOr(def time.Duration, rule, dflt *Debounce, get func(*Debounce) *Duration) time.Duration {
	for _, b := range []*Debounce{rule, dflt} {
		if b != nil && get(b) != nil {
			return get(b).D()
		}
	}
	return def
}

// groupBy checks that every group_by name is a capture of match.
func (c *compiler) groupBy(r *Rule, s *RuleSpec, label string) {
	o, _ := c.origin(s, s.GroupBy != nil, label)
	for i, g := range r.GroupBy {
		if g == "" || !slices.Contains(r.names, g) {
			at := c.at(o, fmt.Sprintf("group_by[%d]", i), c.at(o, "group_by", o.At))
			c.errorf(at, label, "group_by: match has no capture named %q", g)
		}
	}
}

// target resolves the rule's destination and checks its room.
func (c *compiler) target(r *Rule, s *RuleSpec, label string) {
	d := &c.cfg.Defaults
	name := cmp.Or(s.Destination, d.Destination)
	if name == "" {
		if len(c.cfg.Destinations) != 1 {
			c.errorf(s.At, label, "destination is required: %s; set destination here or in defaults",
				destCount(len(c.cfg.Destinations)))
			return
		}
		for n := range c.cfg.Destinations {
			name = n
		}
	}
	dest := c.cfg.Destinations[name]
	if dest == nil {
		if s.Destination != "" {
			c.errorf(c.at(s, "destination", s.At), label, "destination: %s", c.unknownDest(name))
		}
		return
	}
	r.Destination = dest
	if r.Room == "" && (dest.Type == "hipchat" || dest.Type == "matrix") {
		c.errorf(s.At, label, "room is required for %s destination %q", dest.Type, name)
	}
	if dest.Type == "hipchat" && strings.Contains(r.Room, "/") {
		o, ol := c.origin(s, s.Room != "", label)
		c.errorf(c.at(o, "room", o.At), ol,
			"room %q: HipChat cannot address a room name holding '/'; use the room's numeric id", r.Room)
	}
}

func destCount(n int) string {
	switch n {
	case 0:
		return "no destinations are defined"
	case 1:
		return "1 destination is defined"
	}
	return fmt.Sprintf("%d destinations are defined", n)
}

func (c *compiler) unknownDest(name string) string {
	known := slices.Sorted(maps.Keys(c.cfg.Destinations))
	if len(known) == 0 {
		return fmt.Sprintf("unknown destination %q (no destinations are defined)", name)
	}
	return fmt.Sprintf("unknown destination %q (defined: %s)%s", name, strings.Join(known, ", "), DidYouMean(name, known))
}

// escaper returns how log text is neutralised for a destination type and
// a format.
func (c *compiler) escaper(destType, format string) func(string) string {
	if c.opts.Escape != nil {
		if f := c.opts.Escape(destType, format); f != nil {
			return f
		}
	}
	if format == "html" {
		return html.EscapeString
	}
	return func(s string) string { return s }
}
