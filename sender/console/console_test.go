package console

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/roomwatch/roomwatch/batch"
)

func TestNotify(t *testing.T) {
	tests := []struct {
		name  string
		color bool
		d     batch.Digest
		want  string
	}{
		{"text", false, batch.Digest{Room: "ops", Color: "red", Format: "text", Message: "disk full\nsda1 100%"},
			"[ops] red: disk full\n[ops] red: sda1 100%\n"},
		{"html", false, batch.Digest{Room: "ops", Color: "green", Format: "html", Message: "<b>ok</b> &amp; done<br><pre>a &lt;b&gt;</pre>"},
			"[ops] green: ok & done\n[ops] green: a <b>\n"},
		{"mention and default color", false, batch.Digest{Room: "1", Mention: "@all", Message: "x"},
			"[1] yellow: @all x\n"},
		{"ansi", true, batch.Digest{Room: "ops", Color: "red", Message: "x"},
			"\x1b[31m[ops] red: \x1b[0mx\n"},
		{"hostile", true, batch.Digest{Room: "o\x1bps", Color: "purple", Message: "evil \x1b[2J\rclear"},
			"\x1b[35m[o\\x1bps] purple: \x1b[0mevil \\x1b[2J\\x0dclear\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			n, err := New(Config{Output: &out, Color: tt.color})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Notify(t.Context(), &tt.d); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("output %q, want %q", out.String(), tt.want)
			}
		})
	}
}

// TestNotifyConcurrent checks that digests never interleave.
func TestNotifyConcurrent(t *testing.T) {
	var out bytes.Buffer
	n, _ := New(Config{Output: &out})
	var wg sync.WaitGroup
	for i := range 20 {
		room := string(rune('a' + i))
		wg.Go(func() {
			_ = n.Notify(t.Context(), &batch.Digest{Room: room, Color: "red", Message: "1\n2\n3"})
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 60 {
		t.Fatalf("%d lines, want 60", len(lines))
	}
	for i := 0; i < len(lines); i += 3 {
		room := lines[i][:3]
		if !strings.HasPrefix(lines[i+1], room) || !strings.HasPrefix(lines[i+2], room) {
			t.Errorf("digest block interleaved at line %d: %q", i, lines[i:i+3])
		}
	}
}

func TestNewNoOutput(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without output succeeded")
	}
}
