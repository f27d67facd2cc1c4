package service

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"time"
)

//go:embed statuspage.html
var statusPageText string

// statusPage renders Status as one HTML page: server-side, no script,
// refreshing itself. html/template escapes every value, so log text
// (a first line, a group value, a server's error) is shown as text.
var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"stamp": func(t time.Time) string { return t.Format("2006-01-02 15:04:05 MST") },
	"ago":   ago,
	"until": until,
	"bytes": byteSize,
	"sub":   func(a, b int) int { return a - b },
}).Parse(statusPageText))

// statusHeaders are sent with the page and the JSON: nothing may run or
// load from it, and nobody may frame it.
func statusHeaders(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// serveStatusPage serves / as HTML.
func (s *Service) serveStatusPage(w http.ResponseWriter, r *http.Request) {
	st := s.statusNow()
	statusHeaders(w, "text/html; charset=utf-8")
	if err := statusPage.Execute(w, st); err != nil {
		s.log.Warn("status page", "err", err)
	}
}

// serveStatusJSON serves /status.json.
func (s *Service) serveStatusJSON(w http.ResponseWriter, r *http.Request) {
	st := s.statusNow()
	statusHeaders(w, "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(st); err != nil {
		s.log.Warn("status.json", "err", err)
	}
}

// statusNow samples the counters, so that the last line and match times
// are no older than the request, and collects the Status.
func (s *Service) statusNow() Status {
	s.activity.sample(s.now(), s.en.LinesByFile(), s.en.MatchesByRule())
	return s.currentStatus()
}

// ago says how long before now t was: "3 s ago", "never" for nil.
func ago(now time.Time, t *time.Time) string {
	if t == nil {
		return "never"
	}
	return humanDuration(now.Sub(*t)) + " ago"
}

// until says how long after now t is: "in 7 s", "now" when past.
func until(now time.Time, t *time.Time) string {
	if t == nil {
		return "–"
	}
	d := t.Sub(now)
	if d <= 0 {
		return "now"
	}
	return "in " + humanDuration(d)
}

func humanDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "0 s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// byteSize says n bytes the way people read them: 512 B, 3.2 KiB, 1.5 MiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n), []string{"KiB", "MiB", "GiB", "TiB"}
	i := -1
	for v >= unit && i < len(suffix)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, suffix[i])
}
