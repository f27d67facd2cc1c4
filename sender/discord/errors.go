package discord

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is Discord's error body, including a 429's retry_after.
type apiError struct {
	Message    string          `json:"message"`
	Code       int             `json:"code"`
	Errors     json.RawMessage `json:"errors"`
	RetryAfter float64         `json:"retry_after"`
	Global     bool            `json:"global"`
}

// parse reads Discord's error into a and returns its message and code.
func (a *apiError) parse(body []byte) string {
	if json.Unmarshal(body, a) != nil || a.Message == "" {
		return ""
	}
	msg := a.Message
	if a.Code != 0 {
		msg = fmt.Sprintf("%s (code %d)", msg, a.Code)
	}
	if len(a.Errors) > 0 && len(a.Errors) < 300 {
		msg += ": " + string(a.Errors)
	}
	if a.Global {
		msg += " (global)"
	}
	return msg
}

// hint says what Discord's answer usually means.
func hint(status int, reason string) string {
	switch status {
	case http.StatusNotFound:
		return "the webhook was deleted: stop using this URL and create a new webhook"
	case http.StatusUnauthorized:
		return "the webhook's token was refused: the URL was cut or the webhook was reset"
	case http.StatusForbidden:
		return "the webhook may not post here"
	case http.StatusBadRequest:
		return "Discord refused the message: a field is over its limit or invalid"
	case http.StatusTooManyRequests:
		return "rate limited: repeated 401, 403 and 429 answers get the address banned for a while"
	}
	return ""
}
