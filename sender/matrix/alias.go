package matrix

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/roomwatch/roomwatch/sender"
)

// roomID returns the room id to send to: room itself when it is an id
// (!abc:server), or the id an alias (#ops:server) stands for, asked of the
// homeserver once (GET /_matrix/client/v3/directory/room/{alias}) and
// remembered.
func (n *Notifier) roomID(ctx context.Context, room string) (string, error) {
	if strings.HasPrefix(room, "!") && strings.Contains(room, ":") {
		return room, nil
	}
	if !strings.HasPrefix(room, "#") || !strings.Contains(room, ":") {
		return "", &sender.Error{Kind: sender.Permanent, Reason: "not a room id or alias",
			Hint: "give the room id (!abc:example.org, in the room's settings) or an alias (#ops:example.org)"}
	}
	n.mu.Lock()
	id := n.aliases[room]
	n.mu.Unlock()
	if id != "" {
		return id, nil
	}
	id, err := n.resolve(ctx, room)
	if err != nil {
		return "", err
	}
	n.mu.Lock()
	n.aliases[room] = id
	n.mu.Unlock()
	return id, nil
}

// resolve asks the homeserver for the room id of an alias.
func (n *Notifier) resolve(ctx context.Context, alias string) (string, error) {
	timeout := n.http.Timeout
	if timeout <= 0 {
		timeout = sender.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := n.base + "/_matrix/client/v3/directory/room/" + url.PathEscape(alias)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", &sender.Error{Kind: sender.Permanent, Err: sender.RedactURL(err)}
	}
	req.Header.Set("Authorization", "Bearer "+n.token)
	req.Header.Set("User-Agent", "roomwatch")
	client := n.http.Client
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", sender.RequestError(err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, sender.MaxBody))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var a apiError
	if err := sender.CheckResponse(resp, n.now(), a.parse, aliasHint); err != nil {
		return "", fmt.Errorf("alias %s: %w", alias, err)
	}
	var r struct {
		RoomID string `json:"room_id"`
	}
	if json.Unmarshal(body, &r) != nil || !strings.HasPrefix(r.RoomID, "!") {
		return "", &sender.Error{Kind: sender.Retryable, Reason: fmt.Sprintf("alias %s: no room_id in the answer", alias)}
	}
	return r.RoomID, nil
}

func aliasHint(status int, reason string) string {
	if status == http.StatusNotFound {
		return "no room has this alias on the homeserver: check the alias, or give the room id"
	}
	return hint(status, reason)
}
