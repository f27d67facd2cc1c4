package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/tailer"
	"go.yaml.in/yaml/v3"
)

func ruleNames(s *Set) []string {
	var names []string
	for _, r := range s.Rules() {
		names = append(names, r.Name)
	}
	return names
}

func TestLoadIncludes(t *testing.T) {
	cfg, err := Load("testdata/include/roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"main", "web", "web-errors", "db"}
	if diff := cmp.Diff(want, ruleNames(cfg.Set)); diff != "" {
		t.Errorf("rule order mismatch (-want +got):\n%s", diff)
	}
	if got := cfg.Set.Rules()[1].At.File; got != "testdata/include/rules.d/10-web.yaml" {
		t.Errorf("included rule's file = %q", got)
	}
}

func TestLoadIncludeErrorsNameTheFile(t *testing.T) {
	_, err := Load("testdata/badinclude/roomwatch.yaml", testOptions())
	want := []string{
		`testdata/badinclude/rules.d/bad.yaml:1:1: unknown key "destinations"`,
		`testdata/badinclude/rules.d/bad.yaml:3:11: rule "x": name: duplicate rule name, first at testdata/badinclude/roomwatch.yaml:6:11`,
		`testdata/badinclude/rules.d/bad.yaml:4:12: rule "x": match: missing closing )`,
		`testdata/badinclude/rules.d/bad.yaml:7:5: rule "y": unknown key "colour"; did you mean "color"?`,
	}
	if diff := cmp.Diff(want, errorLines(t, err)); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), testOptions())
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("Load of a missing file: err = %v, want one naming the file", err)
	}
}

// writeFiles writes name -> content files into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

const secretsConfig = `destinations:
  ops:
    type: hipchat
    url: https://hipchat.example.com
    token_file: hipchat.token
    from: web-01
  team:
    type: slack
    webhook_url_env: SLACK_URL
rules:
  - {name: a, match: x, destination: ops, room: Ops}
`

func TestSecretsFromFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"roomwatch.yaml": secretsConfig, "hipchat.token": "s3cret-token\n"})
	cfg, err := Load(filepath.Join(dir, "roomwatch.yaml"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	ops, team := cfg.Destinations["ops"], cfg.Destinations["team"]
	if got := ops.Token.Reveal(); got != "s3cret-token" {
		t.Errorf("token from file = %q, want s3cret-token", got)
	}
	if want := filepath.Join(dir, "hipchat.token"); ops.TokenFile != want {
		t.Errorf("token_file = %q, want it resolved to %q", ops.TokenFile, want)
	}
	if got := team.WebhookURL.Reveal(); got != testEnv["SLACK_URL"] {
		t.Errorf("webhook_url from env = %q", got)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings = %v, want none", cfg.Warnings)
	}
	out, err := yaml.Marshal(cfg.Config)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"s3cret-token", "hooks.slack.com"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("marshaled config leaks %q:\n%s", leak, out)
		}
	}
	if n := strings.Count(string(out), "<secret>"); n != 3 {
		t.Errorf("marshaled config holds %d <secret>, want 3 (url, token, webhook_url):\n%s", n, out)
	}
}

func TestSecretFileMissing(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"roomwatch.yaml": secretsConfig, "empty.token": "\n"})
	_, err := Load(filepath.Join(dir, "roomwatch.yaml"), testOptions())
	file := filepath.Join(dir, "roomwatch.yaml")
	want := []string{file + ":5:17: destination \"ops\": token_file: open " +
		filepath.Join(dir, "hipchat.token") + ": no such file or directory"}
	if diff := cmp.Diff(want, errorLines(t, err)); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}

	writeFiles(t, dir, map[string]string{"roomwatch.yaml": strings.Replace(secretsConfig, "hipchat.token", "empty.token", 1)})
	_, err = Load(file, testOptions())
	want = []string{file + ":5:17: destination \"ops\": token_file: " + filepath.Join(dir, "empty.token") + " is empty"}
	if diff := cmp.Diff(want, errorLines(t, err)); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}
}

func TestInlineSecretWarnings(t *testing.T) {
	config := `destinations:
  ops:
    type: hipchat
    url: https://hipchat.example.com
    token: abc
  team:
    type: slack
    webhook_url: https://hooks.slack.com/services/T/B/x
  hook:
    type: webhook
    url: https://user:pass@example.com/hook
    headers: {Authorization: Bearer x, Content-Language: en}
  am:
    type: alertmanager
    url: http://am:9093
rules:
  - {name: a, match: x, destination: ops, room: Ops}
`
	cfg, err := Parse([]byte(config), "roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`roomwatch.yaml:5:12: destination "ops": token: secret written inline; use token_file or token_env`,
		`roomwatch.yaml:8:18: destination "team": webhook_url: secret written inline; use webhook_url_file or webhook_url_env`,
		`roomwatch.yaml:11:10: destination "hook": url: secret written inline; use url_file or url_env`,
		`roomwatch.yaml:12:14: destination "hook": headers: Authorization: secret written inline; keep this file private`,
	}
	if diff := cmp.Diff(want, errorLines(t, cfg.Warnings)); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s", diff)
	}
	out, err := yaml.Marshal(cfg.Config)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"abc", "pass", "Bearer", "hooks.slack.com"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("marshaled config leaks %q:\n%s", leak, out)
		}
	}
}

// TestLoadDesignExample loads the example configuration of the design.
func TestLoadDesignExample(t *testing.T) {
	cfg, err := Load("testdata/design/roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"drop-healthchecks", "nginx-critical", "ssh-bruteforce"}, ruleNames(cfg.Set)); diff != "" {
		t.Errorf("rules mismatch (-want +got):\n%s", diff)
	}
	ms := cfg.Set.Match(tailer.Line{Text: "2026/01/02 [crit] 12#0: upstream gone"}, nil)
	if len(ms) != 1 || ms[0].Text != "crit on web-01: 2026/01/02 [crit] 12#0: upstream gone" {
		t.Errorf("matches = %+v", ms)
	}
	if got := cfg.Destinations["team-slack"].WebhookURL.Reveal(); got != "https://hooks.slack.com/services/T0/B0/secret" {
		t.Errorf("webhook_url from file = %q", got)
	}
}

// TestDesignExampleOnRealLog runs the example's rules over a real sshd log:
// every "Failed password" line is an ssh-bruteforce match with its address,
// but for the one whose user name is blank ("invalid user  0101"), which
// the example's \S+ does not take.
func TestDesignExampleOnRealLog(t *testing.T) {
	cfg, err := Load("testdata/design/roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../testdata/loghub/OpenSSH_2k.log")
	if err != nil {
		t.Fatal(err)
	}
	want, got := 0, 0
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if strings.Contains(line, "Failed password") && !strings.Contains(line, "user  ") {
			want++
		}
		for _, m := range cfg.Set.Match(tailer.Line{Text: line}, nil) {
			if m.Rule.Name != "ssh-bruteforce" || m.Group[0] == "" || m.Rule.Captures(line)["user"] == "" {
				t.Fatalf("unexpected match %+v", m)
			}
			got++
		}
	}
	if want == 0 || got != want {
		t.Errorf("ssh-bruteforce matched %d lines, want %d", got, want)
	}
}
