package hipchattest

import (
	"net/http"
	"strconv"
	"time"
)

// allow records one request for key in a sliding window and reports
// whether it was within limit; a refused request is not recorded.
// Called with s.mu held.
func (s *Server) allow(m map[string][]time.Time, key string, limit int, window time.Duration, now time.Time) bool {
	hits := prune(m[key], now.Add(-window))
	m[key] = hits
	if len(hits) >= limit {
		return false
	}
	m[key] = append(hits, now)
	return true
}

// prune drops the times not after since.
func prune(hits []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(hits) && !hits[i].After(since) {
		i++
	}
	return hits[i:]
}

// rateHeaders sets the six rate-limit headers HipChat sends on every
// response, with its exact spelling. Called with s.mu held.
func (s *Server) rateHeaders(h http.Header, tok, target string, now time.Time) {
	set := func(prefix string, hits []time.Time, limit int, window time.Duration) {
		hits = prune(hits, now.Add(-window))
		reset := now.Add(window)
		if len(hits) > 0 {
			reset = hits[0].Add(window)
		}
		h[prefix+"-Limit"] = []string{strconv.Itoa(limit)}
		h[prefix+"-Remaining"] = []string{strconv.Itoa(max(limit-len(hits), 0))}
		h[prefix+"-Reset"] = []string{strconv.FormatInt(unixCeil(reset), 10)}
	}
	set("X-Ratelimit", s.rate["token:"+tok], s.opts.RateLimit, s.opts.RateWindow)
	set("X-FloodControl", s.flood[target], s.opts.FloodLimit, s.opts.FloodWindow)
}

// unixCeil rounds up, so a client waiting until the reset is never early.
func unixCeil(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}
