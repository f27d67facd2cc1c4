package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestNoSecretInAnyOutput runs the daemon with a token HipChat refuses, so
// that every failure path runs, and looks for the token in everything
// roomwatch says: logs, the metrics page, /healthz, sd_notify messages,
// `check` output and the errors of a failed reload.
func TestNoSecretInAnyOutput(t *testing.T) {
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
	ns := captureNotify(t)
	r, w := io.Pipe()
	h := startDaemon(t, config, map[string]string{"hipchat.token": token + "\n"}, r, nil)
	t.Cleanup(func() { w.Close() })
	io.WriteString(w, "ERROR disk full token="+"<not the secret>\n")
	w.Close()
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "not delivered") {
		t.Fatalf("the refused token did not make delivery fail:\n%s", h.logs)
	}

	// A reload with the token in a place it is not allowed.
	bad := strings.Replace(config, "type: hipchat, url_env", "type: console, url_env", 1) +
		"  - {name: x, match: '" + token + "(', destination: hipchat}\n"
	if err := os.WriteFile(h.path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	h.o.reload("test")

	_, metrics := h.get("/metrics")
	h.o.now = func() time.Time { return time.Now().Add(time.Hour) }
	_, healthz := h.get("/healthz")
	var checkOut, checkErr syncBuffer
	e := &env{stdout: &checkOut, stderr: &checkErr, getenv: h.e.getenv, lookup: h.e.lookup}
	os.WriteFile(h.path, []byte(config), 0o600)
	run([]string{"check", h.path}, e)
	os.WriteFile(filepath.Join(h.dir, "bad.yaml"), []byte(bad), 0o600)
	run([]string{"check", filepath.Join(h.dir, "bad.yaml")}, e)

	if _, err := ns.wait(regexp.MustCompile(`^READY=1\nSTATUS=`), 10*time.Second); err != nil { // the reload's
		t.Fatal(err)
	}
	var sdMsgs []string
	for len(ns.msgs) > 0 {
		sdMsgs = append(sdMsgs, (<-ns.msgs).text)
	}
	outputs := map[string]string{
		"logs": h.logs.String(), "metrics": metrics, "healthz": healthz,
		"sd_notify": strings.Join(sdMsgs, "\n"), "check stdout": checkOut.String(), "check stderr": checkErr.String(),
	}
	for name, out := range outputs {
		if out == "" {
			t.Errorf("%s: empty, so the test proves nothing", name)
		}
		if strings.Contains(out, token) {
			t.Errorf("%s holds the token:\n%s", name, out)
		}
	}
	for _, want := range []string{"config not reloaded", "status 401"} {
		if !strings.Contains(h.logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, h.logs)
		}
	}
	if !strings.Contains(checkErr.String(), "secret written inline") {
		t.Errorf("check did not warn about the inline token:\n%s", checkErr.String())
	}
}
