package matrix

import (
	"encoding/json"
	"net/http"
)

// apiError is the Matrix error body, with M_LIMIT_EXCEEDED's wait.
type apiError struct {
	Errcode      string `json:"errcode"`
	Error        string `json:"error"`
	RetryAfterMs int64  `json:"retry_after_ms"`
}

func (a *apiError) parse(body []byte) string {
	if json.Unmarshal(body, a) != nil || a.Errcode == "" {
		return ""
	}
	if a.Error == "" {
		return a.Errcode
	}
	return a.Errcode + ": " + a.Error
}

// hint says what a homeserver's answer usually means.
func hint(status int, reason string) string {
	switch {
	case contains(reason, "M_FORBIDDEN"):
		return "the bot is not in the room (invite it and let it join) or may not post there"
	case contains(reason, "M_UNKNOWN_TOKEN"), contains(reason, "M_MISSING_TOKEN"):
		return "the access token was refused: it expired or the session was logged out"
	case contains(reason, "M_TOO_LARGE"):
		return "the event is over the homeserver's size limit"
	case contains(reason, "M_LIMIT_EXCEEDED"):
		return "rate limited by the homeserver: exempt the bot user from rate limits if it posts often"
	case status == http.StatusNotFound:
		return "the homeserver does not know this path: check the url (the homeserver's base URL)"
	}
	return ""
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s[:len(sub)] == sub) }
