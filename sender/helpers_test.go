package sender_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/hipchat"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// attempt is one request the fake server answered.
type attempt struct {
	at     time.Time
	status int
}

// transport serves requests with the fake's handler in memory, so that
// the fake and the client share the synctest bubble's clock (httptest's
// listener cannot run inside a bubble). down makes every request fail as
// a refused connection.
type transport struct {
	h http.Handler

	mu       sync.Mutex // protects the fields below
	down     bool
	attempts []attempt
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	down := t.down
	t.mu.Unlock()
	if down {
		t.record(0)
		return nil, errors.New("dial tcp 127.0.0.1:443: connect: connection refused")
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	t.record(rec.Code)
	resp := rec.Result()
	// On the wire, header names arrive canonicalised.
	h := http.Header{}
	for k, v := range resp.Header {
		h[textproto.CanonicalMIMEHeaderKey(k)] = v
	}
	resp.Header = h
	return resp, nil
}

func (t *transport) record(status int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.attempts = append(t.attempts, attempt{at: time.Now(), status: status})
}

func (t *transport) setDown(v bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.down = v
}

func (t *transport) log() []attempt {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]attempt(nil), t.attempts...)
}

// count returns how many attempts got status.
func (t *transport) count(status int) int {
	n := 0
	for _, a := range t.log() {
		if a.status == status {
			n++
		}
	}
	return n
}

// fake is a fake HipChat server with room 42 "Ops", room 7 "Dev", the
// token "tok" for every room, and a notifier that reaches it in memory.
type fake struct {
	srv *hipchattest.Server
	tr  *transport
}

// newFake must be called outside the synctest bubble: the server's
// listener runs outside it; requests go through tr inside it.
func newFake(t *testing.T, opts hipchattest.Options) *fake {
	srv := hipchattest.New(t, opts)
	srv.AddRoom(42, "Ops")
	srv.AddRoom(7, "Dev")
	srv.AddToken("tok", hipchattest.Token{})
	return &fake{srv: srv, tr: &transport{h: srv.Handler()}}
}

func (f *fake) notifier(t *testing.T, token string) *hipchat.Notifier {
	n, err := hipchat.New(hipchat.Config{URL: "https://hipchat.test", Token: config.Secret(token), Client: &http.Client{Transport: f.tr}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// linesSent returns, per rule, the sample lines of every accepted message,
// in order, and the total count of matched lines the messages state.
func (f *fake) linesSent() (map[string][]string, int) {
	out := map[string][]string{}
	total := 0
	for _, n := range f.srv.Notifications() {
		var c int
		var rule string
		head, rest, _ := strings.Cut(n.Message, "\n")
		if _, err := fmt.Sscanf(head, "%d × %s", &c, &rule); err != nil {
			continue
		}
		total += c
		for l := range strings.SplitSeq(rest, "\n") {
			if l != "" && !strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "(") {
				out[rule] = append(out[rule], l)
			}
		}
	}
	return out, total
}

// digest makes a digest of rule in room Ops with one line per text.
func digest(dest, rule string, seq int, texts ...string) *batch.Digest {
	d := &batch.Digest{
		ID:  fmt.Sprintf("d%d", seq),
		Key: batch.Key{Destination: dest, Room: "Ops", Rule: rule}, Seq: uint64(seq),
		Rule: rule, Room: "Ops", Color: "red", Format: "text", Count: len(texts),
		First: time.Now(), Last: time.Now(), At: time.Now(),
	}
	for _, s := range texts {
		d.Lines = append(d.Lines, batch.Line{Text: s, Count: 1})
	}
	d.Message = fmt.Sprintf("%d × %s\n%s", d.Count, rule, strings.Join(texts, "\n"))
	return d
}

// running is a Dispatcher running in the background until stop.
type running struct {
	*sender.Dispatcher
	cancel context.CancelFunc
	done   chan struct{}
}

func start(t *testing.T, opts sender.Options) *running {
	t.Helper()
	if opts.Jitter == nil {
		opts.Jitter = func() float64 { return 0.5 }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	d, err := sender.NewDispatcher(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Dispatcher: d, cancel: cancel, done: make(chan struct{})}
	// The dispatcher runs until stop, which waits for it.
	go func() { _ = d.Run(ctx); close(r.done) }()
	t.Cleanup(r.stop)
	return r
}

func (r *running) stop() {
	r.cancel()
	<-r.done
}

func (r *running) submit(t *testing.T, d *batch.Digest) {
	t.Helper()
	if err := r.Submit(d); err != nil {
		t.Fatal(err)
	}
}

// drain waits for every queue to empty, at most limit of virtual time.
func (r *running) drain(t *testing.T, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if err := r.Drain(ctx); err != nil {
		t.Errorf("drain: %v; undelivered: %+v", err, r.Undelivered())
	}
}

// logBuffer is a logger that keeps its text for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func dests(name string, n sender.Notifier, limits *sender.Limits) map[string]sender.Destination {
	return map[string]sender.Destination{name: {Notifier: n, Type: "hipchat", Limits: limits}}
}
