package telegram

import (
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Limits of the Bot API's sendMessage.
const (
	// Limit is the longest message text, after its HTML is parsed.
	// roomwatch counts the markup too, so a message it sends is never
	// refused as too long.
	Limit = 4096
	// LimitUnit is how Limit is counted: Telegram counts UTF-16 code
	// units.
	LimitUnit = sender.UTF16
)

// Config configures a Notifier.
type Config struct {
	// Token is the bot token from @BotFather. It is part of every
	// request's URL path and never appears in an error.
	Token config.Secret
	// APIURL is the Bot API server, https://api.telegram.org when empty.
	APIURL string
	// Timeout bounds one request; sender.DefaultTimeout if zero.
	Timeout time.Duration
	// Client sends the requests; a plain http.Client if nil.
	Client *http.Client
	// Now is the clock for retry times; time.Now if nil.
	Now func() time.Time
}
