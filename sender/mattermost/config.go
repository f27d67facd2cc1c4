package mattermost

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limits of Mattermost incoming webhooks.
const (
	// Limit is the longest post Mattermost accepts.
	Limit = 16383
	// LimitUnit is how Limit is counted.
	LimitUnit = sender.Runes
)

// Config configures a Notifier.
type Config struct {
	// WebhookURL is the incoming webhook, https://host/hooks/KEY.
	// It is a secret: it never appears in an error.
	WebhookURL config.Secret
	// Username overrides the name shown for the hook, where the server
	// lets integrations override it.
	Username string
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
