package sender

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordJoiner is U+2060 WORD JOINER: invisible, and it breaks the token a
// chat client would read as a mention or a special command. It is put
// only where a platform would read one, never after every '@', so that
// user@host and e-mail addresses copied out of an alert stay exact.
const wordJoiner = "\u2060"

// Escaper returns the function that neutralises log text for a
// destination type ("hipchat", "console", ...) and format ("text",
// "html"), so a crafted log line can neither ping a room nor forge markup
// or a link. Mentions come only from a rule's own mention field, which is
// never passed through it.
//
// It changes only what the platform would parse: a mention (@here,
// @everyone, @room, <!channel>, an @name at the start of a word), a link
// or markup. Every destination type is listed here on purpose: a type
// without its own case gets the conservative default (html-escaped in
// html; in text, mentions, '<' and "](" broken by an invisible word
// joiner).
func Escaper(destType, format string) func(string) string {
	switch destType {
	case "telegram":
		// Telegram parses @username mentions in text and in HTML; the
		// notifier escapes a text message for parse_mode HTML itself.
		if format == "html" {
			return TelegramHTML
		}
		return func(s string) string { return BreakMentions(printable(s)) }
	case "email", "ntfy":
		// Neither parses mentions, and ntfy shows text as text (no
		// Markdown unless asked); only control characters are harmful.
		if format == "html" {
			return func(s string) string { return html.EscapeString(printable(s)) }
		}
		return printable
	}
	if format == "html" {
		// In html, HipChat renders no mentions; every destination that
		// takes html needs its text escaped and nothing more. Those that
		// take no html turn the message into text and neutralise that
		// with their own text escaper (see HTMLText).
		return html.EscapeString
	}
	switch destType {
	case "hipchat":
		// Text is "treated just like a message sent by a user": @all,
		// @here and @name ping. Nothing else in it is markup.
		return BreakMentions
	case "console":
		// A terminal: strip what would move the cursor or set colours.
		return printable
	case "slack":
		return SlackText
	case "mattermost":
		return MattermostText
	case "discord":
		return DiscordText
	case "matrix":
		return MatrixText
	case "teams":
		return conservative
	case "googlechat":
		// Google Chat reads <users/all>, <users/123> and <url|text>.
		return GoogleChatText
	case "webhook", "alertmanager":
		// The log text is data: the receiver gets it exactly, as JSON.
		return verbatim
	default:
		return conservative
	}
}

func verbatim(s string) string { return s }

// BreakMentions puts a word joiner after every '@' that starts a mention
// as Slack, Mattermost and HipChat read one: an '@' at the start of a word
// (not after a letter, digit or '_') followed by a name character. So
// @here, @channel, @all, @everyone and @alice ping nobody, while
// root@web-01 and user@example.com are left exactly as they are.
func BreakMentions(s string) string { return breakAts(s, mentionAt) }

// breakAts puts a word joiner after every '@' of s for which at is true.
func breakAts(s string, at func(s string, i int) bool) string {
	i := strings.IndexByte(s, '@')
	if i < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for ; i >= 0; i = nextAt(s, i+1) {
		if !at(s, i) {
			continue
		}
		if last == 0 {
			b.Grow(len(s) + 3*4)
		}
		b.WriteString(s[last : i+1])
		b.WriteString(wordJoiner)
		last = i + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// nextAt is the index of the next '@' in s at or after from, or -1.
func nextAt(s string, from int) int {
	j := strings.IndexByte(s[from:], '@')
	if j < 0 {
		return -1
	}
	return from + j
}

// mentionAt reports whether the '@' at s[i] starts a mention: nothing or
// a non-word character before it, a name character after it.
func mentionAt(s string, i int) bool {
	if i+1 >= len(s) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(s[i+1:]); !isNameRune(r) {
		return false
	}
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r))
}

func isNameRune(r rune) bool {
	return r == '_' || r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

var slackReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// SlackText neutralises text for Slack: it escapes &, < and > as Slack
// requires, which turns <!channel>, <!here>, <@U123>, <#C1> and
// <http://x|forged> into plain text, and breaks every mention at the
// start of a word (BreakMentions) so that no "@channel" is read as one.
func SlackText(s string) string { return slackReplacer.Replace(BreakMentions(printable(s))) }

var discordReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "|", `\|`,
	"[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`,
)

// DiscordText neutralises text for Discord's Markdown: punctuation is
// escaped with a backslash, so [text](url), <url>, <@123>, <@&role>,
// <#channel>, spoilers and code render as the characters they are. '@'
// is left alone: the webhook sends allowed_mentions with an empty parse
// list, so Discord pings no one named in the text, @everyone included.
func DiscordText(s string) string { return discordReplacer.Replace(printable(s)) }

var mattermostReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "|", `\|`,
	"[", `\[`, "]", `\]`, "&", "&amp;", "<", "&lt;", ">", "&gt;",
)

// MattermostText neutralises text for Mattermost: Markdown punctuation is
// escaped with a backslash, so [text](url) and code render as the
// characters they are; <, > and & become entities, which Markdown shows
// as the characters but which Mattermost's Slack compatibility never
// reads as <!channel> or <url|text>; and mentions at the start of a word
// are broken (BreakMentions) so that @channel, @here, @all and @name ping
// nobody.
func MattermostText(s string) string { return mattermostReplacer.Replace(BreakMentions(printable(s))) }

// MatrixText neutralises the plain body of a Matrix event. Who is pinged
// is said by m.mentions, and the HTML body is escaped; but a homeserver
// older than Matrix 1.7's intentional mentions (Dendrite 0.13) still
// applies the legacy .m.rule.roomnotif push rule to the body of an m.text
// event, which pings the whole room for the word @room. Only that word is
// broken.
func MatrixText(s string) string { return breakAts(printable(s), roomAt) }

// roomAt reports whether the '@' at s[i] starts the word @room.
func roomAt(s string, i int) bool {
	rest := s[i+1:]
	if !strings.HasPrefix(rest, "room") || !mentionAt(s, i) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest[len("room"):])
	return len(rest) == len("room") || !isNameRune(r)
}

var (
	breakTag = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|li|tr|pre)>`)
	anyTag   = regexp.MustCompile(`<[^>]*>`)
)

// HTMLText renders a message of format html as plain text for a
// destination that takes no html: line breaks for <br> and block ends, no
// tags, entities decoded. Log text in an html message was escaped, so it
// comes back exactly and must then go through the destination's own
// text escaper.
func HTMLText(s string) string {
	s = breakTag.ReplaceAllString(s, "\n")
	s = anyTag.ReplaceAllString(s, "")
	return strings.TrimRight(html.UnescapeString(s), "\n")
}

// TelegramHTML neutralises log text for a Telegram message in parse_mode
// HTML: control characters replaced, &, < and > escaped, and an '@' that
// starts a word broken so that no @username is mentioned.
func TelegramHTML(s string) string { return html.EscapeString(BreakMentions(printable(s))) }

// GoogleChatText neutralises text for Google Chat: '<' is broken so that
// neither <users/all> nor <users/123> mentions anyone and no <url|text>
// link is forged; mentions and Markdown links are broken as everywhere.
func GoogleChatText(s string) string { return conservative(s) }

var conservativeReplacer = strings.NewReplacer(
	"<", "<"+wordJoiner,
	"](", "]"+wordJoiner+"(",
)

// conservative breaks mentions at the start of a word, angle-bracket
// commands and markdown links.
func conservative(s string) string {
	return conservativeReplacer.Replace(BreakMentions(printable(s)))
}

// printable replaces control characters other than tab and newline (ANSI
// escapes, carriage returns, C1 controls, bidi overrides) with U+FFFD.
func printable(s string) string {
	if !hasUnsafeControl(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isUnsafeControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// hasUnsafeControl reports whether s holds a rune that isUnsafeControl
// rejects. Most log lines are printable ASCII: it passes over eight such
// bytes at a time, looks at the others a byte at a time, and decodes
// runes only from the first non-ASCII byte on.
func hasUnsafeControl(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// A byte below 0x20, or 0x7f and above, sets its high bit in one
		// of the two terms; printable ASCII in neither.
		if (w-0x20*ones)&^w&highs|(w+ones|w)&highs == 0 {
			continue
		}
		for j := i; j < i+8; j++ {
			if unsafe, known := unsafeByte(s, j); known {
				return unsafe
			}
		}
	}
	for ; i < len(s); i++ {
		if unsafe, known := unsafeByte(s, i); known {
			return unsafe
		}
	}
	return false
}

// unsafeByte tells hasUnsafeControl about s[i]: an unsafe control, or
// from a non-ASCII byte on whether the rest holds one.
func unsafeByte(s string, i int) (unsafe, known bool) {
	switch b := s[i]; {
	case b >= utf8.RuneSelf:
		return strings.ContainsFunc(s[i:], isUnsafeControl), true
	case b < 0x20 && b != '\t' && b != '\n' || b == 0x7f:
		return true, true
	}
	return false, false
}

func isUnsafeControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true
	}
	// Bidirectional overrides and isolates reorder what follows them.
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// Printable returns s with every control character other than tab and
// newline (and every bidi override) replaced by U+FFFD, for output to a
// terminal.
func Printable(s string) string { return printable(s) }
