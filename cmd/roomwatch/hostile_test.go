package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// pipeInProcess runs `roomwatch pipe -c cfg` in this process over input,
// against a fake HipChat server, and returns the exit status, stdout and
// the notifications received.
func pipeInProcess(t *testing.T, cfg string, input []byte) (int, []byte, []hipchattest.Notification) {
	t.Helper()
	srv := hipchattest.New(t, hipchattest.Options{})
	srv.AddRoom(42, "Ops")
	srv.AddToken("tok", hipchattest.Token{})
	dir := t.TempDir()
	file := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	vars := map[string]string{"HIPCHAT_URL": srv.URL, "HIPCHAT_TOKEN": "tok"}
	e := &env{stdin: bytes.NewReader(input), stdout: &stdout, stderr: &stderr,
		getenv: func(k string) string { return vars[k] },
		lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
	code := run([]string{"pipe", "-c", file}, e)
	if stderr.Len() > 0 {
		t.Logf("stderr: %s", stderr.String())
	}
	return code, stdout.Bytes(), srv.Notifications()
}

const hostileConfig = `
destinations:
  hc: {type: hipchat, url_env: HIPCHAT_URL, token_env: HIPCHAT_TOKEN}
defaults: {room: Ops, debounce: {max_lines: 50}}
rules:
  - name: alert
    match: 'ALERT (?P<msg>.*)'
    format: %s
    template: '<b>alert</b> {{.msg}}'
`

// hostileInput is what a crafted log can hold: markup, mentions, a forged
// link, invalid UTF-8, an empty line, a 1 MB line, no final newline.
func hostileInput() []byte {
	var b bytes.Buffer
	b.WriteString("ALERT <b>bold</b> & <script>x</script> @all @here <a href=\"http://evil\">bank</a>\n")
	b.WriteString("ALERT bad \xff\xfe utf8\n")
	b.WriteString("\n")
	b.WriteString("ALERT " + strings.Repeat("A", 1<<20) + "\n")
	b.WriteString("ALERT no final newline")
	return b.Bytes()
}

func TestHostileLinesHTML(t *testing.T) {
	in := hostileInput()
	code, out, got := pipeInProcess(t, strings.Replace(hostileConfig, "%s", "html", 1), in)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !bytes.Equal(out, in) {
		t.Errorf("stdout is not the input unchanged (%d bytes, want %d)", len(out), len(in))
	}
	if len(got) != 1 {
		t.Fatalf("got %d notifications, want one digest", len(got))
	}
	msg := got[0].Message
	t.Logf("message:\n%.600s", msg)
	for _, bad := range []string{"<script>", "<b>bold", "<a href", "\xff"} {
		if strings.Contains(msg, bad) {
			t.Errorf("message holds %q unescaped:\n%.400s", bad, msg)
		}
	}
	for _, want := range []string{"<b>alert</b>", "&lt;b&gt;bold&lt;/b&gt; &amp;", "&lt;a href=", "no final newline"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%.400s", want, msg)
		}
	}
	if !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > 10000 {
		t.Errorf("message is not valid UTF-8 within 10,000 characters (%d)", utf8.RuneCountInString(msg))
	}
	if got[0].Format != "html" {
		t.Errorf("format %q, want html", got[0].Format)
	}
}

func TestHostileLinesText(t *testing.T) {
	in := hostileInput()
	code, _, got := pipeInProcess(t, strings.Replace(hostileConfig, "%s", "text", 1), in)
	if code != exitOK || len(got) != 1 {
		t.Fatalf("exit %d, %d notifications", code, len(got))
	}
	msg := got[0].Message
	for _, mention := range []string{"@all", "@here"} {
		if strings.Contains(msg, mention) {
			t.Errorf("a log line produced the mention %s:\n%.300s", mention, msg)
		}
	}
	if !strings.Contains(msg, "@\u2060all") {
		t.Errorf("the neutralised @all is not shown:\n%.300s", msg)
	}
	if got[0].Format != "text" {
		t.Errorf("format %q, want text", got[0].Format)
	}
}
