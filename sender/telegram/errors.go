package telegram

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiError is the body of every Bot API error.
type apiError struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter      float64 `json:"retry_after"`
		MigrateToChatID int64   `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// parse returns the description of a Bot API error (with the chat a
// group moved to) and its retry_after in seconds.
func parse(body []byte) (string, float64) {
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Description == "" {
		return "", 0
	}
	d := e.Description
	if id := e.Parameters.MigrateToChatID; id != 0 {
		d += fmt.Sprintf(" (migrate_to_chat_id %d)", id)
	}
	return d, e.Parameters.RetryAfter
}

// hint says what the Bot API's answer usually means.
func hint(status int, reason string) string {
	r := strings.ToLower(reason)
	switch {
	case strings.Contains(r, "chat not found"):
		return "the bot cannot see this chat: add the bot to it, or check the room (a group's id starts with -)"
	case strings.Contains(r, "upgraded to a supergroup"):
		return "the group became a supergroup: set the rule's room to the new chat id"
	case strings.Contains(r, "bot was blocked"), strings.Contains(r, "bot was kicked"), strings.Contains(r, "not a member"):
		return "the bot was removed from the chat or blocked: add it again"
	case strings.Contains(r, "not enough rights"):
		return "the bot may not post in this chat: make it an admin of the channel"
	case strings.Contains(r, "can't parse entities"):
		return "Telegram could not read the message's HTML"
	}
	switch status {
	case http.StatusUnauthorized:
		return "Telegram does not know this bot token: check token"
	case http.StatusNotFound:
		return "no Bot API method here: check token and api_url"
	case http.StatusTooManyRequests:
		return "rate limited: Telegram allows about 1 message a second per chat and 20 a minute per group"
	}
	return ""
}
