package rules

import (
	"cmp"
	"mime"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Defaults of the e-mail, ntfy and Telegram destinations.
const (
	DefaultNtfyURL     = "https://ntfy.sh"
	DefaultTelegramURL = "https://api.telegram.org"
	DefaultStartTLS    = "auto"
)

var (
	// botToken is the shape of a token from @BotFather: the bot's id, a
	// colon and the secret part.
	botToken = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{10,100}$`)
	// chatID is a Telegram chat: a numeric id (negative for groups and
	// channels) or a public channel's @username.
	chatID = regexp.MustCompile(`^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$`)
	// ntfyTopic is the topic name ntfy accepts.
	ntfyTopic = regexp.MustCompile(`^[-_A-Za-z0-9]{1,64}$`)
)

// moreRooms checks the keys of the types email, ntfy, telegram and
// googlechat and the webhook's body template, and fills their defaults.
func (c *compiler) moreRooms(d *Destination, label string) {
	switch d.Type {
	case "email":
		c.email(d, label)
	case "ntfy":
		if d.URL == "" && !c.cfg.written(d, "url") && d.URLFile == "" && d.URLEnv == "" {
			d.URL = DefaultNtfyURL
		}
	case "telegram":
		if d.Token != "" && !botToken.MatchString(d.Token.Reveal()) {
			at := c.at(d, "token", c.at(d, "token_file", c.at(d, "token_env", d.At)))
			c.errorf(at, label, "token: not a bot token (want the 123456789:AAH… token that @BotFather gave)")
		}
		d.APIURL = cmp.Or(d.APIURL, DefaultTelegramURL)
		c.plainURL(d, label, "api_url", d.APIURL)
	case "webhook":
		c.bodyTemplate(d, label)
	}
}

// email checks an e-mail destination's server, sender and encryption.
func (c *compiler) email(d *Destination, label string) {
	switch host, port, err := net.SplitHostPort(d.SMTP); {
	case d.SMTP == "":
		c.errorf(d.At, label, "smtp is required for type email (host:port, e.g. mail.example.com:587)")
	case err != nil || host == "":
		c.errorf(c.at(d, "smtp", d.At), label, "smtp: want host:port, e.g. mail.example.com:587")
	default:
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			c.errorf(c.at(d, "smtp", d.At), label, "smtp: port %q is not a number from 1 to 65535", port)
		}
	}
	if d.From == "" {
		c.errorf(d.At, label, "from is required for type email (the sender address)")
	} else if _, err := mail.ParseAddress(d.From); err != nil || strings.ContainsAny(d.From, "\r\n") {
		c.errorf(c.at(d, "from", d.At), label, "from: %q is not an e-mail address", d.From)
	}
	switch d.StartTLS {
	case "":
		d.StartTLS = DefaultStartTLS
	case "auto", "always", "never":
	default:
		c.errorf(c.at(d, "starttls", d.At), label, "starttls: %q is not one of auto, always, never", d.StartTLS)
	}
	if d.TLS && c.cfg.written(d, "starttls") {
		c.errorf(c.at(d, "starttls", d.At), label, "starttls: does not apply with tls: true (the whole connection is TLS)")
	}
	if (d.Username == "") != (d.Password == "") {
		c.errorf(d.At, label, "username and password go together: set both or neither")
	}
	if d.Password != "" && d.StartTLS == "never" && !d.TLS {
		c.errorf(c.at(d, "starttls", d.At), label, "starttls: never would send the password in clear text")
	}
}

// plainURL checks a URL that is not a secret.
func (c *compiler) plainURL(d *Destination, label, key, raw string) {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" {
		return
	}
	c.errorf(c.at(d, key, d.At), label, "%s: want an http or https URL without a query, got %q", key, raw)
}

// moreRoom checks what a rule's room means for the types email, ntfy and
// telegram (googlechat ignores it).
func (c *compiler) moreRoom(r *Rule, s *RuleSpec, label string, dest *Destination) {
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

// IsJSON reports whether a content type is JSON (application/json or a
// +json type such as application/vnd.api+json).
func IsJSON(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && (t == "application/json" || strings.HasSuffix(t, "+json"))
}

func validMediaType(s string) bool {
	t, _, err := mime.ParseMediaType(s)
	return err == nil && strings.Contains(t, "/")
}
