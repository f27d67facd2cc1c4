package terminal

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text\twith tab\nand newline", "plain text\twith tab\nand newline"},
		{"ERROR \x1b]52;c;cHduZWQ=\x07 clipboard", `ERROR \x1b]52;c;cHduZWQ=\x07 clipboard`},
		{"\x1b]0;title\x07\x1b[2J\x1b[8mhidden", `\x1b]0;title\x07\x1b[2J\x1b[8mhidden`},
		{"carriage\rreturn \x7f del", `carriage\x0dreturn \x7f del`},
		{"c1 \u009b csi", `c1 \u009b csi`},
		{"bidi \u202eevil\u2066", `bidi \u202eevil\u2066`},
		{"invalid \xff byte", `invalid \xff byte`},
		{"unicode é 😀 ok", "unicode é 😀 ok"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("a\x1b[2Jb\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		if firstUnsafe(out) >= 0 {
			t.Errorf("Escape(%q) = %q still holds an unsafe character", s, out)
		}
	})
}
