package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/internal/terminal"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/tailer"
)

// ruleFlags are the flags that make or adjust rules on the command line,
// shared by pipe and exec.
type ruleFlags struct {
	config  string
	room    string
	color   string
	format  string
	notify  bool
	from    string
	url     string
	tokFile string
	matches stringList
}

func (f *ruleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "c", "", "config `file`; without it, the flags make a one-rule config")
	fs.StringVar(&f.room, "room", "", "room to notify (overrides the config's rooms)")
	fs.StringVar(&f.color, "color", "", "colour: yellow, green, red, purple, gray or random")
	fs.StringVar(&f.format, "format", "", "message format: text or html")
	fs.BoolVar(&f.notify, "notify", false, "notify the room's members (sound, badge)")
	fs.StringVar(&f.from, "from", "", "sender label shown beside the name (HipChat)")
	fs.StringVar(&f.url, "url", "", "HipChat server base `URL`, token from $ROOMWATCH_TOKEN or --token-file (without -c)")
	fs.StringVar(&f.tokFile, "token-file", "", "read the HipChat token from this `file`")
	fs.Var(&f.matches, "match", "`regex` of the lines to report (repeatable; default: every non-empty line)")
}

// load returns the config: the file named by -c with the flags'
// overrides, or a one-rule config made from the flags alone.
func (f *ruleFlags) load(e *env, name string) (*rules.Loaded, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.config != "" {
		cfg, err := loadConfig(f.config, e)
		if err != nil {
			return nil, err
		}
		f.override(cfg)
		return cfg, nil
	}
	return f.oneRule(e, name)
}

func (f *ruleFlags) override(cfg *rules.Loaded) {
	for _, r := range cfg.Set.Rules() {
		if f.room != "" {
			r.Room = f.room
		}
		if f.color != "" {
			r.Color = f.color
		}
		if f.notify {
			r.Notify = true
		}
	}
}

func (f *ruleFlags) oneRule(e *env, name string) (*rules.Loaded, error) {
	dest, err := flagDestination(e, f.url, f.tokFile, f.from)
	if err != nil {
		return nil, err
	}
	pats := f.matches
	if len(pats) == 0 {
		pats = stringList{`\S`}
	}
	alts := make([]string, len(pats))
	for i, p := range pats {
		if _, err := regexp.Compile(p); err != nil {
			return nil, fmt.Errorf("--match %q: %w", p, err)
		}
		alts[i] = "(?:" + p + ")"
	}
	re := regexp.MustCompile(strings.Join(alts, "|"))
	notify := f.notify
	return rules.Build(&config.Config{
		File:         "(flags)",
		Destinations: map[string]*config.Destination{dest.Name: dest},
		Defaults:     config.RuleSpec{Room: f.room, Color: f.color, Format: f.format, Notify: &notify},
		Rules:        []*config.RuleSpec{{Name: name, Match: config.Regexp{Regexp: re}}},
	}, ruleOptions(e))
}

// flagDestination is the HipChat server named by --url, or without one,
// the console on standard error (stdout carries the passed-through input).
func flagDestination(e *env, url, tokFile, from string) (*config.Destination, error) {
	if url == "" {
		return &config.Destination{Name: "console", Type: "console", Output: "stderr"}, nil
	}
	tok, err := readToken(e, tokFile)
	if err != nil {
		return nil, err
	}
	return &config.Destination{Name: "hipchat", Type: "hipchat", URL: config.Secret(url), Token: tok, From: from}, nil
}

func readToken(e *env, file string) (config.Secret, error) {
	if file != "" {
		b, err := config.ReadRegular(file, config.MaxSecretBytes)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		return config.Secret(strings.TrimSpace(string(b))), nil
	}
	if tok := e.getenv("ROOMWATCH_TOKEN"); tok != "" {
		return config.Secret(tok), nil
	}
	return "", fmt.Errorf("no token: set ROOMWATCH_TOKEN or use --token-file")
}

