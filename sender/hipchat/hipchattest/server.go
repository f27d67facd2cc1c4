// Package hipchattest is a fake HipChat API v2 server for tests: it routes,
// authenticates, validates, rate-limits and answers the way HipChat did,
// and records every accepted notification for assertions. It runs in a
// test (New) or in any process (NewServer), on httptest.
package hipchattest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Scopes of HipChat API v2 tokens used by the fake.
const (
	ScopeSendNotification = "send_notification"
	ScopeSendMessage      = "send_message"
	ScopeViewGroup        = "view_group"
	ScopeViewRoom         = "view_room"
)

// Options configures a Server. Zero values take HipChat's defaults.
type Options struct {
	// Now is the clock for rate limits and reset headers; time.Now if nil.
	Now func() time.Time
	// RateLimit is the number of requests per token per RateWindow
	// (HipChat Cloud: 500 per 5 minutes; Server user tokens: 100).
	RateLimit  int
	RateWindow time.Duration
	// FloodLimit is the number of messages per room (or user) per
	// FloodWindow (HipChat: 30 per minute).
	FloodLimit  int
	FloodWindow time.Duration
	// Hook, if set, sees every request first; when it returns true it has
	// answered the request and the server does nothing more.
	Hook func(w http.ResponseWriter, r *http.Request) bool
}

// Token describes one API token the server accepts.
type Token struct {
	// Room binds a room notification token to the room with this id; 0
	// for a personal or add-on token, which works on every room.
	Room int
	// Scopes granted; nil means send_notification for a room token and
	// every scope for an unbound token.
	Scopes []string
}

// Notification is one accepted message, as the server understood it.
type Notification struct {
	Kind    string // "notification", "message" (room message) or "private"
	RoomID  int    // 0 for a private message
	Room    string // the room's name
	User    string // the recipient's email, for a private message
	Color   string // defaulted to yellow
	Format  string // defaulted to html (text for private messages)
	Notify  bool
	From    string
	Message string
	Token   string
}

// Server is a running fake HipChat server.
type Server struct {
	// URL is the base URL to configure a client with (no trailing slash).
	URL string

	srv  *httptest.Server
	opts Options

	mu     sync.Mutex // protects the fields below
	rooms  []room
	users  []user
	tokens map[string]Token
	sent   []Notification
	fail   []int                  // statuses for the next requests
	rate   map[string][]time.Time // accepted requests per token
	flood  map[string][]time.Time // messages per room or user
	served int
}

type room struct {
	id   int
	name string
}

type user struct {
	id            int
	email, handle string
}

// New starts a server for the test and closes it when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a server in any process; call Close when done.
func NewServer(opts Options) *Server {
	s := newServer(opts)
	s.srv = httptest.NewServer(s.Handler())
	s.URL = s.srv.URL
	return s
}

func newServer(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 500
	}
	if opts.RateWindow == 0 {
		opts.RateWindow = 5 * time.Minute
	}
	if opts.FloodLimit == 0 {
		opts.FloodLimit = 30
	}
	if opts.FloodWindow == 0 {
		opts.FloodWindow = time.Minute
	}
	return &Server{
		opts:   opts,
		tokens: map[string]Token{},
		rate:   map[string][]time.Time{},
		flood:  map[string][]time.Time{},
	}
}

// Handler returns the server's HTTP handler, to mount elsewhere.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Close shuts the server down.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// AddRoom adds a room, addressable by id or by its exact name.
func (s *Server) AddRoom(id int, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rooms = append(s.rooms, room{id: id, name: name})
}

// AddUser adds a user, addressable by id, email or "@"+mention name.
func (s *Server) AddUser(id int, email, mentionName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = append(s.users, user{id: id, email: email, handle: mentionName})
}

// AddToken makes the server accept tok with the given binding and scopes.
func (s *Server) AddToken(tok string, t Token) {
	if t.Scopes == nil {
		t.Scopes = []string{ScopeSendNotification}
		if t.Room == 0 {
			t.Scopes = []string{ScopeSendNotification, ScopeSendMessage, ScopeViewGroup, ScopeViewRoom}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = t
}

// Notifications returns every accepted notification and message so far.
func (s *Server) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Requests returns how many requests the server has answered.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served
}

// FailNext makes the next n requests answer status with HipChat's error
// JSON, before any other check (fault injection: 500, 503, ...).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fail = append(s.fail, status)
	}
}

// lookupRoom finds a room by decoded id or exact name.
func (s *Server) lookupRoom(key string) (room, bool) {
	id, err := strconv.Atoi(key)
	for _, r := range s.rooms {
		if (err == nil && r.id == id) || r.name == key {
			return r, true
		}
	}
	return room{}, false
}

// lookupUser finds a user by id, email or "@"+mention name.
func (s *Server) lookupUser(key string) (user, bool) {
	id, err := strconv.Atoi(key)
	for _, u := range s.users {
		if (err == nil && u.id == id) || u.email == key || "@"+u.handle == key {
			return u, true
		}
	}
	return user{}, false
}
