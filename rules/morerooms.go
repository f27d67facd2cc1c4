package rules

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/roomwatch/roomwatch/config"
)

var (
	// chatID is a Telegram chat: a numeric id (negative for groups and
	// channels) or a public channel's @username.
	chatID = regexp.MustCompile(`^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$`)
	// ntfyTopic is the topic name ntfy accepts.
	ntfyTopic = regexp.MustCompile(`^[-_A-Za-z0-9]{1,64}$`)
)

// moreRoom checks what a rule's room means for the types email, ntfy and
// telegram (googlechat ignores it).
func (c *compiler) moreRoom(r *Rule, s *config.RuleSpec, label string, dest *config.Destination) {
	var want string
	switch dest.Type {
	case "email":
		if _, err := mail.ParseAddressList(r.Room); err == nil && !strings.ContainsAny(r.Room, "\r\n") {
			return
		}
		want = "the recipient address(es), comma-separated"
	case "ntfy":
		if ntfyTopic.MatchString(r.Room) {
			return
		}
		want = "the topic: 1 to 64 letters, digits, - and _"
	case "telegram":
		if chatID.MatchString(r.Room) {
			return
		}
		want = "the chat id (-1001234567890) or a public channel's @name"
	default:
		return
	}
	if r.Room == "" {
		c.errorf(s.At, label, "room is required for %s destination %q: %s", dest.Type, dest.Name, want)
		return
	}
	o, ol := c.origin(s, s.Room != "", label)
	c.errorf(c.at(o, "room", o.At), ol, "room %q: want %s", r.Room, want)
}
