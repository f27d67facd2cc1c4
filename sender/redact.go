package sender

import (
	"errors"
	"net/url"
	"strings"
)

// RedactURL returns err with the URL of any *url.Error in it reduced to
// scheme://host/…: the query (auth_token=), the userinfo and the path are
// dropped, because for webhooks the path itself is the secret. An error
// without a *url.Error is returned unchanged.
func RedactURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	clean := &url.Error{Op: ue.Op, URL: redactedURL(ue.URL), Err: ue.Err}
	if err == error(ue) {
		return clean
	}
	// The *url.Error is wrapped: rewrite the whole text, keep the chain.
	msg := err.Error()
	if ue.URL != "" {
		msg = strings.ReplaceAll(msg, ue.URL, clean.URL)
	}
	return &redacted{msg: msg, err: clean}
}

// redactedURL keeps only scheme and host of a URL.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<redacted>"
	}
	s := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		s += "/…"
	}
	return s
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
