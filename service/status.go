package service

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// Status is what the status page and /status.json show: for each input,
// rule, open digest and destination, the answer to "why did no alert
// come?". It holds no secret: destinations are named by their config key,
// never by URL or token.
type Status struct {
	Version string    `json:"version"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	Now     time.Time `json:"now"`
	// Health is "ok", or why /healthz says 503.
	Health  string `json:"health"`
	Lines   int64  `json:"lines_read"`
	Matched int64  `json:"lines_matched"`

	Inputs       []InputStatus `json:"inputs"`
	Rules        []RuleStatus  `json:"rules"`
	Open         []OpenStatus  `json:"open_digests"`
	OpenTotal    int           `json:"open_digests_total"`
	Destinations []DestStatus  `json:"destinations"`
	Recent       []SentMessage `json:"recent"`
}

// InputStatus is one followed file (or standard input).
type InputStatus struct {
	Input    string     `json:"input"` // as configured: a path or a glob
	Path     string     `json:"path"`
	Position int64      `json:"position"`       // bytes handled
	Size     int64      `json:"size"`           // -1 when unknown
	Behind   int64      `json:"bytes_behind"`   // size - position
	Lines    uint64     `json:"lines"`          // lines read since the start
	LastLine *time.Time `json:"last_line_time"` // nil when none was read
}

// RuleStatus is one rule of the running config.
type RuleStatus struct {
	Name        string     `json:"name"`
	Action      string     `json:"action"`
	Destination string     `json:"destination"`
	Room        string     `json:"room"`
	Matches     uint64     `json:"matches"`
	LastMatch   *time.Time `json:"last_match_time"`
	// Threshold is the rule's threshold ("5 within 2m0s"), "" for none;
	// Held counts the matches its keys hold below it now.
	Threshold string `json:"threshold,omitempty"`
	Held      int    `json:"held,omitempty"`
}

// OpenStatus is one open debounce key.
type OpenStatus struct {
	Rule        string     `json:"rule"`
	Destination string     `json:"destination"`
	Room        string     `json:"room"`
	Group       string     `json:"group,omitempty"`
	Phase       string     `json:"phase"` // held, collecting or quiet
	Lines       int        `json:"lines"`
	Due         *time.Time `json:"due"` // when the digest goes out (or the quiet key closes)
}

// DestStatus is one destination's delivery.
type DestStatus struct {
	Name         string     `json:"name"`
	Type         string     `json:"type"`
	Sent         uint64     `json:"sent"`
	Failed       uint64     `json:"failed"`
	Retried      uint64     `json:"retried"`
	Merged       uint64     `json:"merged"`
	OutboxDepth  int        `json:"outbox_depth"`
	OutboxOldest *time.Time `json:"outbox_oldest"`
	FailingSince *time.Time `json:"failing_since"`
	// LastError is the last failure as the log tells it: the server's
	// message and what it usually means.
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_time,omitempty"`
}

// SentMessage is one message a destination accepted.
type SentMessage struct {
	At          time.Time `json:"time"`
	Destination string    `json:"destination"`
	Room        string    `json:"room"`
	Color       string    `json:"color"`
	Rule        string    `json:"rule"`
	Count       int       `json:"count"`
	FirstLine   string    `json:"first_line"`
}

// maxOpenShown bounds the open digests the page lists; OpenTotal counts
// them all.
const maxOpenShown = 100

// currentStatus collects the daemon's Status now.
func (s *Service) currentStatus() Status {
	now := s.now()
	en, cfg := s.en, s.cfg.Load()
	st := Status{
		Version: s.opts.Build.Version, Host: s.host, Started: s.started, Now: now,
		Health: cmp.Or(s.health(), "ok"), Lines: en.Lines(), Matched: en.Matched(),
	}
	act := s.activity.snapshot()
	lines := en.LinesByFile()
	if t := s.files.Load(); t != nil {
		for _, f := range t.Stats() {
			st.Inputs = append(st.Inputs, InputStatus{Input: f.Input, Path: f.Path, Position: f.Handled,
				Size: f.Size, Behind: f.Behind(), Lines: lines[f.Path], LastLine: timePtr(act.files[f.Path])})
		}
	}
	if s.stdin != nil {
		st.Inputs = append(st.Inputs, InputStatus{Input: "-", Path: "-", Size: -1, Lines: lines["-"], LastLine: timePtr(act.files["-"])})
	}
	held := map[string]int{}
	open, total := en.OpenKeys(maxOpenShown)
	st.OpenTotal = total
	for _, k := range open {
		st.Open = append(st.Open, OpenStatus{Rule: k.Key.Rule, Destination: k.Key.Destination, Room: k.Key.Room,
			Group: k.Group, Phase: k.Phase, Lines: k.Lines, Due: timePtr(k.Due)})
		if k.Phase == "held" {
			held[k.Key.Rule] += k.Lines
		}
	}
	matches := en.MatchesByRule()
	for _, r := range cfg.Set.Rules() {
		rs := RuleStatus{Name: r.Name, Action: "notify", Room: r.Room,
			Matches: matches[r.Name], LastMatch: timePtr(act.rules[r.Name]), Held: held[r.Name]}
		if r.Action == rules.ActionDrop {
			rs.Action = "drop"
		}
		if r.Destination != nil {
			rs.Destination = r.Destination.Name
		}
		if within := r.Threshold.Within.D(); r.Threshold.Count > 1 && within > 0 {
			rs.Threshold = plural(r.Threshold.Count, "match") + " within " + within.String()
		}
		st.Rules = append(st.Rules, rs)
	}
	for name, ds := range s.deliveryStats() {
		d := DestStatus{Name: name, Sent: ds.Sent, Failed: ds.Failed, Retried: ds.Retried, Merged: ds.Merged,
			OutboxDepth: ds.OutboxDepth, OutboxOldest: timePtr(ds.OutboxOldest), FailingSince: timePtr(ds.FailingSince),
			LastError: ds.LastError, LastErrorAt: timePtr(ds.LastErrorAt)}
		if dc := cfg.Destinations[name]; dc != nil {
			d.Type = dc.Type
		}
		st.Destinations = append(st.Destinations, d)
	}
	slices.SortFunc(st.Destinations, func(a, b DestStatus) int { return strings.Compare(a.Name, b.Name) })
	st.Recent = s.recent.list()
	return st
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// plural says n things: "1 match", "5 matches".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	suffix := "s"
	if strings.HasSuffix(word, "ch") || strings.HasSuffix(word, "s") || strings.HasSuffix(word, "x") {
		suffix = "es"
	}
	return strconv.Itoa(n) + " " + word + suffix
}
