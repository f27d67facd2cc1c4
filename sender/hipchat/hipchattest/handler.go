package hipchattest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody is more than any valid request; a larger body is cut and so
// fails to parse, like an oversized request on a real server.
const maxBody = 4 << 20

// route is what a request path addresses.
type route struct {
	kind   string // notification, message, private, room, rooms
	key    string // decoded room or user key
	method string // the method the route takes
	scope  string // the scope it needs
	bad    bool   // the key held an escaped '/', which HipChat never finds
}

// reply is one answer, written after the rate-limit headers are known.
type reply struct {
	status int
	body   any // nil for no body
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.opts.Hook != nil && s.opts.Hook(w, r) {
		s.mu.Lock()
		s.served++
		s.mu.Unlock()
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))

	s.mu.Lock()
	defer s.mu.Unlock()
	s.served++
	now := s.opts.Now()
	tok := token(r)
	rt, target := parseRoute(r.URL.EscapedPath()), ""
	rep := s.handle(r, rt, tok, body, now, &target)
	s.rateHeaders(w.Header(), tok, target, now)
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_ = json.NewEncoder(w).Encode(rep.body)
}

// handle decides the answer; target is set to the flood-control key once
// the room or user is known. Called with s.mu held.
func (s *Server) handle(r *http.Request, rt route, tok string, body []byte, now time.Time, target *string) reply {
	t, rep, ok := s.gate(r, rt, tok, now)
	if !ok {
		return rep
	}
	switch rt.kind {
	case "rooms":
		return s.listRooms(t)
	case "private":
		return s.private(rt, tok, body, now, target)
	}
	rm, ok := s.lookupRoom(rt.key)
	if rt.bad || !ok {
		return errorReply(http.StatusNotFound, "Room not found", nil)
	}
	if t.Room != 0 && t.Room != rm.id {
		return errorReply(http.StatusUnauthorized, "Invalid OAuth session", nil)
	}
	if rt.kind == "room" {
		return reply{http.StatusOK, roomJSON(rm)}
	}
	*target = fmt.Sprintf("room:%d", rm.id)
	n, bad := parseBody(body, rt.kind)
	if bad != nil {
		return *bad
	}
	if !s.allow(s.flood, *target, s.opts.FloodLimit, s.opts.FloodWindow, now) {
		return rateLimited()
	}
	n.RoomID, n.Room, n.Token = rm.id, rm.name, tok
	s.sent = append(s.sent, n)
	if rt.kind == "message" {
		return reply{http.StatusCreated, map[string]any{
			"id": fmt.Sprintf("msg-%d", len(s.sent)), "timestamp": now.UTC().Format("2006-01-02T15:04:05.000000-07:00")}}
	}
	return reply{status: http.StatusNoContent}
}

// gate runs the checks every request passes before its route: injected
// faults, routing, the token, its rate limit, auth_test and the scope.
// Called with s.mu held.
func (s *Server) gate(r *http.Request, rt route, tok string, now time.Time) (Token, reply, bool) {
	if len(s.fail) > 0 {
		status := s.fail[0]
		s.fail = s.fail[1:]
		return Token{}, errorReply(status, http.StatusText(status), nil), false
	}
	if rt.kind == "" {
		return Token{}, errorReply(http.StatusNotFound, "Not Found", nil), false
	}
	if r.Method != rt.method {
		return Token{}, errorReply(http.StatusMethodNotAllowed, "Method Not Allowed", nil), false
	}
	t, ok := s.tokens[tok]
	switch {
	case !ok:
		return t, errorReply(http.StatusUnauthorized,
			"Authenticated requests only. See https://www.hipchat.com/docs/apiv2/auth for more information.", nil), false
	case !s.allow(s.rate, "token:"+tok, s.opts.RateLimit, s.opts.RateWindow, now):
		return t, rateLimited(), false
	case r.URL.Query().Get("auth_test") == "true":
		return t, reply{http.StatusAccepted, map[string]any{"success": map[string]any{
			"code": 202, "message": "This auth_token has access to use this method.", "type": "Accepted"}}}, false
	case !hasScope(t, rt):
		return t, errorReply(http.StatusForbidden,
			fmt.Sprintf("This action requires one of the following scopes: [u'%s']", rt.scope), nil), false
	}
	return t, reply{}, true
}

