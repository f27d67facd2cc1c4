package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/pipeline"
)

// checkDestinations builds every destination's notifier the way run does,
// without sending anything, so that check refuses what run would refuse
// (a HipChat URL with userinfo or ?auth_token=, say). Console
// destinations are left out: building one opens its output file.
func checkDestinations(cfg *config.Config) config.Errors {
	var errs config.Errors
	names := make([]string, 0, len(cfg.Destinations))
	for name := range cfg.Destinations {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		d := cfg.Destinations[name]
		if d == nil || d.Type == "console" {
			continue
		}
		_, c, err := pipeline.BuildNotifier(d, pipeline.Outputs{})
		pipeline.CloseQuietly(c)
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), d.Type+": ")
			errs = append(errs, config.Error{At: d.At, Msg: fmt.Sprintf("destination %q: %s", name, msg)})
		}
	}
	return errs
}
