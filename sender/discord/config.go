package discord

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limits of Discord messages, in LimitUnit.
const (
	// MaxContent is the longest content (roomwatch puts only the mention
	// there).
	MaxContent = 2000
	// MaxDescription is the longest embed description: the message.
	MaxDescription = 4096
	// MaxEmbeds is the most text all embeds of a message may hold together.
	MaxEmbeds = 6000
	// LimitUnit is how the limits are counted; Discord says characters,
	// and UTF-16 code units are never fewer.
	LimitUnit = sender.UTF16
)

// Config configures a Notifier.
type Config struct {
	// WebhookURL is https://discord.com/api/webhooks/{id}/{token}. It is a
	// secret: it never appears in an error.
	WebhookURL config.Secret
	// Username overrides the webhook's name.
	Username string
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
