package sendertest

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/sender"
)

// update rewrites the golden files: `go test ./sender/slack -update`.
var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// Golden compares got with testdata/<name>.golden, which -update rewrites.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// AssertError checks that err is a *sender.Error of that status and kind
// whose text says every one of says.
func AssertError(t testing.TB, err error, status int, kind sender.Kind, says ...string) {
	t.Helper()
	var e *sender.Error
	if !errors.As(err, &e) || e.Status != status || e.Kind != kind {
		t.Fatalf("Notify = %v, want %v status %d", err, kind, status)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
}

// Updating reports whether -update was given, for golden files kept
// elsewhere than testdata/<name>.golden.
func Updating() bool { return *update }
