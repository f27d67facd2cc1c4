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
		{"slack", "text", "<!channel> <@U1> <#C1> <http://x|forged> a&b @here",
			"&lt;!channel&gt; &lt;@" + wj + "U1&gt; &lt;#C1&gt; &lt;http://x|forged&gt; a&amp;b @" + wj + "here"},
		{"mattermost", "text", "[a](http://evil) @channel *b* `c` <!here> <u|v> &", `\[a\](http://evil) @` + wj + "channel \\*b\\* \\`c\\` &lt;!here&gt; &lt;u\\|v&gt; &amp;"},
		{"discord", "text", `<@123> <@&9> @everyone \`, `\<@123\> \<@&9\> @everyone \\`},
		{"teams", "text", "[a](http://evil) @x", "[a]" + wj + "(http://evil) @" + wj + "x"},
		{"matrix", "text", "<a href=x>y</a> @here @room (@room) @rooms x@room.org @room:", "<a href=x>y</a> @here @" + wj + "room (@" + wj + "room) @rooms x@room.org @" + wj + "room:"},
		{"hipchat", "text", "root@web-01 a.b@example.com (@alice) x@ @ @-", "root@web-01 a.b@example.com (@" + wj + "alice) x@ @ @" + wj + "-"},
		{"slack", "text", "@channel: user@host", "@" + wj + "channel: user@host"},
		{"webhook", "text", "<!channel> @all", "<!channel> @all"},
		{"alertmanager", "text", "a\x1b[b", "a\x1b[b"},
	}
	for _, tt := range tests {
		got := Escaper(tt.dest, tt.format)(tt.in)
		if got != tt.want {
			t.Errorf("Escaper(%q, %q)(%q) = %q, want %q", tt.dest, tt.format, tt.in, got, tt.want)
		}
	}
}

// TestEscaperNoMention checks that no escaper for text leaves a mention
// token that the platform reads in the text itself. Discord is not listed:
// its webhook is sent with allowed_mentions.parse empty, so its text
// pings no one (sender/discord checks that); Matrix clients and
// homeservers that know m.mentions read only it, and the legacy push rule
// of older homeservers reads only @room.
func TestEscaperNoMention(t *testing.T) {
	const line = "ping @all and @here and @everyone, @channel, @room and @alice: (@bob) <@U1>"
	live := map[string][]string{
		"hipchat":    {"@all", "@here", "@alice", "@bob"},
		"slack":      {"@channel", "@here", "@everyone", "<@U1>", "@alice"},
		"mattermost": {"@channel", "@all", "@here", "@alice", "@bob"},
		"teams":      {"@all", "@alice", "<@"},
		"matrix":     {"@room"},
		"unknown":    {"@all", "@here", "@everyone", "@channel", "@room", "@alice", "@bob", "<@"},
	}
	for dest, tokens := range live {
		got := Escaper(dest, "text")(line)
		for _, m := range tokens {
			if strings.Contains(got, m) {
				t.Errorf("Escaper(%q, text) left %q in %q", dest, m, got)
			}
		}
	}
}

// TestEscaperKeepsAddresses checks that no escaper changes what only looks
// like a mention: user@host, e-mail addresses, an '@' alone.
func TestEscaperKeepsAddresses(t *testing.T) {
	const line = "Accepted publickey for root@web-01 from deploy@10.0.0.5; mail admin+ops@example.com, a @ b, @"
	for _, dest := range []string{"hipchat", "slack", "mattermost", "discord", "teams", "matrix", "webhook", "alertmanager", "console", "unknown"} {
		got := Escaper(dest, "text")(line)
		if strings.Contains(got, wordJoiner) {
			t.Errorf("Escaper(%q, text)(%q) = %q: holds a word joiner", dest, line, got)
		}
	}
}

func TestHTMLText(t *testing.T) {
	got := HTMLText("<b>3 × disk</b><br>a &lt;!channel&gt; &amp; b<br/>c</pre>")
	if want := "3 × disk\na <!channel> & b\nc"; got != want {
		t.Errorf("HTMLText = %q, want %q", got, want)
	}
}

func TestColor(t *testing.T) {
	for in, want := range map[string]string{"": "yellow", "RED": "red", "grey": "gray", "orange": "yellow", "purple": "purple"} {
		if got := Color(in, "id"); got != want {
			t.Errorf("Color(%q) = %q, want %q", in, got, want)
		}
	}
	seen := map[string]bool{}
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		c := Color("random", id)
		if c != Color("random", id) {
			t.Errorf("Color(random, %q) is not stable", id)
		}
		seen[c] = true
	}
	if len(seen) < 2 {
		t.Errorf("random picked only %v", seen)
	}
}

// TestHasUnsafeControl: the ASCII fast path says what a rune-by-rune scan
// says, for every rune alone and behind ASCII, and for invalid UTF-8.
func TestHasUnsafeControl(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := hasUnsafeControl(s), strings.ContainsFunc(s, isUnsafeControl); got != want {
			t.Fatalf("hasUnsafeControl(%q) = %v, want %v", s, got, want)
		}
	}
	for r := rune(0); r <= 0x10FFFF; r++ {
		if r < 0x3000 || r%97 == 0 {
			check(string(r))
			for k := range 9 { // at every place in a word of eight bytes
				check(strings.Repeat("a", k) + string(r) + " tail of some length")
			}
		}
	}
	for _, s := range []string{"", "\xff", "ok\xffok", "é\x1b[31m", "tab\tnew\nline", "del\x7f", "\u202eevil", "x\u0085y", "eight ok\t\tand tabs\n", "tabs\t\t\t\t\t\t\t\tthen\x1b"} {
		check(s)
	}
}
