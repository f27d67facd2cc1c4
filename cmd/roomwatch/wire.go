package main

import (
	"fmt"
	"io"
	"os"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/alertmanager"
	"github.com/roomwatch/roomwatch/sender/console"
	"github.com/roomwatch/roomwatch/sender/discord"
	"github.com/roomwatch/roomwatch/sender/hipchat"
	"github.com/roomwatch/roomwatch/sender/matrix"
	"github.com/roomwatch/roomwatch/sender/mattermost"
	"github.com/roomwatch/roomwatch/sender/slack"
	"github.com/roomwatch/roomwatch/sender/teams"
	"github.com/roomwatch/roomwatch/sender/webhook"
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

// passThroughEnv is e for the destinations of a command whose stdout
// carries its input through (pipe, exec): there a console destination
// prints on stderr, so notifications never mix into the passed-through
// stream.
func passThroughEnv(e *env) *env {
	c := *e
	c.stdout = e.stderr
	return &c
}

func buildNotifier(d *rules.Destination, e *env) (sender.Notifier, io.Closer, error) {
	switch d.Type {
	case "hipchat":
		n, err := hipchat.New(hipchat.Config{URL: d.URL.Reveal(), Token: d.Token, From: d.From, Timeout: d.Timeout.D()})
		return n, nil, err
	case "console":
		return buildConsole(d, e)
	}
	n, err := buildHTTP(d)
	return n, nil, err
}

// buildHTTP builds the notifiers that post to a chat or alert service.
func buildHTTP(d *rules.Destination) (sender.Notifier, error) {
	timeout := d.Timeout.D()
	switch d.Type {
	case "slack":
		return slack.New(slack.Config{WebhookURL: d.WebhookURL, Username: d.Username, Timeout: timeout})
	case "mattermost":
		return mattermost.New(mattermost.Config{WebhookURL: d.WebhookURL, Username: d.Username, Timeout: timeout})
	case "discord":
		return discord.New(discord.Config{WebhookURL: d.WebhookURL, Username: d.Username, Timeout: timeout})
	case "teams":
		return teams.New(teams.Config{WebhookURL: d.WebhookURL, Timeout: timeout})
	case "matrix":
		return matrix.New(matrix.Config{URL: d.URL.Reveal(), Token: d.Token, Timeout: timeout})
	case "webhook":
		return webhook.New(webhook.Config{URL: d.URL, Headers: d.Headers, Host: rules.Hostname(), Timeout: timeout})
	case "alertmanager":
		return alertmanager.New(alertmanager.Config{URL: d.URL, Host: rules.Hostname(), ResolveAfter: d.ResolveAfter.D(), Timeout: timeout})
	}
	return nil, fmt.Errorf("destination type %q is not supported", d.Type)
}

func buildConsole(d *rules.Destination, e *env) (sender.Notifier, io.Closer, error) {
	w, c, err := consoleOutput(d.Output, e)
	if err != nil {
		return nil, nil, err
	}
	n, err := console.New(console.Config{Output: w, Color: isTerminal(w)})
	return n, c, err
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