// private answers POST /v2/user/{id_or_email}/message.
func (s *Server) private(rt route, tok string, body []byte, now time.Time, target *string) reply {
	u, ok := s.lookupUser(rt.key)
	if rt.bad || !ok {
		return errorReply(http.StatusNotFound, "User not found", nil)
	}
	*target = fmt.Sprintf("user:%d", u.id)
	n, bad := parseBody(body, "private")
	if bad != nil {
		return *bad
	}
	if !s.allow(s.flood, *target, s.opts.FloodLimit, s.opts.FloodWindow, now) {
		return rateLimited()
	}
	n.User, n.Token = u.email, tok
	s.sent = append(s.sent, n)
	return reply{status: http.StatusNoContent}
}

func (s *Server) listRooms(t Token) reply {
	items := []any{}
	for _, rm := range s.rooms {
		if t.Room == 0 || t.Room == rm.id {
			items = append(items, roomJSON(rm))
		}
	}
	return reply{http.StatusOK, map[string]any{"items": items, "startIndex": 0, "maxResults": 100}}
}

func roomJSON(rm room) map[string]any {
	return map[string]any{
		"id": rm.id, "name": rm.name, "privacy": "public", "is_archived": false,
		"links": map[string]string{"self": fmt.Sprintf("/v2/room/%d", rm.id)},
	}
}

// parseRoute maps an escaped path to a route; the zero route is unknown.
func parseRoute(escaped string) route {
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	if len(segs) < 2 || segs[0] != "v2" {
		return route{}
	}
	if segs[1] == "room" && (len(segs) == 2 || len(segs) == 3 && segs[2] == "") {
		return route{kind: "rooms", method: http.MethodGet, scope: ScopeViewGroup}
	}
	if len(segs) < 3 || segs[2] == "" {
		return route{}
	}
	key, err := url.PathUnescape(segs[2])
	if err != nil {
		return route{}
	}
	rt := route{key: key, bad: strings.Contains(strings.ToLower(segs[2]), "%2f")}
	switch {
	case segs[1] == "room" && len(segs) == 3:
		rt.kind, rt.method, rt.scope = "room", http.MethodGet, ScopeViewGroup
	case segs[1] == "room" && len(segs) == 4 && segs[3] == "notification":
		rt.kind, rt.method, rt.scope = "notification", http.MethodPost, ScopeSendNotification
	case segs[1] == "room" && len(segs) == 4 && segs[3] == "message":
		rt.kind, rt.method, rt.scope = "message", http.MethodPost, ScopeSendMessage
	case segs[1] == "user" && len(segs) == 4 && segs[3] == "message":
		rt.kind, rt.method, rt.scope = "private", http.MethodPost, ScopeSendMessage
	default:
		return route{}
	}
	return rt
}

// token returns the request's token: Authorization: Bearer, else the
// auth_token query parameter.
func token(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if k, v, ok := strings.Cut(h, " "); ok && strings.EqualFold(k, "Bearer") {
			return strings.TrimSpace(v)
		}
		return ""
	}
	return r.URL.Query().Get("auth_token")
}

func hasScope(t Token, rt route) bool {
	for _, sc := range t.Scopes {
		if sc == rt.scope || rt.scope == ScopeViewGroup && sc == ScopeViewRoom {
			return true
		}
	}
	return false
}

// errorReply builds HipChat's error JSON: code, message, type and extras.
func errorReply(status int, msg string, extra map[string]any) reply {
	e := map[string]any{"code": status, "message": msg, "type": http.StatusText(status)}
	for k, v := range extra {
		e[k] = v
	}
	return reply{status, map[string]any{"error": e}}
}

func rateLimited() reply {
	return errorReply(http.StatusTooManyRequests, "You have exceeded the rate limit. See https://www.hipchat.com/docs/apiv2/rate_limiting", nil)
}
