package service

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/sdnotifytest"
)

// TestNoSecretInAnyOutput runs the daemon with a token HipChat refuses, so
// that every failure path runs, and looks for the token in everything
// the daemon says: logs, the metrics page, /healthz, sd_notify messages
// and the errors of a failed reload. (The `check` command's output is
// looked at by the command's own test.)
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
	ns := sdnotifytest.Capture(t)
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
	h.s.reload("test")

	_, metrics := h.get("/metrics")
	h.s.now = func() time.Time { return time.Now().Add(time.Hour) }
	_, healthz := h.get("/healthz")

	if _, err := ns.Wait(regexp.MustCompile(`^READY=1\nSTATUS=`), 10*time.Second); err != nil { // the reload's
		t.Fatal(err)
	}
	sdMsgs := ns.Pending()
	outputs := map[string]string{
		"logs": h.logs.String(), "metrics": metrics, "healthz": healthz,
		"sd_notify": strings.Join(sdMsgs, "\n"),
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
}
