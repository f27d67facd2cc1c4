package matrix

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limits of Matrix events.
const (
	// Limit is the largest event a homeserver accepts (64 KiB), in
	// LimitUnit. The plain and the HTML body both count, and the server
	// adds signatures, so the request body is kept under MaxBody.
	Limit     = 64 << 10
	LimitUnit = sender.Bytes
	// MaxBody is the largest request body roomwatch sends.
	MaxBody = 60000
)

// Config configures a Notifier.
type Config struct {
	// URL is the homeserver's base URL, e.g. https://matrix.example.org.
	URL string
	// Token is the bot's access token, sent as "Authorization: Bearer".
	Token config.Secret
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
