package teams

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limit is the largest request Teams accepts (28 KB), in LimitUnit; the
// whole card counts, so the message itself gets less.
const (
	Limit     = 28 * 1024
	LimitUnit = sender.Bytes
)

// Config configures a Notifier.
type Config struct {
	// WebhookURL is the Workflows (Power Automate) webhook. It is a
	// secret (its sig= parameter signs requests): it never appears in an
	// error.
	WebhookURL config.Secret
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
