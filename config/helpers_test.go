package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testEnv is the environment the tests' *_env secrets see.
var testEnv = map[string]string{"SLACK_URL": "https://hooks.slack.com/services/T/B/x", "EMPTY": ""}

func testOptions() Options {
	return Options{
		LookupEnv: func(k string) (string, bool) {
			v, ok := testEnv[k]
			return v, ok
		},
	}
}

// errorLines returns err's problems, one string each; nil for no error.
func errorLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error is %T, want config.Errors: %v", err, err)
	}
	return strings.Split(es.Error(), "\n")
}

// header is a valid start for configs whose rules are under test: one
// console destination (lines 1-4).
const header = `destinations:
  out:
    type: console
rules:
`

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
