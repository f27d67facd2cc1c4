package sender

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"https://api.example.com/v2/room/1/notification?auth_token=SECRET", "https://api.example.com/…"},
		{"https://hooks.slack.com/services/T0/B0/SECRET", "https://hooks.slack.com/…"},
		{"https://user:SECRET@example.com", "https://example.com"},
		{"https://example.com/", "https://example.com"},
		{"http://example.com:8080/#SECRET", "http://example.com:8080/…"},
		{"::SECRET::", "<redacted>"},
	}
	for _, tt := range tests {
		err := RedactURL(&url.Error{Op: "Post", URL: tt.url, Err: context.DeadlineExceeded})
		want := fmt.Sprintf("Post %q: context deadline exceeded", tt.want)
		if err.Error() != want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.url, err, want)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("RedactURL(%q) lost the cause", tt.url)
		}
	}
}

func TestRedactURLWrapped(t *testing.T) {
	inner := &url.Error{Op: "Post", URL: "https://h/x?auth_token=SECRET", Err: errors.New("boom")}
	err := RedactURL(fmt.Errorf("send: %w", inner))
	if strings.Contains(err.Error(), "SECRET") || !strings.HasPrefix(err.Error(), "send: ") {
		t.Errorf("RedactURL(wrapped) = %q", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || strings.Contains(ue.URL, "SECRET") {
		t.Errorf("RedactURL(wrapped) chain holds %v", ue)
	}
	plain := errors.New("no url")
	if RedactURL(plain) != plain {
		t.Error("RedactURL changed an error without a URL")
	}
}

func TestRequestErrorFromTransport(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://127.0.0.1:1/hook/SECRET?token=SECRET", nil)
	_, err := http.DefaultClient.Do(req)
	err = RequestError(err)
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("transport error leaks: %v", err)
	}
	if KindOf(err) != Retryable || !errors.Is(err, context.Canceled) {
		t.Errorf("RequestError = %v (kind %v), want retryable wrapping context.Canceled", err, KindOf(err))
	}
}
