package main

import (
	"log/slog"
	"strings"

	"github.com/roomwatch/roomwatch/rules"
)

// newLogger returns the logger the config asks for, writing to stderr:
// JSON with `log.format: json`, otherwise text. Under systemd, when stderr
// is the journal stream, text lines carry no time: journald stamps every
// line itself, and a second time would only take room.
func newLogger(e *env, cfg *rules.Loaded) *slog.Logger {
	opts := &slog.HandlerOptions{Level: logLevel(cfg.Log.Level)}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	if toJournal(e.stderr, e.getenv("JOURNAL_STREAM")) {
		opts.ReplaceAttr = dropTime
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// logLevel parses the `log.level` value; the loader has checked it.
func logLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// dropTime removes the time of every record.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
