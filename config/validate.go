package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Options are what validating needs from outside the file.
type Options struct {
	// LookupEnv reads the environment for *_env secrets; nil -> os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// checker checks one Config, collecting every problem.
type checker struct {
	cfg   *Config
	opts  Options
	errs  Errors
	warns Errors
}

// Validate checks everything in cfg but its rules: the top-level keys,
// inputs and destinations. It changes cfg in place: relative paths are
// resolved, secrets are read from their files and the environment,
// defaults are filled in. So it must run once per Config. It serves
// configs built from flags too (their Places are zero). It sets
// cfg.Warnings; the error, if any, is an Errors holding every problem,
// sorted by place.
func Validate(cfg *Config, opts Options) error {
	if cfg.places == nil {
		cfg.places = places{}
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	c := &checker{cfg: cfg, opts: opts}
	c.top()
	c.inputs()
	c.destinations()
	cfg.Warnings = SortErrors(c.warns)
	if len(c.errs) > 0 {
		return SortErrors(c.errs)
	}
	return nil
}

// errorf records a problem, unless the decoder already rejected the
// value at that place.
func (c *checker) errorf(at Place, label, format string, args ...any) {
	if c.cfg.bad[at] {
		return
	}
	c.errs = append(c.errs, Error{At: at, Msg: Join(label, fmt.Sprintf(format, args...))})
}

func (c *checker) warnf(at Place, label, format string, args ...any) {
	c.warns = append(c.warns, Error{At: at, Msg: Join(label, fmt.Sprintf(format, args...))})
}

// at returns where key's value was written in owner, else def.
func (c *checker) at(owner any, key string, def Place) Place {
	return c.cfg.ValueAt(owner, key, def)
}

// top checks the top-level keys and fills their defaults.
func (c *checker) top() {
	cfg := c.cfg
	cfg.StateDir = cfg.Resolve(cfg.StateDir)
	c.oneOf(Place{File: cfg.File}, &cfg.Log, "log", "level", cfg.Log.Level, "debug", "info", "warn", "error")
	c.oneOf(Place{File: cfg.File}, &cfg.Log, "log", "format", cfg.Log.Format, "text", "json")
	if cfg.Listen != "" {
		if problem := listenProblem(cfg.Listen); problem != "" {
			c.errorf(c.at(cfg, "listen", Place{File: cfg.File}), "listen", "%s", problem)
		}
	}
	if problem := stateDirProblem(cfg.StateDir); problem != "" {
		c.errorf(c.at(cfg, "state_dir", Place{File: cfg.File}), "state_dir", "%s", problem)
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
// holding key, label names it, def is where to point when key was not
// written.
func (c *checker) oneOf(def Place, owner any, label, key, value string, want ...string) bool {
	if value == "" && !c.cfg.Written(owner, key) || slices.Contains(want, value) {
		return true
	}
	c.errorf(c.at(owner, key, def), label, "%s: want %s, got %q%s", key, OrList(want), value, DidYouMean(value, want))
	return false
}

// OrList formats choices as `a, b or c`.
func OrList(want []string) string {
	if len(want) == 1 {
		return want[0]
	}
	return strings.Join(want[:len(want)-1], ", ") + " or " + want[len(want)-1]
}

// inputs checks every input and resolves its paths.
func (c *checker) inputs() {
	for i, in := range c.cfg.Inputs {
		if in == nil {
			continue
		}
		label := fmt.Sprintf("inputs[%d]", i)
		if c.journalInput(in, label) {
			continue
		}
		if in.Path == "" {
			c.errorf(in.At, label, "path or journal is required")
		}
		in.Path = c.cfg.Resolve(in.Path)
		c.oneOf(in.At, in, label, "start", in.Start, "end", "beginning")
		for j, ex := range in.Exclude {
			if _, err := filepath.Match(ex, ""); err != nil {
				c.errorf(c.at(in, fmt.Sprintf("exclude[%d]", j), in.At), label, "exclude: bad pattern %q: %v", ex, err)
			}
		}
		switch {
		case in.MaxLineBytes < 0:
			c.errorf(c.at(in, "max_line_bytes", in.At), label, "max_line_bytes: must not be negative")
		case in.MaxLineBytes == 0:
			in.MaxLineBytes = DefaultMaxLineBytes
		case in.MaxLineBytes > MaxLineBytesLimit:
			c.errorf(c.at(in, "max_line_bytes", in.At), label, "max_line_bytes: at most %d (16 MiB)", MaxLineBytesLimit)
		}
		c.multiline(in, label)
	}
}

func (c *checker) multiline(in *Input, label string) {
	m := in.Multiline
	if m == nil {
		return
	}
	at := c.at(in, "multiline", in.At)
	if !m.Start.IsSet() && !c.cfg.Failed(m, "start") {
		c.errorf(at, label, "multiline: start is required")
	}
	switch {
	case m.Timeout < 0:
		c.errorf(c.at(m, "timeout", at), label, "multiline: timeout: must not be negative")
	case m.Timeout == 0:
		m.Timeout = Duration(DefaultMultilineWait)
	}
}

// health checks the `health` section and fills its defaults.
func (c *checker) health() {
	h := &c.cfg.Health
	switch {
	case h.MaxFailing < 0:
		c.errorf(c.at(h, "max_failing", Place{File: c.cfg.File}), "health", "max_failing: must not be negative")
	case h.MaxFailing == 0:
		h.MaxFailing = Duration(DefaultMaxFailing)
	}
}
