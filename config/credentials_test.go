package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCredentialsDirectory(t *testing.T) {
	creds := t.TempDir() // what systemd makes for LoadCredential=
	writeFiles(t, creds, map[string]string{"hipchat.token": "cred-token\n"})
	tests := []struct {
		name      string
		tokenFile string
		env       map[string]string
		wantToken string
		wantErr   string
	}{
		{name: "braces", tokenFile: "${CREDENTIALS_DIRECTORY}/hipchat.token", env: map[string]string{"CREDENTIALS_DIRECTORY": creds}, wantToken: "cred-token"},
		{name: "plain", tokenFile: "$CREDENTIALS_DIRECTORY/hipchat.token", env: map[string]string{"CREDENTIALS_DIRECTORY": creds}, wantToken: "cred-token"},
		{name: "not set", tokenFile: "${CREDENTIALS_DIRECTORY}/hipchat.token",
			wantErr: `:5:17: destination "ops": token_file: $CREDENTIALS_DIRECTORY is not set (systemd sets it for a unit with LoadCredential=)`},
		{name: "other variables stay", tokenFile: "$HOME/hipchat.token", env: map[string]string{"HOME": creds},
			wantErr: `token_file: open `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"roomwatch.yaml": strings.Replace(secretsConfig, "hipchat.token", tt.tokenFile, 1)})
			opts := testOptions()
			opts.LookupEnv = func(k string) (string, bool) {
				if v, ok := tt.env[k]; ok {
					return v, true
				}
				v, ok := testEnv[k]
				return v, ok
			}
			cfg, err := Load(filepath.Join(dir, "roomwatch.yaml"), opts)
			if tt.wantErr != "" {
				lines := errorLines(t, err)
				if len(lines) != 1 || !strings.Contains(lines[0], tt.wantErr) {
					t.Fatalf("errors = %q, want one holding %q", lines, tt.wantErr)
				}
				if strings.Contains(tt.name, "other") && !strings.Contains(lines[0], "$HOME") {
					t.Errorf("$HOME was expanded: %q", lines[0])
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Destinations["ops"].Token.Reveal(); got != tt.wantToken {
				t.Errorf("token = %q, want %q", got, tt.wantToken)
			}
			if diff := cmp.Diff(filepath.Join(creds, "hipchat.token"), cfg.Destinations["ops"].TokenFile); diff != "" {
				t.Errorf("token_file (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHealthSection(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    Duration
		wantErr string
	}{
		{name: "default", yaml: "", want: Duration(DefaultMaxFailing)},
		{name: "set", yaml: "health:\n  max_failing: 90s\n", want: Duration(90e9)},
		{name: "negative", yaml: "health:\n  max_failing: -1s\n", wantErr: "roomwatch.yaml:2:16: health: max_failing: must not be negative"},
		{name: "unknown key", yaml: "health:\n  max_fail: 1m\n", wantErr: `roomwatch.yaml:2:3: health: unknown key "max_fail"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tt.yaml+header+"  - {name: a, match: x, destination: out}\n"), "roomwatch.yaml", testOptions())
			if tt.wantErr != "" {
				if diff := cmp.Diff([]string{tt.wantErr}, errorLines(t, err)); diff != "" {
					t.Errorf("errors (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Health.MaxFailing != tt.want {
				t.Errorf("max_failing = %v, want %v", cfg.Health.MaxFailing, tt.want)
			}
		})
	}
}
