package webhook

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// Renderer makes a request body from a digest's template data (see
// TemplateData); rules.BodyTemplate is one.
type Renderer interface {
	Render(data map[string]any) ([]byte, error)
}

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
	// Body, when set, makes the request body instead of the JSON
	// document (the compiled body_template), sent as ContentType.
	Body Renderer
	// ContentType of a body made by Body; application/json if empty.
	ContentType string
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
