package ntfy

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limits of an ntfy server (ntfy.sh's defaults).
const (
	// Limit is the largest message an ntfy server takes as a message
	// (message-size-limit, 4K); a longer one would become an attachment.
	Limit = 4096
	// LimitUnit is how Limit is counted.
	LimitUnit = sender.Bytes
	// maxJSON is the largest JSON publish request ntfy reads.
	maxJSON = 16384
)

// Config configures a Notifier.
type Config struct {
	// URL is the server, https://ntfy.sh when empty.
	URL string
	// Token is an access token (tk_…), sent as a bearer token; empty for
	// a public topic. It never appears in an error.
	Token config.Secret
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
