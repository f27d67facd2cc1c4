// Package config owns roomwatch's configuration: its schema, strict YAML
// decoding with file:line:col errors, the checks of everything that is not
// a rule (top-level keys, inputs, destinations and their keys), and
// secrets. It imports nothing of roomwatch's, and it is the only package
// that reads YAML.
//
// Decode reads the YAML into a yaml.Node and walks it against the `yaml`
// tags of Config with a small reflection decoder rather than yaml's own:
// KnownFields reports no column, names Go types, and is silently disabled
// by a struct UnmarshalYAML. The decoder reports unknown keys, wrong types,
// duplicate keys, bad durations and bad regular expressions at their line
// and column, fills the At fields and records where every key and value
// was written (ValueAt, KeyAt). Files named by `include` hold only a
// `rules:` list and their rules follow the main file's.
//
// Validate then checks the meaning of what is not a rule (listen, log,
// health, inputs, destination types and their keys, secrets), reads
// secrets from their files and the environment, resolves relative paths
// against the config file's folder and fills defaults. Every problem is
// returned at once as Errors, sorted by place, each
// `file:line:col: destination "x": key: message`; problems that do not stop
// loading (an inline secret) are in Config.Warnings. The rules themselves
// are checked and compiled by package rules.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultPath is where the daemon looks for its configuration.
const DefaultPath = "/etc/roomwatch/roomwatch.yaml"

// Config is one loaded configuration file, with its included rule files.
type Config struct {
	// File is the path the configuration was loaded from.
	File string `yaml:"-"`

	StateDir        string                  `yaml:"state_dir"`
	Listen          string                  `yaml:"listen"`
	Include         []string                `yaml:"include"`
	Log             LogConfig               `yaml:"log"`
	ShutdownTimeout Duration                `yaml:"shutdown_timeout"`
	Health          Health                  `yaml:"health"`
	Destinations    map[string]*Destination `yaml:"destinations"`
	Defaults        RuleSpec                `yaml:"defaults"`
	Inputs          []*Input                `yaml:"inputs"`
	Rules           []*RuleSpec             `yaml:"rules"`

	// Warnings are problems that do not stop the config from loading, such
	// as an inline secret.
	Warnings Errors `yaml:"-"`

	// places holds where each key was written, for configs read from YAML.
	places places
	// bad holds the places of values the decoder rejected, so that checks
	// do not report them a second time.
	bad map[Place]bool
	// partial is set when decoding stopped part way.
	partial bool
}

// LogConfig is the `log` section.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// Health is the `health` section: when /healthz reports the daemon
// unhealthy.
type Health struct {
	// MaxFailing is how long a destination may keep failing before the
	// daemon is unhealthy; DefaultMaxFailing when not set.
	MaxFailing Duration `yaml:"max_failing"`
}

