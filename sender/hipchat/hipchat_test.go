package hipchat

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

const (
	roomToken  = "room-token-SECRET-1"
	otherToken = "room-token-SECRET-2"
	userToken  = "personal-token-SECRET"
	viewToken  = "view-only-token-SECRET"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fake starts a HipChat fake with rooms 1 (ops), 2 (Dev Team), 3 (#ops),
// a user, and tokens: roomToken bound to room 1, otherToken bound to room
// 2, userToken unbound, viewToken with view_room only.
func fake(t *testing.T, opts hipchattest.Options) *hipchattest.Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return epoch }
	}
	s := hipchattest.New(t, opts)
	s.AddRoom(1, "ops")
	s.AddRoom(2, "Dev Team")
	s.AddRoom(3, "#ops")
	s.AddUser(7, "alice@example.com", "alice")
	s.AddToken(roomToken, hipchattest.Token{Room: 1})
	s.AddToken(otherToken, hipchattest.Token{Room: 2})
	s.AddToken(userToken, hipchattest.Token{})
	s.AddToken(viewToken, hipchattest.Token{Scopes: []string{hipchattest.ScopeViewRoom}})
	return s
}

func notifier(t *testing.T, url, token string) *Notifier {
	t.Helper()
	n, err := New(Config{URL: url, Token: config.Secret(token), From: "web-01", Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNotifyAccepted(t *testing.T) {
	s := fake(t, hipchattest.Options{})
	n := notifier(t, s.URL, userToken)
	digests := []batch.Digest{
		{Room: "1", Color: "red", Format: "html", Notify: true, Message: "<b>disk full</b>"},
		{Room: "Dev Team", Color: "green", Format: "text", Message: "ok"},
		{Room: "#ops", Color: "purple", Mention: "@all", Message: "paging"},
		{Room: "@alice@example.com", Format: "text", Message: "to alice"},
		{Room: "@alice", Format: "html", Message: "<i>by mention name</i>"},
	}
	for i := range digests {
		if err := n.Notify(t.Context(), &digests[i]); err != nil {
			t.Fatalf("Notify(%q): %v", digests[i].Room, err)
		}
	}
	want := []hipchattest.Notification{
		{Kind: "notification", RoomID: 1, Room: "ops", Color: "red", Format: "html", Notify: true, From: "web-01", Message: "<b>disk full</b>", Token: userToken},
		{Kind: "notification", RoomID: 2, Room: "Dev Team", Color: "green", Format: "text", From: "web-01", Message: "ok", Token: userToken},
		{Kind: "notification", RoomID: 3, Room: "#ops", Color: "purple", Format: "text", From: "web-01", Message: "@all paging", Token: userToken},
		{Kind: "private", User: "alice@example.com", Color: "yellow", Format: "text", Message: "to alice", Token: userToken},
		{Kind: "private", User: "alice@example.com", Color: "yellow", Format: "html", Message: "<i>by mention name</i>", Token: userToken},
	}
	if diff := cmp.Diff(want, s.Notifications()); diff != "" {
		t.Errorf("notifications mismatch (-want +got):\n%s", diff)
	}
}

func TestNotifyRoomEscaping(t *testing.T) {
	var paths []string
	s := fake(t, hipchattest.Options{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		paths = append(paths, r.URL.EscapedPath())
		return false
	}})
	n := notifier(t, s.URL, userToken)
	for _, room := range []string{"Dev Team", "#ops"} {
		if err := n.Notify(t.Context(), &batch.Digest{Room: room, Message: "x"}); err != nil {
			t.Fatalf("Notify(%q): %v", room, err)
		}
	}
	want := []string{"/v2/room/Dev%20Team/notification", "/v2/room/%23ops/notification"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths mismatch (-want +got):\n%s", diff)
	}
}

func TestNotifySlashRefused(t *testing.T) {
	s := fake(t, hipchattest.Options{})
	s.AddRoom(9, "a/b")
	err := notifier(t, s.URL, userToken).Notify(t.Context(), &batch.Digest{Room: "a/b", Message: "x"})
	if sender.KindOf(err) != sender.Permanent || !strings.Contains(err.Error(), "numeric id") {
		t.Errorf("Notify(a/b) = %v, want a permanent error advising the numeric id", err)
	}
	if s.Requests() != 0 {
		t.Errorf("%d requests sent for a room holding '/'", s.Requests())
	}
}

func TestNotifyStatuses(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		opts   hipchattest.Options
		setup  func(s *hipchattest.Server)
		d      batch.Digest
		kind   sender.Kind
		status int
		says   []string // substrings of the error
	}{
		{name: "400 color", token: roomToken, d: batch.Digest{Room: "1", Color: "orange", Message: "x"},
			kind: sender.Permanent, status: 400, says: []string{"Value u'orange' for field 'color' is not one of", "color, message_format"}},
		{name: "401 unknown token", token: "nobody-SECRET", d: batch.Digest{Room: "1", Message: "x"},
			kind: sender.Permanent, status: 401, says: []string{"Authenticated requests only", "only for its own room", "v1 or group tokens"}},
		{name: "401 room token elsewhere", token: otherToken, d: batch.Digest{Room: "ops", Message: "x"},
			kind: sender.Permanent, status: 401, says: []string{"Invalid OAuth session", "only for its own room"}},
		{name: "403 scope", token: viewToken, d: batch.Digest{Room: "1", Message: "x"},
			kind: sender.Permanent, status: 403, says: []string{"[u'send_notification']", "lacks the scope"}},
		{name: "403 room token private message", token: roomToken, d: batch.Digest{Room: "@alice@example.com", Message: "x"},
			kind: sender.Permanent, status: 403, says: []string{"[u'send_message']"}},
		{name: "404 room", token: userToken, d: batch.Digest{Room: "nope", Message: "x"},
			kind: sender.Permanent, status: 404, says: []string{`"Room not found"`, "check the room name or use its numeric id"}},
		{name: "404 user", token: userToken, d: batch.Digest{Room: "@bob@example.com", Message: "x"},
			kind: sender.Permanent, status: 404, says: []string{"User not found", "check the email"}},
		{name: "405", token: userToken, setup: func(s *hipchattest.Server) { s.FailNext(1, 405) }, d: batch.Digest{Room: "1", Message: "x"},
			kind: sender.Permanent, status: 405, says: []string{"Method Not Allowed"}},
		{name: "429 flood", token: userToken, opts: hipchattest.Options{FloodLimit: 1},
			setup: func(s *hipchattest.Server) { s.AddRoom(4, "busy"); _ = sendOnce(s, userToken, "busy") },
			d:     batch.Digest{Room: "busy", Message: "x"},
			kind:  sender.RateLimited, status: 429, says: []string{"exceeded the rate limit", "30 messages a minute", "retry after 2026-03-01T12:01:00Z"}},
		{name: "429 token window", token: userToken, opts: hipchattest.Options{RateLimit: 1},
			setup: func(s *hipchattest.Server) { _ = sendOnce(s, userToken, "ops") },
			d:     batch.Digest{Room: "ops", Message: "x"},
			kind:  sender.RateLimited, status: 429, says: []string{"retry after 2026-03-01T12:05:00Z"}},
		{name: "500", token: userToken, setup: func(s *hipchattest.Server) { s.FailNext(1, 500) }, d: batch.Digest{Room: "1", Message: "x"},
			kind: sender.Retryable, status: 500, says: []string{"Internal Server Error"}},
		{name: "503", token: userToken, setup: func(s *hipchattest.Server) { s.FailNext(1, 503) }, d: batch.Digest{Room: "1", Message: "x"},
			kind: sender.Retryable, status: 503, says: []string{"Service Unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fake(t, tt.opts)
			if tt.setup != nil {
				tt.setup(s)
			}
			err := notifier(t, s.URL, tt.token).Notify(t.Context(), &tt.d)
			var e *sender.Error
			if !errors.As(err, &e) || e.Kind != tt.kind || e.Status != tt.status {
				t.Fatalf("Notify = %v, want %v status %d", err, tt.kind, tt.status)
			}
			for _, want := range tt.says {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			sendertest.AssertNoSecret(t, tt.token, err.Error())
		})
	}
}

// sendOnce sends one accepted notification to room.
func sendOnce(s *hipchattest.Server, token, room string) error {
	n, err := New(Config{URL: s.URL, Token: config.Secret(token)})
	if err != nil {
		return err
	}
	return n.Notify(context.Background(), &batch.Digest{Room: room, Message: "first"})
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url, userToken)
	}, &batch.Digest{Room: "1", Message: "x"}, nil)
}

