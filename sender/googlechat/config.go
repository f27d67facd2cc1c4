package googlechat

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limits of a Google Chat incoming webhook.
const (
	// Limit is the largest message Google Chat takes, in bytes.
	Limit = 32000
	// LimitUnit is how Limit is counted.
	LimitUnit = sender.Bytes
)

// Config configures a Notifier.
type Config struct {
	// WebhookURL is the space's incoming webhook,
	// https://chat.googleapis.com/v1/spaces/S/messages?key=K&token=T. It
	// is a secret: it never appears in an error.
	WebhookURL config.Secret
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
