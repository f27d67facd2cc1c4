package main

import (
	"context"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/service"
)

func cmdRun(args []string, e *env) int {
	fs := newFlags("run", "[-c FILE]", e)
	config := fs.String("c", config.DefaultPath, "config `file`")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	cfg, err := loadConfig(*config, e)
	if err != nil {
		printConfigError(e, err)
		return exitUsage
	}
	log := newLogger(e, cfg)
	for _, w := range append(cfg.Warnings, cfg.BlindSpots()...) {
		log.Warn("config", "problem", w.Error())
	}
	ver, rev, gov := buildInfo()
	svc, err := service.New(service.Options{
		Config: cfg, Path: *config, Rules: ruleOptions(e),
		Outputs: pipeline.Outputs{Stdout: e.stdout, Stderr: e.stderr}, Stdin: e.stdin,
		Logger: log, Build: service.Build{Version: ver, Commit: rev, GoVersion: gov},
	})
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFailed
	}
	defer svc.Close()
	if err := svc.Run(context.Background()); err != nil {
		log.Error("stopped", "err", err)
		return exitFailed
	}
	return exitOK
}
