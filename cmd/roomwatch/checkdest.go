package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roomwatch/roomwatch/rules"
)

// checkDestinations builds every destination's notifier the way run does,
// without sending anything, so that check refuses what run would refuse
// (a HipChat URL with userinfo or ?auth_token=, say). Console
// destinations are left out: building one opens its output file.
func checkDestinations(cfg *rules.Config) rules.Errors {
	var errs rules.Errors
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
		_, c, err := buildNotifier(d, nil)
		closeQuietly(c)
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), d.Type+": ")
			errs = append(errs, rules.Error{At: d.At, Msg: fmt.Sprintf("destination %q: %s", name, msg)})
		}
	}
	return errs
}