func cmdPipe(args []string, e *env) int {
	// A closed stdout must not stop the matching, and pipe must never die
	// of it before it read its input: the writer would get SIGPIPE.
	signal.Ignore(syscall.SIGPIPE)
	fs := newFlags("pipe", "[-c FILE] [--room R] [--color C] [--match RE]... [--best-effort]", e)
	var f ruleFlags
	f.register(fs)
	bestEffort := fs.Bool("best-effort", false, "exit 0 even when a notification could not be delivered")
	code := parseFlags(fs, args)
	if code == exitOK {
		return exitOK // --help
	}
	// From here on, whatever goes wrong, the input still reaches stdout:
	// pipe sits in the middle of someone's pipe.
	if code > 0 {
		return passRest(e, code)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "roomwatch pipe: unexpected argument %q (pipe reads standard input)\n", fs.Arg(0))
		return passRest(e, exitUsage)
	}
	cfg, err := f.load(e, "pipe")
	if err != nil {
		printConfigError(e, err)
		return passRest(e, exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	in := io.TeeReader(e.stdin, &passThrough{w: e.stdout})
	code = streamLines(ctx, e, cfg, tailer.NewStdin(in, tailer.StdinOptions{}), "pipe")
	if code == exitFailed && *bestEffort {
		return exitOK
	}
	return code
}

// passRest copies the rest of standard input to standard output, after
// pipe said what is wrong, and returns code. With nothing to match, pipe
// still must not cut the pipe it sits in.
func passRest(e *env, code int) int {
	fmt.Fprintln(e.stderr, "roomwatch pipe: passing the input through without matching it")
	_, _ = io.Copy(&passThrough{w: e.stdout}, e.stdin)
	return code
}

// streamLines runs one source through the engine to its end (or until
// ctx ends), flushes, waits for delivery and returns the exit status:
// exitFailed when a notification was not delivered, exitUsage when the
// destinations cannot be built (the source is then still read to its end,
// unmatched, so that its pass-through copy completes).
func streamLines(ctx context.Context, e *env, cfg *rules.Loaded, src *tailer.Stdin, cmd string) int {
	log := newLogger(e, cfg)
	dests, err := pipeline.BuildDestinations(cfg, passThroughOutputs(e))
	if err != nil {
		fmt.Fprintf(e.stderr, "roomwatch %s: %v\n", cmd, err)
		return drainSource(ctx, src, exitUsage)
	}
	defer pipeline.CloseDestinations(dests)
	en, err := pipeline.New(cfg, dests, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "roomwatch %s: %v\n", cmd, err)
		return drainSource(ctx, src, exitFailed)
	}
	en.Start(ctx)
	lines := make(chan []tailer.Line, pipeline.LineBatches)
	readErr := make(chan error, 1)
	// The reader owns lines: it closes the channel at the end of input.
	// On a signal it may stay blocked in a read until the process exits.
	go func() {
		readErr <- src.Run(ctx, lines)
		close(lines)
	}()
	en.Consume(ctx, lines)
	if ctx.Err() == nil {
		if err := <-readErr; err != nil {
			fmt.Fprintf(e.stderr, "roomwatch %s: reading standard input: %v\n", cmd, err)
		}
	}
	left, _ := en.Finish(pipeline.ShutdownTimeout(cfg))
	return reportUndelivered(e, cmd, left)
}

// drainSource reads src to its end (or until ctx ends), dropping its
// lines, and returns code.
func drainSource(ctx context.Context, src *tailer.Stdin, code int) int {
	lines := make(chan []tailer.Line, pipeline.LineBatches)
	done := make(chan struct{})
	// The drop loop empties lines until it is closed after Run returns.
	go func() {
		defer close(done)
		for range lines {
		}
	}()
	_ = src.Run(ctx, lines)
	close(lines)
	<-done
	return code
}

// reportUndelivered says what was not delivered and where it is kept,
// and returns the exit status.
func reportUndelivered(e *env, cmd string, left []sender.Undelivered) int {
	if len(left) == 0 {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "roomwatch %s: %s not delivered:\n", cmd, plural(len(left), "notification"))
	for _, u := range left {
		fmt.Fprintf(e.stderr, "  %s\n", terminal.Escape(pipeline.DescribeUndelivered(u)))
	}
	return exitFailed
}

// passThrough copies input to the output unchanged until the first write
// error (a closed pipe); after that it keeps accepting and drops the copy,
// so the matching goes on.
type passThrough struct {
	w   io.Writer
	err error
}

func (p *passThrough) Write(b []byte) (int, error) {
	if p.err == nil {
		_, p.err = p.w.Write(b)
	}
	return len(b), nil
}
