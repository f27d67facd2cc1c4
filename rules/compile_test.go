package rules

import (
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/config"
)

// mustParse parses a config that must be valid.
func mustParse(t *testing.T, text string) *Loaded {
	t.Helper()
	cfg, err := Parse([]byte(text), "roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

// resolved is what a test checks of a compiled rule.
type resolved struct {
	Name, Destination, Room, Color, Format, Mention string
	Notify, Continue                                bool
	Action                                          Action
	GroupBy                                         []string
	Threshold                                       config.Threshold
	Wait, Interval                                  time.Duration
	MaxLines                                        int
}

func resolvedOf(r *Rule) resolved {
	v := resolved{
		Name: r.Name, Room: r.Room, Color: r.Color, Format: r.Format, Mention: r.Mention,
		Notify: r.Notify, Continue: r.Continue, Action: r.Action, GroupBy: r.GroupBy,
		Threshold: r.Threshold, Wait: r.Wait, Interval: r.Interval, MaxLines: r.MaxLines,
	}
	if r.Destination != nil {
		v.Destination = r.Destination.Name
	}
	return v
}

func TestCompileDefaults(t *testing.T) {
	cfg := mustParse(t, `destinations:
  ops: {type: console}
  web: {type: console}
defaults:
  destination: ops
  room: Ops
  color: purple
  notify: true
  group_by: [host]
  threshold: {count: 3, within: 1m}
  debounce: {wait: 5s, max_lines: 7}
rules:
  - name: inherit
    match: '(?P<host>\S+) down'
  - name: override
    match: '(?P<ip>\S+) refused'
    destination: web
    room: Web
    color: red
    format: html
    notify: false
    continue: true
    group_by: [ip]
    threshold: {count: 1, within: 1s}
    debounce: {interval: 1m}
  - name: quiet
    match: 'quiet'
    action: drop
    group_by: []
`)
	base := resolved{
		Name: "inherit", Destination: "ops", Room: "Ops", Color: "purple", Format: "text", Notify: true,
		GroupBy: []string{"host"}, Threshold: config.Threshold{Count: 3, Within: config.Duration(time.Minute)},
		Wait: 5 * time.Second, Interval: DefaultInterval, MaxLines: 7,
	}
	override := resolved{
		Name: "override", Destination: "web", Room: "Web", Color: "red", Format: "html", Continue: true,
		GroupBy: []string{"ip"}, Threshold: config.Threshold{Count: 1, Within: config.Duration(time.Second)},
		Wait: 5 * time.Second, Interval: time.Minute, MaxLines: 7,
	}
	drop := resolved{
		Name: "quiet", Room: "Ops", Color: "purple", Format: "text", Notify: true, Action: ActionDrop,
		GroupBy: []string{}, Threshold: config.Threshold{Count: 3, Within: config.Duration(time.Minute)},
		Wait: 5 * time.Second, Interval: DefaultInterval, MaxLines: 7,
	}
	var got []resolved
	for _, r := range cfg.Set.Rules() {
		got = append(got, resolvedOf(r))
	}
	if diff := cmp.Diff([]resolved{base, override, drop}, got); diff != "" {
		t.Errorf("resolved rules mismatch (-want +got):\n%s", diff)
	}
	if cfg.ShutdownTimeout.D() != config.DefaultShutdownTimeout {
		t.Errorf("shutdown_timeout = %v, want the default %v", cfg.ShutdownTimeout, config.DefaultShutdownTimeout)
	}
}

func TestCompileBuiltinDefaults(t *testing.T) {
	cfg := mustParse(t, "destinations:\n  only: {type: console}\nrules:\n  - {name: a, match: x}\n")
	want := resolved{
		Name: "a", Destination: "only", Color: DefaultColor, Format: DefaultFormat,
		Wait: DefaultWait, Interval: DefaultInterval, MaxLines: DefaultMaxLines,
	}
	if diff := cmp.Diff(want, resolvedOf(cfg.Set.Rules()[0])); diff != "" {
		t.Errorf("rule mismatch (-want +got):\n%s", diff)
	}
	if got := cfg.Destinations["only"].Output; got != "stdout" {
		t.Errorf("console output = %q, want stdout", got)
	}
}

func TestMentionForcesText(t *testing.T) {
	cfg := mustParse(t, "destinations:\n  o: {type: console}\nrules:\n  - {name: a, match: x, mention: '@here', format: html}\n")
	if got := cfg.Set.Rules()[0].Format; got != "text" {
		t.Errorf("format = %q, want text for a rule with mention", got)
	}
	want := []string{`roomwatch.yaml:4:51: rule "a": format: mention needs text format; using text`}
	if diff := cmp.Diff(want, errorLines(t, cfg.Warnings)); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s", diff)
	}
}

func TestCompileResolvesPaths(t *testing.T) {
	cfg, err := Parse([]byte(`state_dir: state
destinations:
  o: {type: console, output: out.log}
inputs:
  - path: logs/*.log
  - path: /var/log/x.log
  - path: "-"
rules:
  - {name: a, match: x}
`), "/etc/roomwatch/roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := []string{cfg.StateDir, cfg.Destinations["o"].Output, cfg.Inputs[0].Path, cfg.Inputs[1].Path, cfg.Inputs[2].Path}
	want := []string{"/etc/roomwatch/state", "/etc/roomwatch/out.log", "/etc/roomwatch/logs/*.log", "/var/log/x.log", "-"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paths mismatch (-want +got):\n%s", diff)
	}
}

// TestCompileFromFlags compiles a config built in code, as the command
// line does: no places, so problems are the message alone.
func TestCompileFromFlags(t *testing.T) {
	cfg, err := Build(&config.Config{
		Destinations: map[string]*config.Destination{"cli": {Type: "hipchat", URL: "https://h.example.com", TokenEnv: "SLACK_URL"}},
		Rules:        []*config.RuleSpec{{Name: "cli", Match: config.Regexp{Regexp: regexp.MustCompile("ERROR")}, Room: "Ops"}},
	}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Set.Rules()[0]; r.Destination.Name != "cli" || r.Room != "Ops" || r.MaxLines != DefaultMaxLines {
		t.Errorf("rule = %+v", resolvedOf(r))
	}

	bad := &config.Config{Rules: []*config.RuleSpec{{Name: "cli", Match: config.Regexp{Regexp: regexp.MustCompile("x")}, Color: "blue"}}}
	want := []string{
		`rule "cli": color: want yellow, green, red, purple, gray or random, got "blue"`,
		`rule "cli": destination is required: no destinations are defined; set destination here or in defaults`,
	}
	if diff := cmp.Diff(want, errorLines(t, buildErr(bad))); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}
}

// buildErr returns the error of Build.
func buildErr(cfg *config.Config) error {
	_, err := Build(cfg, testOptions())
	return err
}

// TestResolveAfterShorterThanInterval: an Alertmanager alert that resolves
// before the rule's next digest can come flaps; check says so.
func TestResolveAfterShorterThanInterval(t *testing.T) {
	cfg := mustParse(t, "destinations:\n  am: {type: alertmanager, url: 'http://am:9093', resolve_after: 5m}\n"+
		"rules:\n  - {name: a, match: x, debounce: {interval: 6m}}\n  - {name: b, match: y, debounce: {interval: 2m}}\n")
	want := []string{`roomwatch.yaml:2:66: rule "a": resolve_after 5m0s is not longer than the debounce interval 6m0s: ` +
		`the alert resolves between two digests of a condition that keeps matching`}
	if diff := cmp.Diff(want, errorLines(t, cfg.Warnings)); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s", diff)
	}
	if got := cfg.Destinations["am"].ResolveAfter.D(); got != 5*time.Minute {
		t.Errorf("resolve_after = %v, want 5m", got)
	}
}
