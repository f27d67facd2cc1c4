package sender

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestTitle(t *testing.T) {
	tests := []struct {
		msg  string
		max  int
		want string
	}{
		{"\n  disk full\r\nBcc: x@evil\n", 80, "disk full"},
		{"disk\rBcc: x@evil\n", 80, "disk\uFFFDBcc: x@evil"},
		{"a\tb\x1b[2Jc", 80, "a b\uFFFD[2Jc"},
		{"ünïcödé line", 5, "ünïc…"},
		{"short", 5, "short"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		got := Title(tt.msg, tt.max)
		if got != tt.want || strings.ContainsAny(got, "\r\n") || utf8.RuneCountInString(got) > tt.max {
			t.Errorf("Title(%q, %d) = %q, want %q", tt.msg, tt.max, got, tt.want)
		}
	}
}

func TestScrub(t *testing.T) {
	const secret = "123:AA/b+c"
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	inner := &Error{Kind: RateLimited, Status: 429, Reason: "token " + secret, RetryAt: at,
		Err: errors.New(`Post "https://x/bot` + url.PathEscape(secret) + `/m?t=` + url.QueryEscape(secret) + `": EOF`)}
	err := Scrub(fmt.Errorf("telegram chat %q: %w", "-1", inner), secret)
	for _, f := range []string{secret, url.PathEscape(secret), url.QueryEscape(secret)} {
		if strings.Contains(err.Error(), f) {
			t.Errorf("leaks %q: %v", f, err)
		}
	}
	if KindOf(err) != RateLimited || !RetryAt(err).Equal(at) || !strings.HasPrefix(err.Error(), `telegram chat "-1": status 429`) {
		t.Errorf("Scrub lost the classification or the text around it: %v", err)
	}
	var e *Error
	if errors.As(err, &e) && (strings.Contains(e.Reason, secret) || strings.Contains(e.Err.Error(), "AA")) {
		t.Errorf("the chain still holds the secret: %+v", e)
	}
	plain := errors.New("no secret here")
	if Scrub(plain, secret) != plain || Scrub(nil, secret) != nil {
		t.Error("Scrub changed an error without the secret")
	}
}

func TestEscapersOfNewTypes(t *testing.T) {
	line := "<users/all> <https://evil|bank> @durov & \x1b[2J"
	tests := []struct {
		typ, format string
		live        []string
	}{
		{"telegram", "text", []string{"@durov", "\x1b"}},
		{"telegram", "html", []string{"@durov", "<users", "&amp; \x1b", "& "}},
		{"googlechat", "text", []string{"<users/all>", "<https://", "@durov", "\x1b"}},
		{"email", "text", []string{"\x1b"}},
		{"email", "html", []string{"<users", "\x1b"}},
		{"ntfy", "text", []string{"\x1b"}},
	}
	for _, tt := range tests {
		got := Escaper(tt.typ, tt.format)(line)
		for _, l := range tt.live {
			if strings.Contains(got, l) {
				t.Errorf("%s/%s: %q holds %q", tt.typ, tt.format, got, l)
			}
		}
	}
}
