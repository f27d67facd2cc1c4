package hipchat

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limits of HipChat API v2.
const (
	// Limit is the longest message HipChat accepts, in LimitUnit.
	Limit = 10000
	// LimitUnit is how Limit is counted. HipChat says "characters"
	// without saying which; UTF-16 code units are never fewer than code
	// points, so a message within Limit is accepted either way.
	LimitUnit = sender.UTF16
	// MaxFrom is the longest from label, in characters.
	MaxFrom = 64
)

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config configures a Notifier.
type Config struct {
	// URL is the server's base URL, e.g. https://api.hipchat.com;
	// /v2/room/{room}/notification is appended. It must not hold a
	// query or userinfo: the token goes in Token.
	URL string
	// Token is the API v2 token, sent as "Authorization: Bearer".
	Token config.Secret
	// From is a label shown beside the sender's name; cut to MaxFrom.
	From string
	// Timeout bounds one request; DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}

// parseBase checks the base URL and returns it without a trailing slash.
func parseBase(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("hipchat: url is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("hipchat: url: %w", sender.RedactURL(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("hipchat: url must start with http:// or https://")
	case u.Host == "":
		return "", errors.New("hipchat: url has no host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("hipchat: url must not hold userinfo, a query or a fragment: give the token in token")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// cutFrom shortens the from label to MaxFrom characters (UTF-16 code
// units, the stricter count) at a rune boundary, with no marker: the
// label is short and a marker would not fit.
func cutFrom(from string) string {
	n := 0
	for i, r := range from {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > MaxFrom {
			return from[:i]
		}
		n += w
	}
	return from
}
