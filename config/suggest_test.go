package config

import "testing"

func TestDidYouMean(t *testing.T) {
	known := []string{"color", "room", "destination", "inputs", "hipchat", "rules"}
	for _, tt := range []struct{ got, want string }{
		{"colour", `; did you mean "color"?`},
		{"destinaton", `; did you mean "destination"?`},
		{"input", `; did you mean "inputs"?`},
		{"hipcaht", `; did you mean "hipchat"?`},
		{"rom", `; did you mean "room"?`},
		{"color", ""}, // known: nothing to suggest
		{"frobnicate", ""},
		{"xy", ""},
	} {
		if got := DidYouMean(tt.got, known); got != tt.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tt.got, got, tt.want)
		}
	}
}