// Destination is one entry of `destinations`. Which keys are allowed
// depends on Type; secrets may be given inline, as <key>_file or <key>_env.
type Destination struct {
	// Name is the destination's key in the `destinations` map.
	Name string `yaml:"-"`
	At   Place  `yaml:"-"`

	Type string `yaml:"type"` // hipchat | slack | mattermost | discord | teams | matrix | webhook | alertmanager | console | email | ntfy | telegram | googlechat

	URL            Secret            `yaml:"url"`
	URLFile        string            `yaml:"url_file"`
	URLEnv         string            `yaml:"url_env"`
	Token          Secret            `yaml:"token"`
	TokenFile      string            `yaml:"token_file"`
	TokenEnv       string            `yaml:"token_env"`
	WebhookURL     Secret            `yaml:"webhook_url"`
	WebhookURLFile string            `yaml:"webhook_url_file"`
	WebhookURLEnv  string            `yaml:"webhook_url_env"`
	From           string            `yaml:"from"`
	Username       string            `yaml:"username"`
	Headers        map[string]Secret `yaml:"headers"`
	Output         string            `yaml:"output"`
	Timeout        Duration          `yaml:"timeout"`
	// email: the SMTP server (host:port), its password (a secret) and
	// how the connection is encrypted.
	SMTP         string `yaml:"smtp,omitempty"`
	Password     Secret `yaml:"password,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
	StartTLS     string `yaml:"starttls,omitempty"` // auto (default) | always | never
	TLS          bool   `yaml:"tls,omitempty"`      // implicit TLS (port 465)
	// APIURL is the Telegram Bot API server.
	APIURL string `yaml:"api_url,omitempty"`
	// BodyTemplate and ContentType make the webhook's request body; Body
	// is BodyTemplate compiled (nil when unset).
	BodyTemplate string       `yaml:"body_template,omitempty"`
	ContentType  string       `yaml:"content_type,omitempty"`
	Body         BodyRenderer `yaml:"-"`
	// RateLimit overrides the destination type's own rate limits.
	RateLimit *RateLimit `yaml:"rate_limit"`
	// OutboxMaxBytes caps the destination's outbox (0: the default).
	OutboxMaxBytes int64 `yaml:"outbox_max_bytes"`
	// ResolveAfter (alertmanager) is how long after each POST an alert
	// resolves unless a later digest keeps it firing; 0: the larger of 5m
	// and twice the rule's interval.
	ResolveAfter Duration `yaml:"resolve_after"`
}

// RateLimit is a destination's `rate_limit` section: how many messages
// roomwatch sends before the server has to refuse them. An unset rate
// keeps the destination type's default.
type RateLimit struct {
	PerRoom        Rate `yaml:"per_room"`        // messages to one room
	PerDestination Rate `yaml:"per_destination"` // all messages: one token or webhook
}

// Rate is a rate written as N/DURATION ("30/1m", "500/5m", "1/1s"), or
// "none" for no limit.
type Rate string

// Parse returns the rate's count and window; 0 and 0 for "none".
func (r Rate) Parse() (int, time.Duration, error) {
	if r == "none" {
		return 0, 0, nil
	}
	ns, ds, ok := strings.Cut(string(r), "/")
	n, err := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err != nil || n <= 0 {
		return 0, 0, fmt.Errorf("want N/DURATION like 30/1m, or none; got %q", string(r))
	}
	d, err := time.ParseDuration(strings.TrimSpace(ds))
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("want N/DURATION like 30/1m, or none; got %q", string(r))
	}
	return n, d, nil
}

// Input is one entry of `inputs`.
type Input struct {
	At Place `yaml:"-"`

	Path         string     `yaml:"path"` // a path, a glob, or "-" for standard input
	Journal      *Journal   `yaml:"journal"`
	Exclude      []string   `yaml:"exclude"`
	Start        string     `yaml:"start"` // end | beginning
	Multiline    *Multiline `yaml:"multiline"`
	MaxLineBytes int        `yaml:"max_line_bytes"`
}

// Multiline joins continuation lines to the event before them.
type Multiline struct {
	Start   Regexp   `yaml:"start"`
	Timeout Duration `yaml:"timeout"`
}

// RuleSpec is one entry of `rules`, or the `defaults` section. Pointer and
// zero fields are unset and take the default's value.
type RuleSpec struct {
	At Place `yaml:"-"`

	Name           string     `yaml:"name"`
	Match          Regexp     `yaml:"match"`
	Unless         Regexp     `yaml:"unless"`
	Action         string     `yaml:"action"` // notify (default) | drop
	Continue       bool       `yaml:"continue"`
	Destination    string     `yaml:"destination"`
	Room           string     `yaml:"room"`
	Color          string     `yaml:"color"`
	Format         string     `yaml:"format"`
	Notify         *bool      `yaml:"notify"`
	Mention        string     `yaml:"mention"`
	Template       string     `yaml:"template"`
	DigestTemplate string     `yaml:"digest_template"`
	GroupBy        []string   `yaml:"group_by"`
	Threshold      *Threshold `yaml:"threshold"`
	Debounce       *Debounce  `yaml:"debounce"`
}

// Threshold holds a key back until Count matches fall inside Within.
type Threshold struct {
	Count  int      `yaml:"count"`
	Within Duration `yaml:"within"`
}

// Debounce says how matches of one key are collected into digests.
type Debounce struct {
	Wait     *Duration `yaml:"wait"`
	Interval *Duration `yaml:"interval"`
	MaxLines int       `yaml:"max_lines"`
}

// Built-in defaults for what the configuration does not set.
const (
	DefaultShutdownTimeout = 10 * time.Second
	DefaultMaxFailing      = 10 * time.Minute
	DefaultMultilineWait   = time.Second
	// DefaultMaxLineBytes is the length at which a line is cut when an
	// input does not set max_line_bytes.
	DefaultMaxLineBytes = 64 << 10
	// MaxLineBytesLimit is the largest max_line_bytes.
	MaxLineBytesLimit = 16 << 20
)

// Types are the destination types.
var Types = []string{"hipchat", "slack", "mattermost", "discord", "teams", "matrix", "webhook", "alertmanager", "console",
	"email", "ntfy", "telegram", "googlechat"}