func TestNotifyHostileMessage(t *testing.T) {
	huge := strings.Repeat("<b>@all &amp; \xff\xfe 😀 line</b>\n", 1<<15) // ~1 MB
	tests := []struct {
		name, format, msg string
	}{
		{"tags html", "html", "<b>bold <script>alert(1)</script>"},
		{"mention text", "text", "@all @here please"},
		{"invalid utf-8", "text", "bad \xff\xfe\xfd bytes \xe2\x82"},
		{"1 MB text", "text", huge},
		{"1 MB html", "html", huge},
	}
	s := fake(t, hipchattest.Options{FloodLimit: 100})
	n := notifier(t, s.URL, userToken)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := n.Notify(t.Context(), &batch.Digest{Room: "ops", Format: tt.format, Message: tt.msg}); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			got := s.Notifications()[i].Message
			if !utf8.ValidString(got) || LimitUnit.Len(got) > Limit || got == "" {
				t.Errorf("accepted message: valid %v, %d units", utf8.ValidString(got), LimitUnit.Len(got))
			}
		})
	}
}

func TestNotifyCancelLeaksNoToken(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s := fake(t, hipchattest.Options{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client going
		cancel()
		<-r.Context().Done()
		return true
	}})
	err := notifier(t, s.URL, userToken).Notify(ctx, &batch.Digest{Room: "ops", Message: "x"})
	if !errors.Is(err, context.Canceled) || sender.KindOf(err) != sender.Retryable {
		t.Fatalf("Notify = %v, want a retryable context.Canceled", err)
	}
	sendertest.AssertNoSecret(t, userToken, err.Error())
}

