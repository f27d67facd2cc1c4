package alertmanager

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// DefaultResolveAfter is the shortest time after a POST that its alert
// resolves by itself when Config.ResolveAfter is zero; a rule whose
// debounce interval is longer gets twice its interval (see ResolveAfter).
const DefaultResolveAfter = 5 * time.Minute

// Config configures a Notifier.
type Config struct {
	// URL is the Alertmanager's base URL; /api/v2/alerts is appended.
	URL config.Secret
	// Host names this machine: the alert's instance label.
	Host string
	// ResolveAfter sets endsAt that long after each POST, so the alert
	// resolves unless another digest keeps it firing. Zero means the
	// larger of DefaultResolveAfter and twice the rule's interval.
	ResolveAfter time.Duration
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for endsAt and retry times; time.Now if nil.
	Now func() time.Time
}
