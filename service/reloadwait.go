package service

import (
	"context"
	"fmt"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// reloadDeadline bounds how long a reload waits for the new config to
// load. Loading is bounded by itself (files have size caps, checking the
// templates at most rules.TemplatesCheckTime), so this is a last guard:
// a reload always ends, and the next SIGHUP or config change is served.
const reloadDeadline = 3 * rules.TemplatesCheckTime

// loadWithin loads the config file for a reload, giving up when ctx ends
// (a stop: SIGTERM must not wait for a reload) or after reloadDeadline.
func (s *Service) loadWithin(ctx context.Context) (*rules.Loaded, error) {
	type result struct {
		cfg *rules.Loaded
		err error
	}
	ch := make(chan result, 1)
	// The load runs aside so that neither a stop nor the deadline waits
	// for it. Nothing waits for it when they win: it ends by itself (see
	// reloadDeadline), and its result goes into the buffered channel,
	// unread.
	go func() {
		cfg, err := rules.Load(s.opts.Path, s.opts.Rules)
		ch <- result{cfg, err}
	}()
	t := time.NewTimer(reloadDeadline)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.cfg, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("reload abandoned: roomwatch is stopping")
	case <-t.C:
		return nil, fmt.Errorf("loading %s took longer than %s", s.opts.Path, reloadDeadline)
	}
}
