package sender

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"
)

// wordJoiner is U+2060 WORD JOINER: invisible, and it breaks the token a
// chat client would read as a mention or a special command.
const wordJoiner = "\u2060"

// Escaper returns the function that neutralises log text for a
// destination type ("hipchat", "console", ...) and format ("text",
// "html"), so a crafted log line can neither ping a room nor forge markup
// or a link. Mentions come only from a rule's own mention field, which is
// never passed through it.
//
// Every destination type is listed here on purpose: a type without its
// own case gets the conservative default (html-escaped in html; in text,
// '@', '<' and "](" broken by an invisible word joiner).
func Escaper(destType, format string) func(string) string {
	switch destType {
	case "telegram":
		// Telegram parses @username mentions in text and in HTML; the
		// notifier escapes a text message for parse_mode HTML itself.
		if format == "html" {
			return TelegramHTML
		}
		return func(s string) string { return neutraliseAt(printable(s)) }
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
		return neutraliseAt
	case "console":
		// A terminal: strip what would move the cursor or set colours.
		return printable
	case "slack":
		return SlackText
	case "mattermost":
		return MattermostText
	case "discord":
		return DiscordText
	case "teams", "matrix":
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

var slackReplacer = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"@", "@"+wordJoiner,
)

// SlackText neutralises text for Slack: it escapes &, < and > as Slack
// requires, which turns <!channel>, <!here>, <@U123>, <#C1> and
// <http://x|forged> into plain text, and breaks every '@' so that no
// "@channel" is read as a mention.
func SlackText(s string) string { return slackReplacer.Replace(printable(s)) }

var discordReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "|", `\|`,
	"[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`,
	"@", "@"+wordJoiner,
)

// DiscordText neutralises text for Discord's Markdown: punctuation is
// escaped with a backslash, so [text](url), <url>, <@123>, <@&role>,
// <#channel>, spoilers and code render as the characters they are; and
// every '@' is broken so that @everyone and @here ping nobody (the
// webhook also allows no mention it was not asked for).
func DiscordText(s string) string { return discordReplacer.Replace(printable(s)) }

var mattermostReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "|", `\|`,
	"[", `\[`, "]", `\]`, "&", "&amp;", "<", "&lt;", ">", "&gt;",
	"@", "@"+wordJoiner,
)

// MattermostText neutralises text for Mattermost: Markdown punctuation is
// escaped with a backslash, so [text](url) and code render as the
// characters they are; <, > and & become entities, which Markdown shows
// as the characters but which Mattermost's Slack compatibility never
// reads as <!channel> or <url|text>; and every '@' is broken so that
// @channel, @here and @all ping nobody.
func MattermostText(s string) string { return mattermostReplacer.Replace(printable(s)) }

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

var atReplacer = strings.NewReplacer("@", "@"+wordJoiner)

// TelegramHTML neutralises log text for a Telegram message in parse_mode
// HTML: control characters replaced, &, < and > escaped, and every '@'
// broken so that no @username is mentioned.
func TelegramHTML(s string) string { return atReplacer.Replace(html.EscapeString(printable(s))) }

// GoogleChatText neutralises text for Google Chat: '<' is broken so that
// neither <users/all> nor <users/123> mentions anyone and no <url|text>
// link is forged; '@' and Markdown links are broken as everywhere.
func GoogleChatText(s string) string { return conservative(s) }

// neutraliseAt breaks every '@' so no mention can ping.
func neutraliseAt(s string) string { return atReplacer.Replace(s) }

var conservativeReplacer = strings.NewReplacer(
	"@", "@"+wordJoiner,
	"<", "<"+wordJoiner,
	"](", "]"+wordJoiner+"(",
)

// conservative breaks mentions, angle-bracket commands and markdown links.
func conservative(s string) string { return conservativeReplacer.Replace(printable(s)) }

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
