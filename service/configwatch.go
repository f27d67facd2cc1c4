package service

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/roomwatch/roomwatch/rules"
)

// watchDebounce is how long the config files must be quiet after a change
// before the reload: an editor writes a file in several steps.
const watchDebounce = 300 * time.Millisecond

// watchConfig asks for a reload when the config file or an included rule
// file changes. It watches their folders, not the files, so that a file
// replaced by a rename (how editors and config managers save) is seen.
func (s *Service) watchConfig(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		s.log.Warn("config files not watched; reload with SIGHUP", "err", err)
		<-ctx.Done()
		return nil
	}
	defer w.Close()
	files := s.watchFiles(w)
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-w.Events:
			if files.match(ev.Name) {
				quiet.Reset(watchDebounce)
			}
		case err := <-w.Errors:
			s.log.Warn("watching config files", "err", err)
		case <-quiet.C:
			select {
			case s.kick <- struct{}{}:
			default:
			}
		case <-s.rewatch:
			for _, d := range w.WatchList() {
				_ = w.Remove(d)
			}
			files = s.watchFiles(w)
		}
	}
}

// configFiles are the config file and the include globs, as absolute
// paths.
type configFiles struct {
	file     string
	includes []string
}

func (f configFiles) match(name string) bool {
	name = filepath.Clean(name)
	if name == f.file {
		return true
	}
	return slices.ContainsFunc(f.includes, func(p string) bool {
		ok, _ := filepath.Match(p, name)
		return ok
	})
}

// watchFiles watches the folders of the running config's files.
func (s *Service) watchFiles(w *fsnotify.Watcher) configFiles {
	f := configFilesOf(s.opts.Path, s.cfg.Load())
	dirs := []string{filepath.Dir(f.file)}
	for _, p := range f.includes {
		if d := filepath.Dir(p); !strings.ContainsAny(d, `*?[\`) {
			dirs = append(dirs, d)
		}
	}
	slices.Sort(dirs)
	for _, d := range slices.Compact(dirs) {
		if err := w.Add(d); err != nil {
			s.log.Warn("config folder not watched; reload with SIGHUP", "dir", d, "err", err)
		}
	}
	return f
}

func configFilesOf(path string, cfg *rules.Loaded) configFiles {
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return filepath.Clean(p)
	}
	f := configFiles{file: abs(path)}
	for _, p := range cfg.Include {
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), p)
		}
		f.includes = append(f.includes, abs(p))
	}
	return f
}
