package tailer

import (
	"regexp"
	"testing"
)

func TestExcluded(t *testing.T) {
	tests := []struct {
		name  string
		globs []string
		path  string
		want  bool
	}{
		{"base name", []string{"*.gz"}, "/var/log/app.log.1.gz", true},
		{"full path", []string{"/var/log/skip.log"}, "/var/log/skip.log", true},
		{"full path glob", []string{"/var/log/*/debug.log"}, "/var/log/app/debug.log", true},
		{"no match", []string{"*.gz", "/other/*"}, "/var/log/app.log", false},
		{"none", nil, "/var/log/app.log", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := excluded(tt.globs, tt.path); got != tt.want {
				t.Errorf("excluded(%q, %q) = %v, want %v", tt.globs, tt.path, got, tt.want)
			}
		})
	}
}

func TestNewRejectsBadInputs(t *testing.T) {
	tests := []struct {
		name   string
		inputs []Input
	}{
		{"no inputs", nil},
		{"empty path", []Input{{}}},
		{"bad glob", []Input{{Path: "/var/log/[.log"}}},
		{"bad exclude", []Input{{Path: "/var/log/*.log", Exclude: []string{"["}}}},
		{"multiline without start", []Input{{Path: "/x.log", Multiline: &Multiline{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(TailerOptions{Inputs: tt.inputs}); err == nil {
				t.Error("New accepted bad inputs")
			}
		})
	}
	if _, err := New(TailerOptions{Inputs: []Input{{Path: "/x/*.log", Multiline: &Multiline{Start: regexp.MustCompile("^a")}}}}); err != nil {
		t.Errorf("New: %v", err)
	}
}
