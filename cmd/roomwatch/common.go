package main

import (
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

func shutdownTimeout(cfg *rules.Loaded) time.Duration {
	if d := cfg.ShutdownTimeout.D(); d > 0 {
		return d
	}
	return config.DefaultShutdownTimeout
}

func closeDestinations(dests map[string]*destination) {
	for _, d := range dests {
		closeQuietly(d.closer)
	}
}
