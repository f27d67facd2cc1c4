package webhook

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// Config configures a Notifier.
type Config struct {
	// URL receives the POST. It may hold a secret: it never appears in an
	// error.
	URL config.Secret
	// Headers are added to every request (e.g. Authorization); their
	// values are secrets.
	Headers map[string]config.Secret
	// Host names this machine in the document.
	Host string
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
