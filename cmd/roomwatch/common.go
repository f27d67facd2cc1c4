package main

import (
	"log/slog"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// newLogger returns the logger the config asks for, writing to stderr.
func newLogger(e *env, cfg *rules.Config) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(cfg.Log.Level) {
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

func shutdownTimeout(cfg *rules.Config) time.Duration {
	if d := cfg.ShutdownTimeout.D(); d > 0 {
		return d
	}
	return rules.DefaultShutdownTimeout
}

func closeDestinations(dests map[string]*destination) {
	for _, d := range dests {
		closeQuietly(d.closer)
	}
}
