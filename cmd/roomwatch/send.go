package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
)

func cmdSend(args []string, e *env) int {
	fs := newFlags("send", "[-c FILE] [--room R] [--color C] [--format text|html] [--notify] [--from F] [MESSAGE|-]", e)
	config := fs.String("c", "", "config `file` whose destination to use")
	destName := fs.String("destination", "", "destination `name` in the config (default: defaults.destination, or the only one)")
	room := fs.String("room", "", "room id or name (or @user@example.com for a private message)")
	color := fs.String("color", "yellow", "colour: yellow, green, red, purple, gray or random")
	format := fs.String("format", "text", "message format: text or html")
	notify := fs.Bool("notify", false, "notify the room's members (sound, badge)")
	from := fs.String("from", "", "sender label shown beside the name (HipChat, at most 64 characters)")
	url := fs.String("url", "", "HipChat server base `URL` (token from $ROOMWATCH_TOKEN or --token-file)")
	tokFile := fs.String("token-file", "", "read the token from this `file`")
	timeout := fs.Duration("timeout", 10*time.Second, "give up retrying after this long")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	msg, err := sendMessage(fs.Args(), e.stdin)
	if err != nil {
		fmt.Fprintf(e.stderr, "roomwatch send: %v\n", err)
		return exitUsage
	}
	if !slices.Contains(rules.Colors, *color) {
		fmt.Fprintf(e.stderr, "roomwatch send: --color %q: want one of %s\n", *color, strings.Join(rules.Colors, ", "))
		return exitUsage
	}
	if *format != "text" && *format != "html" {
		fmt.Fprintf(e.stderr, "roomwatch send: --format %q: want text or html\n", *format)
		return exitUsage
	}
	dest, defRoom, err := sendDestination(e, *config, *destName, *url, *tokFile, *from)
	if err != nil {
		printConfigError(e, err)
		return exitUsage
	}
	if *room == "" {
		*room = defRoom
	}
	if *room == "" && dest.Type != "console" {
		fmt.Fprintln(e.stderr, "roomwatch send: --room is required")
		return exitUsage
	}
	dg := &batch.Digest{
		ID:   batch.NewID(),
		Key:  batch.Key{Destination: dest.Name, Room: *room, Rule: "send"},
		Rule: "send", Room: *room, Color: *color, Format: *format, Notify: *notify,
		Count: 1, Message: msg,
	}
	if dest.Type == "alertmanager" {
		sendAlert(dg)
	}
	return sendOne(e, dest, dg, *timeout)
}

// sendAlert makes a one-off message its own alert: alertname
// roomwatch-send and the message's id as a label, so that a second send
// to the same room never replaces the first in Alertmanager (alerts with
// equal labels are one alert).
func sendAlert(dg *batch.Digest) {
	dg.Rule = "roomwatch-send"
	dg.Key.Rule = dg.Rule
	dg.Group = map[string]string{"id": dg.ID}
}

// sendMessage is the message from the arguments, or standard input for "-".
func sendMessage(args []string, stdin io.Reader) (string, error) {
	if len(args) == 1 && args[0] == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return "", fmt.Errorf("reading standard input: %w", err)
		}
		args = []string{strings.TrimRight(string(b), "\r\n")}
	}
	msg := strings.Join(args, " ")
	if strings.TrimSpace(msg) == "" {
		return "", fmt.Errorf("no message: give it as arguments, or - to read standard input")
	}
	return msg, nil
}

// sendDestination picks the destination of send: from --url, or the
// config's named, default or only destination. It also returns the
// config's default room.
func sendDestination(e *env, config, name, url, tokFile, from string) (*config.Destination, string, error) {
	if config == "" {
		if url == "" {
			return nil, "", fmt.Errorf("no destination: give --url (with $ROOMWATCH_TOKEN) or -c FILE")
		}
		d, err := flagDestination(e, url, tokFile, from)
		return d, "", err
	}
	cfg, err := loadConfig(config, e)
	if err != nil {
		return nil, "", err
	}
	if name == "" {
		name = cfg.Defaults.Destination
	}
	if name == "" && len(cfg.Destinations) == 1 {
		for n := range cfg.Destinations {
			name = n
		}
	}
	d, ok := cfg.Destinations[name]
	if !ok {
		return nil, "", fmt.Errorf("%s: no destination %q (use --destination)", config, name)
	}
	if from != "" {
		d.From = from
	}
	return d, cfg.Defaults.Room, nil
}

func sendOne(e *env, d *config.Destination, dg *batch.Digest, timeout time.Duration) int {
	n, c, err := pipeline.BuildNotifier(d, pipeline.Outputs{Stdout: e.stdout, Stderr: e.stderr})
	if err != nil {
		fmt.Fprintf(e.stderr, "roomwatch send: destination %q: %v\n", d.Name, err)
		return exitUsage
	}
	defer pipeline.CloseQuietly(c)
	left := pipeline.DeliverOnce(&pipeline.Destination{Name: d.Name, Type: d.Type, Notifier: n}, dg, timeout, e.stderr)
	if len(left) > 0 {
		fmt.Fprintf(e.stderr, "roomwatch send: not delivered to %s %q: %v\n", d.Name, dg.Room, left[0].Err)
		return exitFailed
	}
	if d.Type != "console" {
		fmt.Fprintf(e.stderr, "roomwatch send: delivered to %s room %q\n", d.Name, dg.Room)
	}
	return exitOK
}
