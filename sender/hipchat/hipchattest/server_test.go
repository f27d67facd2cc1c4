package hipchattest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func start(t *testing.T, opts Options) (*Server, *clock) {
	t.Helper()
	c := &clock{epoch}
	opts.Now = c.now
	s := New(t, opts)
	s.AddRoom(1, "ops")
	s.AddRoom(2, "Dev Team")
	s.AddRoom(3, "a/b")
	s.AddUser(7, "alice@example.com", "alice")
	s.AddToken("room1", Token{Room: 1})
	s.AddToken("admin", Token{})
	s.AddToken("viewer", Token{Scopes: []string{ScopeViewRoom}})
	return s, c
}

type result struct {
	status int
	body   map[string]any
	header http.Header
}

func do(t *testing.T, method, url, token, body string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.body); err != nil {
			t.Fatalf("body %q is not JSON: %v", b, err)
		}
	}
	return r
}

// errorOf returns the "error" object of a HipChat error body.
func errorOf(r result) map[string]any {
	e, _ := r.body["error"].(map[string]any)
	return e
}

func TestValidation(t *testing.T) {
	long := strings.Repeat("x", MaxMessage+1)
	tests := []struct {
		name string
		body string
		want map[string]any
	}{
		{"message missing", `{"color":"red"}`, map[string]any{"code": 400.0, "field": "message",
			"message": "Required field 'message' is missing", "type": "Bad Request", "validation": "optional", "value": nil}},
		{"message empty", `{"message":""}`, map[string]any{"code": 400.0, "field": "message",
			"message": "Value for field 'message' must be between 1 and 10000 characters long", "type": "Bad Request", "validation": "length", "value": ""}},
		{"message too long", `{"message":"` + long + `"}`, map[string]any{"code": 400.0, "field": "message",
			"message": "Value for field 'message' must be between 1 and 10000 characters long", "type": "Bad Request", "validation": "length", "value": long}},
		{"color", `{"message":"x","color":"grey"}`, map[string]any{"code": 400.0, "field": "color",
			"message": "Value u'grey' for field 'color' is not one of [u'yellow', u'green', u'red', u'purple', u'gray', u'random']",
			"type":    "Bad Request", "validation": "enum", "value": "grey"}},
		{"format", `{"message":"x","message_format":"markdown"}`, map[string]any{"code": 400.0, "field": "message_format",
			"message": "Value u'markdown' for field 'message_format' is not one of [u'html', u'text']",
			"type":    "Bad Request", "validation": "enum", "value": "markdown"}},
		{"notify type", `{"message":"x","notify":"yes"}`, map[string]any{"code": 400.0, "field": "notify", "expected_type": "boolean",
			"message": "Value u'yes' for field 'notify' is not of type 'boolean'", "type": "Bad Request", "validation": "type", "value": "yes"}},
		{"notify null", `{"message":"x","notify":null}`, map[string]any{"code": 400.0, "field": "notify", "expected_type": "boolean",
			"message": "Value None for field 'notify' is not of type 'boolean'", "type": "Bad Request", "validation": "type", "value": nil}},
		{"from too long", `{"message":"x","from":"` + strings.Repeat("f", 65) + `"}`, map[string]any{"code": 400.0, "field": "from",
			"message": "Value for field 'from' must be between 0 and 64 characters long", "type": "Bad Request", "validation": "length", "value": strings.Repeat("f", 65)}},
		{"not json", `message=hello`, map[string]any{"code": 400.0,
			"message": "The request body cannot be parsed as valid JSON", "type": "Bad Request"}},
	}
	s, _ := start(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, "POST", s.URL+"/v2/room/1/notification", "admin", tt.body)
			if r.status != 400 {
				t.Fatalf("status %d, want 400", r.status)
			}
			if diff := cmp.Diff(tt.want, errorOf(r)); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if n := len(s.Notifications()); n != 0 {
		t.Errorf("%d invalid notifications recorded", n)
	}
}

