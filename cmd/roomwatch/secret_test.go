package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSecretInCheckOutput runs `check` on a config holding a token
// inline and in a file, and on one with the token in a place it is not
// allowed, and looks for the token in what check says. (The daemon's
// outputs are looked at by the service's TestNoSecretInAnyOutput.)
func TestNoSecretInCheckOutput(t *testing.T) {
	const token = "S3cr3tT0kenZ9x"
	config := `destinations:
  hipchat: {type: hipchat, url_env: HIPCHAT_URL, token_file: hipchat.token}
  inline: {type: hipchat, url_env: HIPCHAT_URL, token: ` + token + `}
inputs:
  - path: "-"
rules:
  - {name: disk, match: 'disk full', room: Ops, destination: hipchat, continue: true}
  - {name: leak, match: 'disk', room: Ops, destination: inline}
`
	bad := strings.Replace(config, "type: hipchat, url_env", "type: console, url_env", 1) +
		"  - {name: x, match: '" + token + "(', destination: hipchat}\n"
	dir := t.TempDir()
	for name, content := range map[string]string{"roomwatch.yaml": config, "bad.yaml": bad, "hipchat.token": token + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{"HIPCHAT_URL": "http://127.0.0.1:1"}
	var checkOut, checkErr syncBuffer
	e := &env{stdout: &checkOut, stderr: &checkErr, getenv: func(k string) string { return vars[k] },
		lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	run([]string{"check", filepath.Join(dir, "roomwatch.yaml")}, e)
	run([]string{"check", filepath.Join(dir, "bad.yaml")}, e)

	outputs := map[string]string{"check stdout": checkOut.String(), "check stderr": checkErr.String()}
	for name, out := range outputs {
		if out == "" {
			t.Errorf("%s: empty, so the test proves nothing", name)
		}
		if strings.Contains(out, token) {
			t.Errorf("%s holds the token:\n%s", name, out)
		}
	}
	if !strings.Contains(checkErr.String(), "secret written inline") {
		t.Errorf("check did not warn about the inline token:\n%s", checkErr.String())
	}
}
