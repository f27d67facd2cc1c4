package hipchat

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

// captured is one request as the server saw it.
type captured struct {
	method, path, auth, contentType string
	body                            []byte
}

// recorder starts a server that answers 204 and records every request.
func recorder(t *testing.T) (*httptest.Server, *[]captured) {
	t.Helper()
	var reqs []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		reqs = append(reqs, captured{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs
}

func TestRequestGolden(t *testing.T) {
	tests := []struct {
		name string
		from string
		d    batch.Digest
	}{
		{"notification-html", "web-01", batch.Digest{Room: "1234", Color: "red", Format: "html", Notify: true,
			Message: "<b>disk-full</b>: 3 lines matched<br><pre>/dev/sda1 100% &amp; full</pre>"}},
		{"notification-text", "", batch.Digest{Room: "Dev Team", Color: "green", Format: "text",
			Message: "sshd: 2 failed logins from 10.0.0.1"}},
		{"notification-mention", "web-01", batch.Digest{Room: "#ops", Color: "grey", Format: "html",
			Mention: "@here", Message: "kernel: Out of memory"}},
		{"notification-defaults", "", batch.Digest{Room: "ops", Message: "hello"}},
		{"private", "web-01", batch.Digest{Room: "@alice@example.com", Color: "red", Format: "text", Notify: true,
			Message: "backup failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, reqs := recorder(t)
			n, err := New(Config{URL: srv.URL + "/", Token: "tok-1", From: tt.from})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Notify(t.Context(), &tt.d); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			if len(*reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(*reqs))
			}
			r := (*reqs)[0]
			got := fmt.Sprintf("%s %s\nAuthorization: %s\nContent-Type: %s\n\n%s\n", r.method, r.path, r.auth, r.contentType, r.body)
			golden(t, filepath.Join("testdata", tt.name+".golden"), got)
		})
	}
}

// golden compares got with the file, or rewrites the file with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if sendertest.Updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s mismatch:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