func TestAccepted(t *testing.T) {
	s, _ := start(t, Options{})
	bodies := []string{
		`{"message":"é","notify":"true","color":"random","message_format":"text","from":"` + strings.Repeat("f", 64) + `"}`,
		`{"message":"` + strings.Repeat("é", MaxMessage) + `"}`,
	}
	for _, b := range bodies {
		if r := do(t, "POST", s.URL+"/v2/room/Dev%20Team/notification", "admin", b); r.status != 204 || r.body != nil {
			t.Fatalf("status %d body %v, want 204 and no body", r.status, r.body)
		}
	}
	got := s.Notifications()
	want := []Notification{
		{Kind: "notification", RoomID: 2, Room: "Dev Team", Color: "random", Format: "text", Notify: true, From: strings.Repeat("f", 64), Message: "é", Token: "admin"},
		{Kind: "notification", RoomID: 2, Room: "Dev Team", Color: "yellow", Format: "html", Message: strings.Repeat("é", MaxMessage), Token: "admin"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notifications mismatch (-want +got):\n%s", diff)
	}
}

func TestRoutingAndAuth(t *testing.T) {
	s, _ := start(t, Options{})
	tests := []struct {
		name, method, path, token string
		status                    int
		message                   string
	}{
		{"by name", "POST", "/v2/room/ops/notification", "room1", 204, ""},
		{"query token", "POST", "/v2/room/1/notification?auth_token=room1", "", 204, ""},
		{"plus is not space", "POST", "/v2/room/Dev+Team/notification", "admin", 404, "Room not found"},
		{"escaped slash", "POST", "/v2/room/a%2Fb/notification", "admin", 404, "Room not found"},
		{"unknown room", "POST", "/v2/room/42/notification", "admin", 404, "Room not found"},
		{"no token", "POST", "/v2/room/1/notification", "", 401, "Authenticated requests only. See https://www.hipchat.com/docs/apiv2/auth for more information."},
		{"unknown token", "POST", "/v2/room/1/notification", "nope", 401, "Authenticated requests only. See https://www.hipchat.com/docs/apiv2/auth for more information."},
		{"room token elsewhere", "POST", "/v2/room/2/notification", "room1", 401, "Invalid OAuth session"},
		{"scope", "POST", "/v2/room/1/notification", "viewer", 403, "This action requires one of the following scopes: [u'send_notification']"},
		{"room token get room", "GET", "/v2/room/1", "room1", 403, "This action requires one of the following scopes: [u'view_group']"},
		{"get room", "GET", "/v2/room/Dev%20Team", "viewer", 200, ""},
		{"wrong method", "GET", "/v2/room/1/notification", "admin", 405, "Method Not Allowed"},
		{"fragment cut path", "POST", "/v2/room/", "admin", 405, "Method Not Allowed"},
		{"unknown route", "POST", "/v1/rooms/message", "admin", 404, "Not Found"},
		{"private", "POST", "/v2/user/alice@example.com/message", "admin", 204, ""},
		{"private by mention", "POST", "/v2/user/@alice/message", "admin", 204, ""},
		{"private unknown", "POST", "/v2/user/bob@example.com/message", "admin", 404, "User not found"},
		{"room message", "POST", "/v2/room/1/message", "admin", 201, ""},
		{"auth test", "POST", "/v2/room/1/notification?auth_test=true", "admin", 202, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, s.URL+tt.path, tt.token, `{"message":"hi"}`)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d (%v)", r.status, tt.status, r.body)
			}
			if e := errorOf(r); tt.message != "" && (e["message"] != tt.message || e["code"] != float64(tt.status)) {
				t.Errorf("error %v, want message %q", e, tt.message)
			}
		})
	}
	if n := len(s.Notifications()); n != 5 {
		t.Errorf("%d notifications recorded, want 5", n)
	}
}
