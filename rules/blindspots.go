package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/tailer"
)

// BlindSpots returns a warning for every part of the configuration that
// reads nothing now, each naming the path or glob and what to do: a config
// without inputs, an input path whose file does not exist (yet), a
// glob or include that matches no file, and a journal input that could
// not start. It looks at the file system as it is now, so `check` and the
// start of `run` call it, not Compile.
func (c *Loaded) BlindSpots() config.Errors {
	var ws config.Errors
	if len(c.Inputs) == 0 {
		ws = append(ws, config.Error{At: config.Place{File: c.File, Line: 1, Col: 1},
			Msg: "no inputs: run would have nothing to read; add inputs, such as `- journal: {}` (the systemd journal) or `- path: /var/log/app.log`"})
	}
	for i, in := range c.Inputs {
		if in == nil {
			continue
		}
		label := fmt.Sprintf("inputs[%d]", i)
		at := c.ValueAt(in, "path", in.At)
		switch {
		case in.Journal != nil:
			if err := tailer.CheckJournal(TailerJournal(in.Journal)); err != nil {
				ws = append(ws, config.Error{At: c.ValueAt(in, "journal", in.At), Msg: label + ": " + err.Error()})
			}
		case in.Path == "" || in.Path == "-":
		case strings.ContainsAny(in.Path, `*?[\`):
			if m, _ := filepath.Glob(in.Path); len(m) == 0 {
				ws = append(ws, config.Error{At: at, Msg: fmt.Sprintf("%s: path %s matches no file now: nothing is read until one appears; check the pattern", label, in.Path)})
			}
		default:
			switch {
			case !missing(in.Path):
			case missing(filepath.Dir(in.Path)):
				ws = append(ws, config.Error{At: at, Msg: fmt.Sprintf("%s: path %s does not exist, nor does its directory %s: nothing is read from it; "+
					"fix the path, or, on a host that logs only to the systemd journal (no rsyslog), read the journal instead (`- journal: {units: [...]}`)",
					label, in.Path, filepath.Dir(in.Path))})
			default:
				// The file may be made later (it is read from its start
				// then), but on a host without rsyslog /var/log/auth.log
				// never is: say so rather than watch nothing in silence.
				ws = append(ws, config.Error{At: at, Msg: fmt.Sprintf("%s: path %s does not exist yet: nothing is read until it appears; "+
					"if nothing writes it (a host that logs only to the systemd journal has no auth.log, syslog or kern.log), read the journal instead (`- journal: {units: [...]}`)",
					label, in.Path)})
			}
		}
	}
	for i, pattern := range c.Include {
		if m, err := filepath.Glob(c.Resolve(pattern)); err == nil && len(m) == 0 {
			at := c.ValueAt(c.Config, fmt.Sprintf("include[%d]", i), config.Place{File: c.File})
			abs, _ := filepath.Abs(c.Resolve(pattern))
			ws = append(ws, config.Error{At: at, Msg: fmt.Sprintf("include: %s matches no file now (looked for %s): no rules are read from it; check the pattern (a relative one starts at the config's folder)",
				pattern, abs)})
		}
	}
	return config.SortErrors(ws)
}

// missing reports whether nothing is at path.
func missing(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}
