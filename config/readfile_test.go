package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadRefusesFilesThatAreNotFiles checks that a config, an include or
// a secret file that is a fifo, a device, a directory or too big is a
// clear error at once, never a hang or a runaway allocation.
func TestLoadRefusesFilesThatAreNotFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, []byte(strings.Repeat("#", MaxConfigBytes+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	bigSecret := filepath.Join(dir, "big.token")
	if err := os.WriteFile(bigSecret, []byte(strings.Repeat("a", MaxSecretBytes+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	withToken := func(name, tokenFile string) string {
		p := filepath.Join(dir, name)
		cfg := "destinations: {h: {type: hipchat, url: 'https://h.example.com', token_file: '" + tokenFile + "'}}\n" +
			"defaults: {destination: h, room: Ops}\nrules: [{name: e, match: E}]\n"
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	include := filepath.Join(dir, "inc.yaml")
	if err := os.WriteFile(include, []byte("include: ['"+fifo+"']\nrules: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"config fifo", fifo, "not a regular file (a named pipe)"},
		{"config /dev/zero", "/dev/zero", "not a regular file (a character device)"},
		{"config /dev/stdin", "/dev/stdin", "not a regular file"},
		{"config directory", dir, "not a regular file (a directory)"},
		{"config too big", huge, "more than the limit of 4194304"},
		{"include fifo", include, "not a regular file (a named pipe)"},
		{"token_file fifo", withToken("t1.yaml", fifo), "not a regular file (a named pipe)"},
		{"token_file /dev/zero", withToken("t2.yaml", "/dev/zero"), "not a regular file"},
		{"token_file too big", withToken("t3.yaml", bigSecret), "more than the limit of 65536"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			// Load runs aside so that a hang fails the test instead of
			// stopping the suite.
			go func() { _, err := Load(tt.path, Options{}); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Load(%s) = %v, want an error saying %q", tt.path, err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Load(%s) hangs", tt.path)
			}
		})
	}
}
