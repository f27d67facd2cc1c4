package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// reloader reloads the config on SIGHUP and when the config watch asks,
// one reload at a time, until ctx ends.
func (s *Service) reloader(ctx context.Context, hup <-chan os.Signal) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			s.reloadCtx(ctx, "SIGHUP")
		case <-s.kick:
			s.reloadCtx(ctx, "config file changed")
		}
	}
}

// reload loads and checks the config file completely, then swaps it in.
// A config with any problem is not used at all: the running one stays, and
// every problem is logged with its place.
func (s *Service) reload(why string) bool { return s.reloadCtx(context.Background(), why) }

// reloadCtx is reload that gives up waiting for the load when ctx ends:
// a stop never waits for a reload (see loadWithin).
func (s *Service) reloadCtx(ctx context.Context, why string) bool {
	s.sd.notify("RELOADING=1", strings.TrimSuffix(sd.SdNotifyMonotonicUsec(), "\n"), "STATUS=reloading the config")
	s.log.Info("reloading config", "file", s.opts.Path, "reason", why)
	err := s.tryReload(ctx)
	ok := err == nil
	s.reloads.done(ok, s.now())
	if ok {
		s.log.Info("config reloaded", "file", s.opts.Path, "rules", len(s.cfg.Load().Set.Rules()))
	} else {
		s.logReloadError(err)
	}
	s.sd.notify("READY=1", "STATUS="+s.status())
	select {
	case s.rewatch <- struct{}{}:
	default:
	}
	return ok
}

func (s *Service) tryReload(ctx context.Context) error {
	cfg, err := s.loadWithin(ctx)
	if err != nil {
		return err
	}
	for _, w := range append(cfg.Warnings, cfg.BlindSpots()...) {
		s.log.Warn("config", "problem", w.Error())
	}
	return s.apply(cfg)
}

// logReloadError logs every problem of a failed reload, each with its
// place when it has one.
func (s *Service) logReloadError(err error) {
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, x := range errs {
			s.log.Error("config not reloaded", "problem", x.Error())
		}
	} else {
		for _, x := range unjoin(err) {
			s.log.Error("config not reloaded", "problem", x.Error())
		}
	}
	s.log.Error("reload failed; the running config stays", "file", s.opts.Path)
}

// unjoin returns the errors joined in err, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// apply swaps in cfg, a config that loaded without problems: the rule set
// at once (open digests are keyed by rule name, so a rule of the same name
// takes them over), changed destinations' notifiers, and, when the file
// inputs changed, a new tailer. What cannot change while running makes
// the whole reload fail, before anything is swapped.
func (s *Service) apply(cfg *rules.Loaded) error {
	old := s.cfg.Load()
	if err := needsRestart(old, cfg); err != nil {
		return err
	}
	built, err := s.rebuild(old, cfg)
	if err != nil {
		return err
	}
	for name, n := range built {
		retired := s.stats[name].swap(n)
		s.mu.Lock()
		s.owned = append(s.owned, n.c)
		if retired != nil && !slices.Contains(s.owned, retired) {
			s.owned = append(s.owned, retired)
		}
		s.mu.Unlock()
		s.log.Info("destination changed", "destination", name)
	}
	s.en.SetRules(cfg.Set)
	if !sameFileInputs(old, cfg) {
		s.restartFiles(cfg)
	}
	for _, k := range []string{"listen", "log", "shutdown_timeout"} {
		if !reflect.DeepEqual(topValue(old, k), topValue(cfg, k)) {
			s.log.Warn("change takes effect at the next restart", "key", k)
		}
	}
	s.cfg.Store(cfg)
	return nil
}

// restartFiles hands the new file inputs to runFiles, replacing any that
// it has not taken yet.
func (s *Service) restartFiles(cfg *rules.Loaded) {
	ins := fileInputs(cfg)
	select {
	case <-s.inputs:
	default:
	}
	s.inputs <- ins
}

