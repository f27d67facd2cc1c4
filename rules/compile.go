// Package rules is the compiled rule set: Compile checks the rules and
// `defaults` of a configuration read by package config (colours, formats,
// group_by against the match's captures, templates run on sample data
// with missingkey=error, ...) and resolves every rule against `defaults`
// and the built-in Default* values into a Set, which turns a log line into
// matches (first match, continue, drop, unless). Parse and Load read,
// check and compile a configuration in one step, every problem of each
// stage in one report, `file:line:col: rule "x": key: message`.
//
// Log text reaches templates escaped for the rule's destination and format
// (Options.Escape); the rule's own template text is never escaped.
package rules

import (
	"cmp"
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// Built-in defaults for what neither a rule nor `defaults` sets.
const (
	DefaultWait     = 10 * time.Second
	DefaultInterval = 2 * time.Minute
	DefaultMaxLines = 20
	DefaultColor    = "yellow"
	DefaultFormat   = "text"
)

// Colors are the colours a rule may name (HipChat's set).
var Colors = []string{"yellow", "green", "red", "purple", "gray", "random"}

// Options are what compiling needs from outside the file.
type Options struct {
	// Escape returns the function that neutralises log text for a
	// destination type and a format ("text"|"html"). Nil, or a nil result:
	// html format -> html.EscapeString, text -> unchanged.
	Escape func(destType, format string) func(string) string
	// Host is the value of {{.host}} in templates; "" -> Hostname().
	Host string
	// LookupEnv reads the environment for *_env secrets; nil -> os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Loaded is a configuration and the rule set compiled from it: what the
// daemon and every command run.
type Loaded struct {
	*config.Config
	// Set is the compiled rule set, in the order the rules were written
	// (rules from included files follow the file's own rules).
	Set *Set
}

// Load reads the configuration file at path and parses it with Parse.
func Load(path string, opts Options) (*Loaded, error) {
	data, err := config.ReadRegular(path, config.MaxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(data, path, opts)
}

// Parse decodes a configuration strictly (config.Decode), checks it
// (config.Validate) and compiles its rules. file names it in error places
// and is the base for relative paths. The error, if any, is a
// config.Errors holding every problem found, sorted by place; the Loaded
// is then returned too (with the config's Warnings) but must not be run.
func Parse(data []byte, file string, opts Options) (*Loaded, error) {
	cfg, err := config.Decode(data, file)
	if !cfg.Decoded() {
		return &Loaded{Config: cfg}, err
	}
	errs, _ := err.(config.Errors)
	l, err := Build(cfg, opts)
	if err != nil {
		errs = append(errs, err.(config.Errors)...)
	}
	if len(errs) > 0 {
		return l, config.SortErrors(errs)
	}
	return l, nil
}

// Build checks a decoded configuration, or one built from flags, with
// config.Validate and compiles its rules with Compile, reporting the
// problems of both at once. Like both, it changes cfg and must run once
// per Config.
func Build(cfg *config.Config, opts Options) (*Loaded, error) {
	errs, _ := config.Validate(cfg, config.Options{LookupEnv: opts.LookupEnv}).(config.Errors)
	set, err := Compile(cfg, opts)
	if err != nil {
		errs = append(errs, err.(config.Errors)...)
	}
	if len(errs) > 0 {
		return &Loaded{Config: cfg}, config.SortErrors(errs)
	}
	return &Loaded{Config: cfg, Set: set}, nil
}

// compiler checks the rules of one Config and builds its Set, collecting
// every problem.
type compiler struct {
	cfg   *config.Config
	opts  Options
	errs  config.Errors
	warns config.Errors
	// templatesUntil ends the time that checking all the templates of a
	// config may take (TemplatesCheckTime); zero until the first check.
	templatesUntil time.Time
}

// Compile checks the rules and `defaults` of a validated cfg (see
// config.Validate), resolves every rule against `defaults` and the
// built-in defaults, and returns the Set. Its warnings join
// cfg.Warnings. The error, if any, is a config.Errors holding every
// problem.
func Compile(cfg *config.Config, opts Options) (*Set, error) {
	c := &compiler{cfg: cfg, opts: opts}
	if c.opts.Host == "" {
		c.opts.Host = Hostname()
	}
	c.defaults()
	c.bodyTemplates()
	rules := c.rules()
	cfg.Warnings = config.SortErrors(append(cfg.Warnings, c.warns...))
	if len(c.errs) > 0 {
		return nil, config.SortErrors(c.errs)
	}
	return &Set{rules: rules}, nil
}

// errorf records a problem, unless the decoder already rejected the
// value at that place.
func (c *compiler) errorf(at config.Place, label, format string, args ...any) {
	if c.cfg.Rejected(at) {
		return
	}
	c.errs = append(c.errs, config.Error{At: at, Msg: config.Join(label, fmt.Sprintf(format, args...))})
}

func (c *compiler) warnf(at config.Place, label, format string, args ...any) {
	c.warns = append(c.warns, config.Error{At: at, Msg: config.Join(label, fmt.Sprintf(format, args...))})
}

// at returns where key's value was written in owner, else owner's place.
func (c *compiler) at(owner any, key string, def config.Place) config.Place {
	return c.cfg.ValueAt(owner, key, def)
}

// rules compiles every rule in order.
func (c *compiler) rules() []*Rule {
	var out []*Rule
	seen := map[string]config.Place{}
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

func (c *compiler) rule(s *config.RuleSpec, label string, seen map[string]config.Place) *Rule {
	switch first, dup := seen[s.Name]; {
	case s.Name == "" && !c.cfg.Failed(s, "name"):
		c.errorf(s.At, label, "name is required")
	case s.Name == "":
	case dup:
		c.errorf(c.at(s, "name", s.At), label, "name: duplicate rule name, first at %s", first)
	default:
		seen[s.Name] = c.at(s, "name", s.At)
	}
	if !s.Match.IsSet() {
		if !c.cfg.Failed(s, "match") {
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
func (c *compiler) origin(s *config.RuleSpec, set bool, label string) (*config.RuleSpec, string) {
	if set {
		return s, label
	}
	return &c.cfg.Defaults, "defaults"
}

// resolve fills the rule's plain fields from the spec, `defaults` and the
// built-in defaults.
func (c *compiler) resolve(r *Rule, s *config.RuleSpec, label string) {
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
	r.Wait = durationOr(DefaultWait, s.Debounce, d.Debounce, func(b *config.Debounce) *config.Duration { return b.Wait })
	r.Interval = durationOr(DefaultInterval, s.Debounce, d.Debounce, func(b *config.Debounce) *config.Duration { return b.Interval })
	r.MaxLines = DefaultMaxLines
	for _, b := range []*config.Debounce{d.Debounce, s.Debounce} {
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
func durationOr(def time.Duration, rule, dflt *config.Debounce, get func(*config.Debounce) *config.Duration) time.Duration {
	for _, b := range []*config.Debounce{rule, dflt} {
		if b != nil && get(b) != nil {
			return get(b).D()
		}
	}
	return def
}

// groupBy checks that every group_by name is a capture of match.
func (c *compiler) groupBy(r *Rule, s *config.RuleSpec, label string) {
	o, _ := c.origin(s, s.GroupBy != nil, label)
	for i, g := range r.GroupBy {
		if g == "" || !slices.Contains(r.names, g) {
			at := c.at(o, fmt.Sprintf("group_by[%d]", i), c.at(o, "group_by", o.At))
			c.errorf(at, label, "group_by: match has no capture named %q", g)
		}
	}
}

// target resolves the rule's destination and checks its room.
func (c *compiler) target(r *Rule, s *config.RuleSpec, label string) {
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
	c.moreRoom(r, s, label, dest)
	c.matrixRoom(r, s, dest, label)
	if dest.Type == "alertmanager" && dest.ResolveAfter != 0 && dest.ResolveAfter.D() <= r.Interval {
		c.warnf(c.at(dest, "resolve_after", dest.At), label,
			"resolve_after %v is not longer than the debounce interval %v: the alert resolves between two digests of a condition that keeps matching",
			dest.ResolveAfter, r.Interval)
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
	return fmt.Sprintf("unknown destination %q (defined: %s)%s", name, strings.Join(known, ", "), config.DidYouMean(name, known))
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
