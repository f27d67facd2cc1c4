package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"roomwatch": func() { os.Exit(run(os.Args[1:], stdio())) },
	})
}

// TestScripts runs the real binary through cmd/roomwatch/testdata/script.
// Each script gets a fake HipChat server in $HIPCHAT_URL, with room 42
// ("Ops") and room 7 ("Dev Team"), the room token $ROOM_TOKEN for room 42
// and the personal token $HIPCHAT_TOKEN for every room; $RULES_D is
// configs/rules.d, the rule packs. The command
// `hipchat` prints what the server received, one JSON object a line.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			srv := hipchattest.NewServer(hipchattest.Options{})
			env.Defer(srv.Close)
			srv.AddRoom(42, "Ops")
			srv.AddRoom(7, "Dev Team")
			srv.AddToken("room-token-42", hipchattest.Token{Room: 42, Scopes: []string{"send_notification"}})
			srv.AddToken("personal-token", hipchattest.Token{Scopes: []string{"send_notification", "send_message", "view_group"}})
			env.Setenv("HIPCHAT_URL", srv.URL)
			env.Setenv("ROOM_TOKEN", "room-token-42")
			env.Setenv("HIPCHAT_TOKEN", "personal-token")
			env.Values["hipchat"] = srv
			rulesD, err := filepath.Abs("../../configs/rules.d")
			if err != nil {
				return err
			}
			env.Setenv("RULES_D", rulesD) // the rule packs, for scripts to copy

			setupFakes(env)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"hipchat":  cmdHipchat,
			"fakes":    cmdFakes,
			"waitfile": cmdWaitfile,
			"sdnotify": cmdSdnotify,
		},
	})
}

// cmdHipchat prints the notifications the fake server accepted.
func cmdHipchat(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value("hipchat").(*hipchattest.Server)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // so scripts match escaping as sent, not as JSON
	for _, n := range srv.Notifications() {
		ts.Check(enc.Encode(n))
	}
	ts.Stdout().Write([]byte(b.String()))
}
