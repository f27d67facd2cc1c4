package main

import (
	"fmt"
	"io"
	"os"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/console"
	"github.com/roomwatch/roomwatch/sender/hipchat"
)

func ruleOptions(e *env) rules.Options {
	return rules.Options{Escape: sender.Escaper, LookupEnv: e.lookup}
}

// destination is a built notifier with what the dispatcher needs to know.
type destination struct {
	name     string
	typ      string
	notifier sender.Notifier
	closer   io.Closer // nil if nothing to close
}

// buildDestinations makes one notifier per configured destination. This is
// the one place that knows every destination type.
func buildDestinations(cfg *rules.Config, e *env) (map[string]*destination, error) {
	out := make(map[string]*destination, len(cfg.Destinations))
	for name, d := range cfg.Destinations {
		n, c, err := buildNotifier(d, e)
		if err != nil {
			for _, o := range out {
				closeQuietly(o.closer)
			}
			return nil, fmt.Errorf("destination %q: %w", name, err)
		}
		out[name] = &destination{name: name, typ: d.Type, notifier: n, closer: c}
	}
	return out, nil
}

func buildNotifier(d *rules.Destination, e *env) (sender.Notifier, io.Closer, error) {
	switch d.Type {
	case "hipchat":
		n, err := hipchat.New(hipchat.Config{URL: d.URL.Reveal(), Token: d.Token, From: d.From, Timeout: d.Timeout.D()})
		return n, nil, err
	case "console":
		w, c, err := consoleOutput(d.Output, e)
		if err != nil {
			return nil, nil, err
		}
		n, err := console.New(console.Config{Output: w, Color: isTerminal(w)})
		return n, c, err
	default:
		return nil, nil, fmt.Errorf("destination type %q is not supported yet", d.Type)
	}
}

func consoleOutput(out string, e *env) (io.Writer, io.Closer, error) {
	switch out {
	case "", "stdout":
		return e.stdout, nil, nil
	case "stderr":
		return e.stderr, nil, nil
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, nil, err
	}
	return f, f, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == ""
}

func closeQuietly(c io.Closer) {
	if c != nil {
		_ = c.Close()
	}
}
