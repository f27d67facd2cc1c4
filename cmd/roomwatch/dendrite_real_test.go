package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

// dendriteVersion is the Dendrite that CI builds (.ci/setup/30-dendrite.sh)
// into $ROOMWATCH_CI_CACHE/dendrite-<version>/.
const dendriteVersion = "v0.13.8"

// dendrite is a real Matrix homeserver started by a test: server name
// localhost, no federation, SQLite in a temporary folder.
type dendrite struct {
	t    *testing.T
	dir  string // the cache folder of the binaries
	work string // the server's folder: config, key, databases
	url  string // http://127.0.0.1:PORT
	cfg  string // dendrite.yaml
}

// startDendrite starts Dendrite and waits until it answers.
func startDendrite(t *testing.T) *dendrite {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a real Dendrite")
	}
	binDir := filepath.Join(realtest.CacheDir(), "dendrite-"+dendriteVersion)
	for _, name := range []string{"dendrite", "create-account", "generate-config", "generate-keys"} {
		if fi, err := os.Stat(filepath.Join(binDir, name)); err != nil || fi.Mode()&0o111 == 0 {
			realtest.Missing(t, "Dendrite "+dendriteVersion+" ("+filepath.Join(binDir, name)+")",
				"bash .ci/setup/30-dendrite.sh builds it")
		}
	}
	work := t.TempDir()
	data := filepath.Join(work, "data")
	if err := os.MkdirAll(filepath.Join(data, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(filepath.Join(binDir, name), args...)
		cmd.Dir = work
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		return out
	}
	run("generate-keys", "--private-key", "matrix_key.pem")
	conf := string(run("generate-config", "-ci", "-dir", data))
	// No federation, and no open registration: accounts come from
	// create-account with the shared secret -ci sets.
	for _, r := range [][2]string{{"disable_federation: false", "disable_federation: true"},
		{"registration_disabled: false", "registration_disabled: true"}} {
		if !strings.Contains(conf, r[0]) {
			t.Fatalf("generate-config wrote no %q", r[0])
		}
		conf = strings.Replace(conf, r[0], r[1], 1)
	}
	d := &dendrite{t: t, dir: binDir, work: work, cfg: filepath.Join(work, "dendrite.yaml")}
	writeFile(t, d.cfg, conf)
	addr := realtest.Addr(t)
	d.url = "http://" + addr
	startServer(t, work, filepath.Join(binDir, "dendrite"), "--config", d.cfg, "--http-bind-address", addr)
	waitHTTP(t, "Dendrite", d.url+"/_matrix/client/versions")
	return d
}

// account creates a user and logs in; it returns the user id and an
// access token.
func (d *dendrite) account(name string) (string, string) {
	d.t.Helper()
	pw := name + "-password-1"
	cmd := exec.Command(filepath.Join(d.dir, "create-account"), "--config", d.cfg, "-username", name, "-password", pw, "-url", d.url)
	cmd.Dir = d.work
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Fatalf("create-account %s: %v\n%s", name, err, out)
	}
	var login struct {
		UserID      string `json:"user_id"`
		AccessToken string `json:"access_token"`
	}
	sendJSON(d.t, "POST", d.url+"/_matrix/client/v3/login", "", map[string]any{
		"type": "m.login.password", "identifier": map[string]string{"type": "m.id.user", "user": name}, "password": pw,
	}, &login)
	return login.UserID, login.AccessToken
}

// room creates a private room with the alias #alias:localhost as the
// owner of token, and has each invited user join it.
func (d *dendrite) room(token, alias string, members map[string]string) string {
	d.t.Helper()
	var invite []string
	for id := range members {
		invite = append(invite, id)
	}
	var r struct {
		RoomID string `json:"room_id"`
	}
	sendJSON(d.t, "POST", d.url+"/_matrix/client/v3/createRoom", token,
		map[string]any{"preset": "private_chat", "room_alias_name": alias, "invite": invite}, &r)
	for _, tok := range members {
		sendJSON(d.t, "POST", d.url+"/_matrix/client/v3/join/"+url.PathEscape(r.RoomID), tok, map[string]any{}, nil)
	}
	return r.RoomID
}

// mxEvent is a room event as the client-server API returns it.
type mxEvent struct {
	EventID string         `json:"event_id"`
	Type    string         `json:"type"`
	Sender  string         `json:"sender"`
	Content map[string]any `json:"content"`
}

// messages returns the room's m.room.message events, oldest first.
func (d *dendrite) messages(token, roomID string) []mxEvent {
	d.t.Helper()
	var r struct {
		Chunk []mxEvent `json:"chunk"`
	}
	getJSON(d.t, d.url+"/_matrix/client/v3/rooms/"+url.PathEscape(roomID)+"/messages?dir=b&limit=100", token, &r)
	var out []mxEvent
	for i := len(r.Chunk) - 1; i >= 0; i-- {
		if r.Chunk[i].Type == "m.room.message" {
			out = append(out, r.Chunk[i])
		}
	}
	return out
}

// mxNotification is one entry of GET /notifications.
type mxNotification struct {
	Actions []any   `json:"actions"`
	Event   mxEvent `json:"event"`
	RoomID  string  `json:"room_id"`
	Read    bool    `json:"read"`
}

// highlight reports whether the notification's actions highlight.
func (n mxNotification) highlight() bool {
	for _, a := range n.Actions {
		if m, ok := a.(map[string]any); ok && m["set_tweak"] == "highlight" && m["value"] != false {
			return true
		}
	}
	return false
}

// notifications returns the notifications of the user of token, by event id.
func (d *dendrite) notifications(token string) map[string]mxNotification {
	d.t.Helper()
	var r struct {
		Notifications []mxNotification `json:"notifications"`
	}
	getJSON(d.t, d.url+"/_matrix/client/v3/notifications?limit=100", token, &r)
	out := map[string]mxNotification{}
	for _, n := range r.Notifications {
		out[n.Event.EventID] = n
	}
	return out
}

func (d *dendrite) String() string { return fmt.Sprintf("Dendrite %s at %s", dendriteVersion, d.url) }
