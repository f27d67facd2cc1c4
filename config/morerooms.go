package config

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
)

// moreRooms checks the keys of the types email, ntfy, telegram and
// googlechat and the webhook's content_type, and fills their defaults.
// (The webhook's body_template is compiled with the rules' templates.)
func (c *checker) moreRooms(d *Destination, label string) {
	switch d.Type {
	case "email":
		c.email(d, label)
	case "ntfy":
		if d.URL == "" && !c.cfg.Written(d, "url") && d.URLFile == "" && d.URLEnv == "" {
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
		c.contentType(d, label)
	}
}

// email checks an e-mail destination's server, sender and encryption.
func (c *checker) email(d *Destination, label string) {
	switch host, port, err := net.SplitHostPort(d.SMTP); {
	case d.SMTP == "":
		c.errorf(d.At, label, "smtp is required for type email (host:port, e.g. mail.example.com:587)")
	case err != nil || host == "":
		c.errorf(c.at(d, "smtp", d.At), label, "smtp: want host:port, e.g. mail.example.com:587")
	default:
		switch n, err := strconv.Atoi(port); {
		case err != nil || n < 1 || n > 65535:
			c.errorf(c.at(d, "smtp", d.At), label, "smtp: port %q is not a number from 1 to 65535", port)
		case n == 465 && !d.TLS:
			// The server speaks TLS from the first byte: a client that
			// waits for its greeting waits until the timeout.
			c.warnf(c.at(d, "smtp", d.At), label, "smtp: port 465 is implicit TLS; set tls: true")
		case (n == 587 || n == 25) && d.TLS:
			c.warnf(c.at(d, "tls", d.At), label, "tls: port %d usually speaks STARTTLS, not implicit TLS; drop tls: true", n)
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
	if d.TLS && c.cfg.Written(d, "starttls") {
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
func (c *checker) plainURL(d *Destination, label, key, raw string) {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" {
		return
	}
	c.errorf(c.at(d, key, d.At), label, "%s: want an http or https URL without a query, got %q", key, raw)
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

// BodyRenderer makes a webhook's request body from a digest's template
// data: the compiled body_template (rules.BodyTemplate).
type BodyRenderer interface {
	Render(data map[string]any) ([]byte, error)
}

// contentType checks a webhook's content_type, defaulting it to
// application/json when body_template is set.
func (c *checker) contentType(d *Destination, label string) {
	if d.ContentType != "" && (strings.ContainsAny(d.ContentType, "\r\n") || !validMediaType(d.ContentType)) {
		c.errorf(c.at(d, "content_type", d.At), label, "content_type: %q is not a media type like application/json", d.ContentType)
		return
	}
	switch {
	case d.BodyTemplate == "" && d.ContentType != "":
		c.errorf(c.at(d, "content_type", d.At), label, "content_type: needs body_template (the default body is JSON)")
	case d.BodyTemplate != "" && d.ContentType == "":
		d.ContentType = "application/json"
	}
}
