package config

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// Place is where something was written: file, line and column (1-based).
type Place struct {
	File string
	Line int
	Col  int
}

// String formats the place as file:line:col.
func (p Place) String() string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is one problem in a configuration, with its place.
type Error struct {
	At  Place
	Msg string
}

// Error formats the problem as `file:line:col: message`.
// A problem without a place (in a config built from flags) is the message
// alone.
func (e Error) Error() string {
	if e.At == (Place{}) {
		return e.Msg
	}
	return e.At.String() + ": " + e.Msg
}

// Errors is every problem found in a configuration, in file order.
type Errors []Error

// Error prints one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Duration is a Go duration written as a string ("30s", "5m").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats the duration the way it is written.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalYAML prints the duration the way it is written ("30s").
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Regexp is a compiled Go (RE2) regular expression; the zero value is unset.
type Regexp struct {
	*regexp.Regexp
}

// IsSet reports whether a pattern was given.
func (r Regexp) IsSet() bool { return r.Regexp != nil }

// MarshalYAML prints the pattern as written; an unset pattern is empty.
func (r Regexp) MarshalYAML() (any, error) {
	if r.Regexp == nil {
		return "", nil
	}
	return r.String(), nil
}

// Secret is a value that must never be printed: a token or a URL holding
// one. It prints as <secret> through fmt, slog and YAML.
type Secret string

const redacted = "<secret>"

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer, so %#v does not leak it either.
func (s Secret) GoString() string { return s.String() }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalYAML prints the secret as <secret>.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalText prints the secret as <secret>, for JSON and other encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret itself, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }
