package sender

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Scrub returns err with every secret in its text (as is, path-escaped or
// query-escaped) replaced by <secret>, for a destination whose secret is
// part of its URL's path (a Telegram bot token), where no error may ever
// print it, whichever layer wrote it. An *Error keeps its kind, status
// and retry time; the chain below a scrubbed error is cut, so no caller
// can reach the original text.
func Scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	r := scrubber(secrets)
	if r(err.Error()) == err.Error() {
		return err
	}
	var e *Error
	if !errors.As(err, &e) {
		return errors.New(r(err.Error()))
	}
	c := *e
	c.Reason, c.Hint = r(e.Reason), r(e.Hint)
	if e.Err != nil {
		c.Err = errors.New(r(e.Err.Error()))
	}
	// Text wrapped around the *Error ("telegram chat 1: ...") is kept.
	if outer := err.Error(); outer != e.Error() {
		prefix, _, _ := strings.Cut(outer, e.Error())
		return fmt.Errorf("%s%w", r(prefix), &c)
	}
	return &c
}

func scrubber(secrets []string) func(string) string {
	var pairs []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, f := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			pairs = append(pairs, f, "<secret>")
		}
	}
	rep := strings.NewReplacer(pairs...)
	return rep.Replace
}