// needsRestart reports the changes a running daemon cannot take.
func needsRestart(old, cfg *rules.Loaded) error {
	var errs []error
	if old.StateDir != cfg.StateDir {
		errs = append(errs, errors.New("state_dir changed: restart roomwatch to move its state"))
	}
	if hasStdin(old) != hasStdin(cfg) {
		errs = append(errs, errors.New(`input "-" (standard input) added or removed: restart roomwatch`))
	}
	if (len(fileInputs(old)) == 0) != (len(fileInputs(cfg)) == 0) {
		errs = append(errs, errors.New("file inputs added to or removed from a config that had none or has none left: restart roomwatch"))
	}
	for name := range cfg.Destinations {
		if _, ok := old.Destinations[name]; !ok {
			errs = append(errs, fmt.Errorf("destination %q added: restart roomwatch to add a destination", name))
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// rebuild builds the notifiers of the destinations whose config changed.
// On failure it closes what it built and changes nothing.
func (s *Service) rebuild(old, cfg *rules.Loaded) (map[string]*liveNotifier, error) {
	built := map[string]*liveNotifier{}
	var errs []error
	for name, d := range cfg.Destinations {
		if sameDestination(old.Destinations[name], d) {
			continue
		}
		n, c, err := pipeline.BuildNotifier(d, s.opts.Outputs)
		if err != nil {
			errs = append(errs, fmt.Errorf("destination %q: %w", name, err))
			continue
		}
		built[name] = &liveNotifier{n: n, c: c}
	}
	if len(errs) > 0 {
		for _, n := range built {
			pipeline.CloseQuietly(n.c)
		}
		return nil, errors.Join(errs...)
	}
	return built, nil
}

// sameDestination reports whether two destinations are configured alike,
// wherever they were written.
func sameDestination(a, b *config.Destination) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.At, y.At = config.Place{}, config.Place{}
	return reflect.DeepEqual(x, y)
}

// fileInputs returns the file inputs of cfg as the tailer takes them.
func fileInputs(cfg *rules.Loaded) []tailer.Input {
	var out []tailer.Input
	for _, in := range cfg.Inputs {
		if in.Path != "-" {
			out = append(out, tailerInput(in))
		}
	}
	return out
}

func hasStdin(cfg *rules.Loaded) bool {
	return slices.ContainsFunc(cfg.Inputs, func(in *config.Input) bool { return in.Path == "-" })
}

// sameFileInputs reports whether two configs follow the same files alike.
func sameFileInputs(a, b *rules.Loaded) bool {
	key := func(cfg *rules.Loaded) []string {
		var ks []string
		for _, in := range cfg.Inputs {
			if in.Path == "-" {
				continue
			}
			k := fmt.Sprintf("%q %q %q %d", in.Path, in.Exclude, in.Start, in.MaxLineBytes)
			if in.Multiline != nil {
				k += fmt.Sprintf(" %q %v", in.Multiline.Start.String(), in.Multiline.Timeout)
			}
			if in.Journal != nil {
				k += fmt.Sprintf(" journal %+v", *in.Journal)
			}
			ks = append(ks, k)
		}
		return ks
	}
	return slices.Equal(key(a), key(b))
}

// topValue returns a top-level value that a reload does not apply.
func topValue(cfg *rules.Loaded, key string) any {
	switch key {
	case "listen":
		return cfg.Listen
	case "log":
		return cfg.Log
	default:
		return cfg.ShutdownTimeout
	}
}

// reloadStats counts reloads for the metrics.
type reloadStats struct {
	mu       sync.Mutex // protects the fields below
	ok, bad  uint64
	lastOK   bool
	lastGood time.Time // when a config was last loaded successfully
}

// done records a reload's result; the first call is the start's load.
func (r *reloadStats) done(ok bool, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastGood.IsZero() && ok {
		r.lastOK, r.lastGood = true, at // the config the daemon started with
		return
	}
	r.lastOK = ok
	if ok {
		r.ok++
		r.lastGood = at
	} else {
		r.bad++
	}
}

func (r *reloadStats) get() (ok, bad uint64, lastOK bool, lastGood time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok, r.bad, r.lastOK, r.lastGood
}
