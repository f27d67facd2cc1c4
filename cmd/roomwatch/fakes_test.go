package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakes is one server standing in for every HTTP destination but HipChat,
// at the paths the scripts configure: each answers success as the real
// service does (Slack and Mattermost 200 "ok", Discord 204, Teams 202,
// Matrix 200 with an event_id, deduplicated by txnId, webhook and
// Alertmanager 200) and records what it got.
type fakes struct {
	mu   sync.Mutex // protects got and txns
	got  []string   // "type body"
	txns map[string]string
}

func (f *fakes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.Path
	record := func(typ string) { f.got = append(f.got, typ+" "+string(body)) }
	switch {
	case r.Method == http.MethodPost && path == "/slack/services/T1/B1/X1":
		record("slack")
		_, _ = io.WriteString(w, "ok")
	case r.Method == http.MethodPost && path == "/mattermost/hooks/key1":
		record("mattermost")
		_, _ = io.WriteString(w, "ok")
	case r.Method == http.MethodPost && path == "/discord/api/webhooks/1/tok1":
		record("discord")
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && path == "/teams/workflow" && r.URL.Query().Get("sig") == "sig1":
		record("teams")
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPut && strings.HasPrefix(path, "/matrix/_matrix/client/v3/rooms/") &&
		r.Header.Get("Authorization") == "Bearer mtoken":
		txn := path[strings.LastIndexByte(path, '/')+1:]
		if f.txns[txn] == "" {
			f.txns[txn] = fmt.Sprintf("$ev%d", len(f.txns)+1)
			record("matrix")
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"event_id": f.txns[txn]})
	case r.Method == http.MethodPost && path == "/webhook" && r.Header.Get("X-Api-Key") == "wkey":
		record("webhook")
	case r.Method == http.MethodPost && path == "/am/api/v2/alerts":
		record("alertmanager")
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

// setupFakes starts the fakes for one script, at $FAKES_URL.
func setupFakes(env *testscript.Env) {
	f := &fakes{txns: map[string]string{}}
	srv := httptest.NewServer(f)
	env.Defer(srv.Close)
	env.Setenv("FAKES_URL", srv.URL)
	env.Values["fakes"] = f
}

// cmdFakes prints what the fakes received, one "type body" a line, for the
// types named (all without arguments).
func cmdFakes(ts *testscript.TestScript, neg bool, args []string) {
	f := ts.Value("fakes").(*fakes)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.got {
		typ, _, _ := strings.Cut(g, " ")
		if len(args) == 0 || contains(args, typ) {
			fmt.Fprintln(ts.Stdout(), g)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cmdWaitfile waits until a file exists (a background job says it is
// ready), for at most 10 seconds.
func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	for range 1000 {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear", args[0])
}
