package pipeline

import (
	"fmt"
	"io"
	"os"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/alertmanager"
	"github.com/roomwatch/roomwatch/sender/console"
	"github.com/roomwatch/roomwatch/sender/discord"
	"github.com/roomwatch/roomwatch/sender/email"
	"github.com/roomwatch/roomwatch/sender/googlechat"
	"github.com/roomwatch/roomwatch/sender/hipchat"
	"github.com/roomwatch/roomwatch/sender/matrix"
	"github.com/roomwatch/roomwatch/sender/mattermost"
	"github.com/roomwatch/roomwatch/sender/ntfy"
	"github.com/roomwatch/roomwatch/sender/slack"
	"github.com/roomwatch/roomwatch/sender/teams"
	"github.com/roomwatch/roomwatch/sender/telegram"
	"github.com/roomwatch/roomwatch/sender/webhook"
)

// RuleOptions are the options every command compiles rules with: log text
// escaped for its destination, secrets from lookup.
func RuleOptions(lookup func(string) (string, bool)) rules.Options {
	return rules.Options{Escape: sender.Escaper, LookupEnv: lookup}
}

// Destination is a built notifier with what the dispatcher needs to know.
type Destination struct {
	Name     string
	Type     string
	Notifier sender.Notifier
	Closer   io.Closer // nil if nothing to close
}

// Outputs are where console destinations write "stdout" and "stderr".
type Outputs struct {
	Stdout, Stderr io.Writer
}

// BuildDestinations makes one notifier per configured destination. This is
// the one place that knows every destination type.
func BuildDestinations(cfg *rules.Loaded, out Outputs) (map[string]*Destination, error) {
	dests := make(map[string]*Destination, len(cfg.Destinations))
	for name, d := range cfg.Destinations {
		n, c, err := BuildNotifier(d, out)
		if err != nil {
			CloseDestinations(dests)
			return nil, fmt.Errorf("destination %q: %w", name, err)
		}
		dests[name] = &Destination{Name: name, Type: d.Type, Notifier: n, Closer: c}
	}
	return dests, nil
}

// CloseDestinations closes what the destinations hold open.
func CloseDestinations(dests map[string]*Destination) {
	for _, d := range dests {
		CloseQuietly(d.Closer)
	}
}

// BuildNotifier builds the notifier of one destination, and what closes
// it (nil when nothing must be closed).
func BuildNotifier(d *config.Destination, out Outputs) (sender.Notifier, io.Closer, error) {
	switch d.Type {
	case "hipchat":
		n, err := hipchat.New(hipchat.Config{URL: d.URL.Reveal(), Token: d.Token, From: d.From, Timeout: d.Timeout.D()})
		return n, nil, err
	case "console":
		return buildConsole(d, out)
	case "email":
		starttls, _ := email.ParseStartTLS(d.StartTLS)
		n, err := email.New(email.Config{SMTP: d.SMTP, Username: d.Username, Password: d.Password, From: d.From,
			StartTLS: starttls, TLS: d.TLS, Host: rules.Hostname(), Timeout: d.Timeout.D()})
		return n, nil, err
	}
	n, err := buildHTTP(d)
	return n, nil, err
}

// buildHTTP builds the notifiers that post to a chat or alert service.
func buildHTTP(d *config.Destination) (sender.Notifier, error) {
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
		cfg := webhook.Config{URL: d.URL, Headers: d.Headers, Host: rules.Hostname(), Timeout: timeout, ContentType: d.ContentType}
		if d.Body != nil {
			cfg.Body = d.Body
		}
		return webhook.New(cfg)
	case "ntfy":
		return ntfy.New(ntfy.Config{URL: d.URL.Reveal(), Token: d.Token, Timeout: timeout})
	case "telegram":
		return telegram.New(telegram.Config{Token: d.Token, APIURL: d.APIURL, Timeout: timeout})
	case "googlechat":
		return googlechat.New(googlechat.Config{WebhookURL: d.WebhookURL, Timeout: timeout})
	case "alertmanager":
		return alertmanager.New(alertmanager.Config{URL: d.URL, Host: rules.Hostname(), ResolveAfter: d.ResolveAfter.D(), Timeout: timeout})
	}
	return nil, fmt.Errorf("destination type %q is not supported", d.Type)
}

func buildConsole(d *config.Destination, out Outputs) (sender.Notifier, io.Closer, error) {
	w, c, err := consoleOutput(d.Output, out)
	if err != nil {
		return nil, nil, err
	}
	n, err := console.New(console.Config{Output: w, Color: isTerminal(w)})
	return n, c, err
}

func consoleOutput(name string, out Outputs) (io.Writer, io.Closer, error) {
	switch name {
	case "", "stdout":
		return out.Stdout, nil, nil
	case "stderr":
		return out.Stderr, nil, nil
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
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

// CloseQuietly closes c, if not nil, ignoring the error.
func CloseQuietly(c io.Closer) {
	if c != nil {
		_ = c.Close()
	}
}
