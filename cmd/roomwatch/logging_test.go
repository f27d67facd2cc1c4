package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

func TestNewLogger(t *testing.T) {
	tests := []struct {
		name     string
		format   string
		level    string
		journal  string // "match": JOURNAL_STREAM names the stderr file
		want     []string
		wantNot  []string
		wantJSON bool
	}{
		{name: "text", want: []string{"time=", "level=INFO", `msg=hello`, "k=v"}},
		{name: "json", format: "json", wantJSON: true, want: []string{`"time":`, `"msg":"hello"`, `"k":"v"`}},
		{name: "journal", journal: "match", want: []string{"level=INFO msg=hello k=v"}, wantNot: []string{"time="}},
		{name: "inherited journal variable", journal: "1:2", want: []string{"time="}},
		{name: "json under journal", format: "json", journal: "match", wantJSON: true, want: []string{`"msg":"hello"`}},
		{name: "level warn hides info", level: "warn", wantNot: []string{"hello"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			stream := tt.journal
			if stream == "match" {
				stream = devIno(t, f)
			}
			e := &env{stderr: f, getenv: func(k string) string {
				if k == "JOURNAL_STREAM" {
					return stream
				}
				return ""
			}}
			cfg := &rules.Loaded{Config: &config.Config{Log: config.LogConfig{Format: tt.format, Level: tt.level}}}
			newLogger(e, cfg).Info("hello", "k", "v")
			data, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			out := string(data)
			if tt.wantJSON != strings.HasPrefix(out, "{") {
				t.Errorf("JSON = %v, got %q", tt.wantJSON, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("log %q lacks %q", out, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("log %q has %q", out, w)
				}
			}
		})
	}
}

func devIno(t *testing.T, f *os.File) string {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
