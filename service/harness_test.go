package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// syncBuffer is a writer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness runs the daemon in-process against a fake HipChat server
// (room 42 "Ops"; the token in $HIPCHAT_TOKEN is accepted for every room).
type harness struct {
	t      *testing.T
	dir    string
	path   string // the config file
	s      *Service
	lookup func(string) (string, bool) // the daemon's environment
	srv    *hipchattest.Server
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// startDaemon writes config into a temporary folder (with files, name ->
// content) and runs the daemon on it; vars are its environment.
func startDaemon(t *testing.T, config string, files map[string]string, stdin io.Reader, vars map[string]string) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), logs: &syncBuffer{}, done: make(chan error, 1)}
	h.srv = hipchattest.NewServer(hipchattest.Options{})
	t.Cleanup(h.srv.Close)
	h.srv.AddRoom(42, "Ops")
	h.srv.AddToken("personal-token", hipchattest.Token{Scopes: []string{"send_notification"}})
	vars = mapWith(vars, "HIPCHAT_URL", h.srv.URL)
	for name, content := range mapWith(files, "roomwatch.yaml", config) {
		if err := os.WriteFile(filepath.Join(h.dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h.path = filepath.Join(h.dir, "roomwatch.yaml")
	h.lookup = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	opts := pipeline.RuleOptions(h.lookup)
	cfg, err := rules.Load(h.path, opts)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	h.s, err = New(Options{
		Config: cfg, Path: h.path, Rules: opts,
		Outputs: pipeline.Outputs{Stdout: &syncBuffer{}, Stderr: h.logs}, Stdin: stdin,
		Logger: slog.New(slog.NewTextHandler(h.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.s.Close)
	ctx, cancel := context.WithCancel(t.Context())
	h.cancel = cancel
	// The daemon runs until its input ends or the test stops it; wait joins it.
	go func() { h.done <- h.s.Run(ctx) }()
	t.Cleanup(func() { h.stop() })
	return h
}

func mapWith(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for mk, mv := range m {
		out[mk] = mv
	}
	return out
}

// wait waits for the daemon to stop by itself (its input ended).
func (h *harness) wait() error {
	h.once.Do(func() {
		select {
		case h.err = <-h.done:
		case <-time.After(30 * time.Second):
			h.t.Fatal("daemon did not stop")
		}
	})
	return h.err
}

// stop stops the daemon and waits for it.
func (h *harness) stop() error {
	h.cancel()
	return h.wait()
}

// get serves one request of the metrics listener.
func (h *harness) get(path string) (int, string) {
	rec := httptest.NewRecorder()
	h.s.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// roomwatchMetrics returns the roomwatch_ samples of a /metrics page, less
// those whose value is a time or a build.
func roomwatchMetrics(page string) []string {
	var out []string
	skip := regexp.MustCompile(`^roomwatch_(build_info|config_last_reload_success_timestamp_seconds)\b`)
	for _, l := range strings.Split(page, "\n") {
		if strings.HasPrefix(l, "roomwatch_") && !skip.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}
