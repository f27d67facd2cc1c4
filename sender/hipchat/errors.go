package hipchat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiError is HipChat's error body:
// {"error":{"code":400,"message":"...","type":"Bad Request","field":"..."}}.
type apiError struct {
	Error struct {
		Message    string `json:"message"`
		Field      string `json:"field"`
		Validation string `json:"validation"`
	} `json:"error"`
}

// reason returns HipChat's own error message, naming the field for a
// validation failure. The token is scrubbed in case a server echoes it.
func (n *Notifier) reason(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Error.Message == "" {
		return ""
	}
	msg := e.Error.Message
	if e.Error.Field != "" && !strings.Contains(msg, e.Error.Field) {
		msg = fmt.Sprintf("%s (field %s)", msg, e.Error.Field)
	}
	return strings.ReplaceAll(msg, n.token, "<secret>")
}

// hint says what a HipChat status usually means.
func hint(status int, reason string) string {
	switch status {
	case http.StatusBadRequest:
		return "HipChat refused the request: the message, color, message_format or from label is invalid"
	case http.StatusUnauthorized:
		return "the token was refused: a room notification token works only for its own room, and v1 or group tokens never work on API v2"
	case http.StatusForbidden:
		return "the token lacks the scope this needs (send_notification for rooms, send_message for private messages)"
	case http.StatusNotFound:
		if strings.Contains(strings.ToLower(reason), "user") {
			return "user not found: check the email or mention name"
		}
		return "room not found: check the room name or use its numeric id"
	case http.StatusMethodNotAllowed:
		return "the path was not understood: check the url, or use the room's numeric id"
	case http.StatusTooManyRequests:
		return "rate limited: HipChat allows 30 messages a minute per room and 500 requests per 5 minutes per token"
	}
	return ""
}
