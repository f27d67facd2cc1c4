package sender

import (
	"net/http"
	"net/url"
	"strings"
)

// noRedirects returns c, or a plain client, as a copy that never follows a
// redirect: the 3xx response itself comes back, so that CheckResponse can
// refuse it. Following one would post the message (and the token in the
// Authorization header) to a URL nobody configured, possibly over plain
// http after https, and a 302 to a page that answers GET with 200 would
// look like a delivery.
func noRedirects(c *http.Client) *http.Client {
	var nc http.Client
	if c != nil {
		nc = *c
	}
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &nc
}

// redirectError is the Permanent error for a 3xx response to a request to
// reqURL: it names where the server points (see redirectTarget) and what
// to do about it.
func redirectError(resp *http.Response, reqURL *url.URL) *Error {
	e := &Error{Kind: Permanent, Status: resp.StatusCode,
		Reason: "the URL redirects; give the final URL in the config"}
	if loc := resp.Header.Get("Location"); loc != "" {
		e.Reason = "the URL redirects to " + redirectTarget(loc, reqURL) + "; give the final URL in the config"
	}
	return e
}

// redirectTarget shows a Location header resolved against the request URL
// without the parts that may hold a secret: userinfo and query are
// dropped, and every path segment that also appears in the request URL
// (a webhook URL's path is its secret) is shown as "…".
func redirectTarget(loc string, reqURL *url.URL) string {
	u, err := url.Parse(loc)
	if err != nil {
		return "an unreadable Location"
	}
	if reqURL != nil {
		u = reqURL.ResolveReference(u)
	}
	secret := map[string]bool{}
	if reqURL != nil {
		for _, seg := range strings.Split(reqURL.Path, "/") {
			if len(seg) >= 6 {
				secret[seg] = true
			}
		}
		for _, vs := range reqURL.Query() {
			for _, v := range vs {
				secret[v] = true
			}
		}
	}
	segs := strings.Split(u.Path, "/")
	for i, seg := range segs {
		if secret[seg] {
			segs[i] = "…"
		}
	}
	s := u.Scheme + "://" + u.Host + strings.Join(segs, "/")
	if u.RawQuery != "" {
		s += "?…"
	}
	return printable(s)
}