func TestNotifyTimeout(t *testing.T) {
	release := make(chan struct{})
	s := fake(t, hipchattest.Options{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return true
	}})
	defer close(release)
	n, err := New(Config{URL: s.URL, Token: userToken, Timeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Notify(t.Context(), &batch.Digest{Room: "ops", Message: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Notify = %v, want a deadline error", err)
	}
	sendertest.AssertNoSecret(t, userToken, err.Error())
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		says string
	}{
		{"empty url", Config{Token: "t"}, "url is empty"},
		{"scheme", Config{URL: "ftp://h", Token: "t"}, "http:// or https://"},
		{"query", Config{URL: "https://h/?auth_token=SECRETQ", Token: "t"}, "must not hold"},
		{"userinfo", Config{URL: "https://u:SECRETQ@h/", Token: "t"}, "must not hold"},
		{"bad url", Config{URL: "https://h/%zzSECRETQ", Token: "t"}, "hipchat: url"},
		{"no token", Config{URL: "https://h"}, "token is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("New = %v, want an error saying %q", err, tt.says)
			}
			sendertest.AssertNoSecret(t, "SECRETQ", err.Error())
		})
	}
	n, err := New(Config{URL: "https://h", Token: "t", From: strings.Repeat("é", 70)})
	if err != nil {
		t.Fatal(err)
	}
	if got := utf8.RuneCountInString(n.from); got != MaxFrom {
		t.Errorf("from cut to %d characters, want %d", got, MaxFrom)
	}
	if l, u := n.Limit(); l != 10000 || u != sender.UTF16 {
		t.Errorf("Limit() = %d %v", l, u)
	}
}
