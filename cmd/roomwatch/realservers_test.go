package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Helpers for the tests against real servers (Alertmanager, Dendrite):
// each server is started by the test on 127.0.0.1 at an unusual free port,
// and what roomwatch sends it goes through a recording proxy, so a test
// can say what the server received, when, and what it answered.

// exchange is one request roomwatch sent through a recorder, and the
// server's answer.
type exchange struct {
	At     time.Time
	Method string
	Path   string
	Body   string
	Status int
	Answer string
}

// recorder is a reverse proxy to a real server that keeps every exchange.
type recorder struct {
	*httptest.Server
	mu  sync.Mutex // protects got
	got []exchange
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // a refused dial is recorded as 502
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, req)
		r.mu.Lock()
		r.got = append(r.got, exchange{At: time.Now(), Method: req.Method, Path: req.URL.Path, Body: string(body),
			Status: rec.Code, Answer: rec.Body.String()})
		r.mu.Unlock()
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(r.Close)
	return r
}

// exchanges returns what went through so far.
func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.got...)
}

// startServer starts a real server program in dir and stops it (SIGKILL,
// by its pid) when the test ends. Its output goes to dir/server.log, whose
// last lines the test log shows if the test fails.
func startServer(t *testing.T, dir string, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	logPath := filepath.Join(dir, "server.log")
	out, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		out.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s output (last 3000 bytes):\n%s", filepath.Base(name), b[max(0, len(b)-3000):])
		}
	})
	return cmd
}

// waitHTTP waits until GET url answers 200, at most 60 s.
func waitHTTP(t *testing.T, what, u string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready at %s: %v", what, u, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// getJSON decodes the answer to GET u (with an optional bearer token).
func getJSON(t *testing.T, u, token string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", u, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", u, err, body)
	}
}

// sendJSON sends a JSON body and decodes the answer into v (if not nil).
func sendJSON(t *testing.T, method, u, token string, in, v any) {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s: %s", method, u, resp.Status, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, u, err, body)
		}
	}
}

// runRoomwatch runs one roomwatch command in this process, with vars as
// its environment, and returns its exit code and standard error.
func runRoomwatch(t *testing.T, stdin string, vars map[string]string, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: bytes.NewReader([]byte(stdin)), stdout: &stdout, stderr: &stderr,
		getenv: func(k string) string { return vars[k] },
		lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
	code := run(args, e)
	return code, stderr.String()
}

// buildBinary builds roomwatch into a test's folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "roomwatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startRoomwatch runs `roomwatch run -c cfg` from the built binary with vars
// in its environment.
func startRoomwatch(t *testing.T, bin, cfg string, vars map[string]string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "run", "-c", cfg)
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stderr = &testWriter{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// pretty indents JSON for the test log.
func pretty(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
