package sender

import (
	"strings"
	"testing"
)

func TestEscaper(t *testing.T) {
	const wj = "\u2060"
	tests := []struct {
		dest, format, in, want string
	}{
		{"hipchat", "html", `<b>x</b> & "q" @all`, "&lt;b&gt;x&lt;/b&gt; &amp; &#34;q&#34; @all"},
		{"hipchat", "text", "@all @here @bob <b>", "@" + wj + "all @" + wj + "here @" + wj + "bob <b>"},
		{"console", "html", "<i>", "&lt;i&gt;"},
		{"console", "text", "red\x1b[31m\rline\ttab\nnext\u202e", "red\uFFFD[31m\uFFFDline\ttab\nnext\uFFFD"},
		{"unknown", "html", "<x>", "&lt;x&gt;"},
		{"unknown", "text", "<!channel> @everyone [a](http://evil)", "<" + wj + "!channel> @" + wj + "everyone [a]" + wj + "(http://evil)"},
		{"", "", "@here", "@" + wj + "here"},
	}
	for _, tt := range tests {
		got := Escaper(tt.dest, tt.format)(tt.in)
		if got != tt.want {
			t.Errorf("Escaper(%q, %q)(%q) = %q, want %q", tt.dest, tt.format, tt.in, got, tt.want)
		}
	}
}

// TestEscaperNoMention checks that no escaper for text leaves a mention
// token a chat client would recognise.
func TestEscaperNoMention(t *testing.T) {
	for _, dest := range []string{"hipchat", "slack", "mattermost", "discord", "webhook"} {
		got := Escaper(dest, "text")("ping @all and @here and @everyone")
		for _, m := range []string{"@all", "@here", "@everyone"} {
			if strings.Contains(got, m) {
				t.Errorf("Escaper(%q, text) left %q in %q", dest, m, got)
			}
		}
	}
}
