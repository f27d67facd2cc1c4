package service

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/roomwatch/roomwatch/tailer"
)

// metric descriptions, one per name exposed.
var (
	descBuild       = desc("roomwatch_build_info", "Build of the running roomwatch; always 1.", "version", "commit", "goversion")
	descLines       = desc("roomwatch_lines_read_total", "Lines read, per file (\"-\" for standard input).", "file")
	descMatched     = desc("roomwatch_lines_matched_total", "Lines that matched at least one notify rule.")
	descBehind      = desc("roomwatch_file_bytes_behind", "Bytes of a followed file not handled yet (size minus read position).", "file")
	descMatches     = desc("roomwatch_rule_matches_total", "Matches per rule.", "rule")
	descOpen        = desc("roomwatch_open_digests", "Digests collecting matches now.")
	descSent        = desc("roomwatch_digests_sent_total", "Digests the destination accepted.", "destination")
	descFailed      = desc("roomwatch_digests_failed_total", "Digests given up on after a permanent failure.", "destination")
	descRetried     = desc("roomwatch_digests_retried_total", "Failed delivery attempts that were retried.", "destination")
	descMerged      = desc("roomwatch_digests_merged_total", "Digests merged into others while the destination was limited or down.", "destination")
	descFailing     = desc("roomwatch_destination_failing_seconds", "How long the destination has been failing; 0 while it is not.", "destination")
	descDepth       = desc("roomwatch_outbox_depth", "Digests waiting in the destination's outbox.", "destination")
	descOldest      = desc("roomwatch_outbox_oldest_age_seconds", "Age of the oldest digest in the outbox; 0 when empty.", "destination")
	descReloadOK    = desc("roomwatch_config_last_reload_successful", "Whether the last config reload succeeded (1) or failed (0).")
	descReloadTime  = desc("roomwatch_config_last_reload_success_timestamp_seconds", "When a config was last loaded successfully, in Unix time.")
	descReloads     = desc("roomwatch_config_reloads_total", "Config reloads, by result.", "result")
	descHealthy     = desc("roomwatch_healthy", "Whether /healthz reports healthy (1) or not (0).")
	descRecovered   = desc("roomwatch_positions_recovered_total", "Times a damaged positions file was replaced by its previous good save.")
	descDestination = []*prometheus.Desc{descSent, descFailed, descRetried, descMerged, descFailing, descDepth, descOldest}
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// collector reads the daemon's components at scrape time.
type collector struct{ s *Service }

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range append([]*prometheus.Desc{descBuild, descLines, descMatched, descBehind, descMatches, descOpen,
		descReloadOK, descReloadTime, descReloads, descHealthy, descRecovered}, descDestination...) {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	b := s.opts.Build
	ch <- gauge(descBuild, 1, b.Version, b.Commit, b.GoVersion)
	en := s.en
	for f, n := range en.LinesByFile() {
		ch <- counter(descLines, float64(n), f)
	}
	ch <- counter(descMatched, float64(en.Matched()))
	ch <- counter(descRecovered, float64(tailer.PositionsRecovered()))
	for f, n := range s.behind() {
		ch <- gauge(descBehind, float64(n), f)
	}
	for r, n := range en.MatchesByRule() {
		ch <- counter(descMatches, float64(n), r)
	}
	ch <- gauge(descOpen, float64(en.OpenDigests()))
	now := s.now()
	for name, st := range s.deliveryStats() {
		ch <- counter(descSent, float64(st.Sent), name)
		ch <- counter(descFailed, float64(st.Failed), name)
		ch <- counter(descRetried, float64(st.Retried), name)
		ch <- counter(descMerged, float64(st.Merged), name)
		ch <- gauge(descFailing, since(now, st.FailingSince), name)
		ch <- gauge(descDepth, float64(st.OutboxDepth), name)
		ch <- gauge(descOldest, since(now, st.OutboxOldest), name)
	}
	ok, bad, lastOK, lastGood := s.reloads.get()
	ch <- gauge(descReloadOK, boolFloat(lastOK))
	ch <- gauge(descReloadTime, float64(lastGood.UnixMilli())/1000)
	ch <- counter(descReloads, float64(ok), "success")
	ch <- counter(descReloads, float64(bad), "failure")
	ch <- gauge(descHealthy, boolFloat(s.health() == ""))
}

// behind returns the bytes not yet handled per followed file; a path held
// by two files (just rotated) sums them.
func (s *Service) behind() map[string]int64 {
	out := map[string]int64{}
	if t := s.files.Load(); t != nil {
		for _, st := range t.Stats() {
			out[st.Path] += st.Behind()
		}
	}
	return out
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func counter(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
}

func since(now, t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return max(now.Sub(t).Seconds(), 0)
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// handler serves the status page (/ and /status.json), /metrics and
// /healthz.
func (s *Service) handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{s}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveStatusPage)
	mux.HandleFunc("GET /status.json", s.serveStatusJSON)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if reason := s.health(); reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, reason)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// health returns why the daemon is unhealthy, "" when it is healthy.
func (s *Service) health() string {
	why := healthOf(s.deliveryStats(), s.cfg.Load().Health.MaxFailing.D(), s.now())
	if nf := s.notFollowed(); nf != "" {
		why = strings.Join(slices.DeleteFunc([]string{why, nf}, func(x string) bool { return x == "" }), "; ")
	}
	return why
}

// healthOf returns why delivery is unhealthy, "" when it is not: a
// destination failing for longer than maxFailing, or an outbox past its
// cap.
func healthOf(stats map[string]destStats, maxFailing time.Duration, now time.Time) string {
	var why []string
	for name, st := range stats {
		if failing := now.Sub(st.FailingSince); !st.FailingSince.IsZero() && maxFailing > 0 && failing > maxFailing {
			why = append(why, fmt.Sprintf("destination %q failing for %s (health.max_failing %s)",
				name, failing.Round(time.Second), maxFailing))
		}
		if st.OutboxOverCap {
			why = append(why, fmt.Sprintf("destination %q: outbox over its cap", name))
		}
	}
	slices.Sort(why)
	return strings.Join(why, "; ")
}
