package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// escapeLine is a log line that would write the clipboard (OSC 52), set
// the window title (OSC 0), clear the screen and hide text if printed raw.
const escapeLine = "ERROR \x1b]52;c;cHduZWQ=\x07 \x1b]0;title\x07 \x1b[2J \x1b[8mhidden\u202e"

// TestHumanOutputEscapesControls checks every human-facing output that
// shows log text: test, the not-delivered list of pipe, outbox list.
func TestHumanOutputEscapesControls(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte(`state_dir: `+filepath.Join(dir, "state")+`
destinations: {h: {type: webhook, url: "http://127.0.0.1:1/hook", timeout: 1s}}
defaults: {destination: h, room: Ops, debounce: {wait: 10ms, interval: 10ms}}
shutdown_timeout: 1s
rules: [{name: err, match: 'ERROR (?P<what>.*)', group_by: [what]}]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	// runIt returns the exit status and what a person reads: stdout and
	// stderr, or only stderr for pipe, whose stdout is its input unchanged.
	runIt := func(stdin string, args ...string) (int, string) {
		var out, errs bytes.Buffer
		e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errs,
			getenv: func(string) string { return "" }, lookup: func(string) (string, bool) { return "", false }}
		code := run(args, e)
		if args[0] == "pipe" {
			return code, errs.String()
		}
		return code, out.String() + errs.String()
	}
	check := func(what, out string) {
		t.Helper()
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Errorf("%s prints raw control characters: %q", what, out)
		}
		if !strings.Contains(out, `\x1b]52;c;cHduZWQ=\x07`) || !strings.Contains(out, `\u202e`) {
			t.Errorf("%s does not show the escaped line: %q", what, out)
		}
	}
	_, out := runIt(escapeLine+"\n", "test", "-c", cfg)
	check("test", out)
	code, out := runIt(escapeLine+"\n", "pipe", "-c", cfg)
	if code == 0 {
		t.Errorf("pipe exit 0 with the destination down")
	}
	check("pipe's stderr", out)
	_, out = runIt("", "outbox", "list", "-c", cfg)
	check("outbox list", out)
}
