package matrix

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// The fake's bot: its token, and the room it is in.
const (
	botToken  = "SECRETtoken"
	room      = "!abc:example.org"
	roomAlias = "#ops:example.org"
)

// fake is a Matrix homeserver's send endpoint as the client-server spec
// describes it: PUT .../rooms/{roomId}/send/m.room.message/{txnId} with a
// bearer token answers 200 {"event_id"}, and the same txnId again answers
// the same event_id without storing the event twice; 401 M_MISSING_TOKEN /
// M_UNKNOWN_TOKEN, 403 M_FORBIDDEN for a room the bot is not in, 400
// M_NOT_JSON, 413 M_TOO_LARGE; 429 M_LIMIT_EXCEEDED with retry_after_ms.
type fake struct {
	*httptest.Server

	mu      sync.Mutex // protects the fields below
	limit   int        // events accepted before 429; 0 for no limit
	lookups int        // alias lookups answered
	txns    map[string]string
	events  []map[string]any
	bodies  [][]byte
}

func newFake(t *testing.T) *fake {
	f := &fake{txns: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func matrixError(w http.ResponseWriter, status int, code, msg string, extra string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"errcode":%q,"error":%q%s}`, code, msg, extra)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if alias, ok := strings.CutPrefix(r.URL.EscapedPath(), "/_matrix/client/v3/directory/room/"); ok && r.Method == http.MethodGet {
		f.directory(w, alias)
		return
	}
	const prefix = "/_matrix/client/v3/rooms/"
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), prefix)
	parts := strings.Split(rest, "/")
	if r.Method != http.MethodPut || !ok || len(parts) != 4 || parts[1] != "send" || parts[2] != "m.room.message" {
		matrixError(w, 404, "M_UNRECOGNIZED", "Unrecognized request", "")
		return
	}
	roomID, _ := url.PathUnescape(parts[0])
	txn, _ := url.PathUnescape(parts[3])
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		matrixError(w, 401, "M_MISSING_TOKEN", "Missing access token", "")
	case auth != "Bearer "+botToken:
		matrixError(w, 401, "M_UNKNOWN_TOKEN", "Invalid access token passed.", `,"soft_logout":false`)
	case roomID != room:
		matrixError(w, 403, "M_FORBIDDEN", "User @bot:example.org not in room "+roomID, "")
	case len(body) > Limit:
		matrixError(w, 413, "M_TOO_LARGE", "event too large", "")
	case f.txns[txn] != "":
		// A retried transaction: the same event, stored once.
		_, _ = fmt.Fprintf(w, `{"event_id":%q}`, f.txns[txn])
	case f.limit > 0 && len(f.events) >= f.limit:
		matrixError(w, 429, "M_LIMIT_EXCEEDED", "Too Many Requests", `,"retry_after_ms":2000`)
	default:
		var ev map[string]any
		if json.Unmarshal(body, &ev) != nil {
			matrixError(w, 400, "M_NOT_JSON", "Content not JSON.", "")
			return
		}
		id := fmt.Sprintf("$event%d", len(f.events)+1)
		f.txns[txn] = id
		f.events = append(f.events, ev)
		f.bodies = append(f.bodies, body)
		_, _ = fmt.Fprintf(w, `{"event_id":%q}`, id)
	}
}

// directory answers GET /directory/room/{roomAlias}: 200 {"room_id",
// "servers"} for the one alias it knows, 404 M_NOT_FOUND otherwise.
func (f *fake) directory(w http.ResponseWriter, escaped string) {
	f.lookups++
	alias, _ := url.PathUnescape(escaped)
	if alias != roomAlias {
		matrixError(w, 404, "M_NOT_FOUND", "Room alias "+alias+" not found.", "")
		return
	}
	_, _ = fmt.Fprintf(w, `{"room_id":%q,"servers":["example.org"]}`, room)
}
