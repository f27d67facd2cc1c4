package slack

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limits of Slack incoming webhooks.
const (
	// Limit is the longest message text Slack shows whole; longer text is
	// truncated by Slack, so roomwatch cuts it first and says so.
	Limit = 40000
	// LimitUnit is how Limit is counted.
	LimitUnit = sender.Runes
)

// Config configures a Notifier.
type Config struct {
	// WebhookURL is the incoming webhook, https://hooks.slack.com/services/T/B/X.
	// It is a secret: it never appears in an error.
	WebhookURL config.Secret
	// Username overrides the name shown for the hook (legacy hooks only).
	Username string
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
