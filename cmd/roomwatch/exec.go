package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// Exit statuses of exec for a command that did not run.
const (
	exitCannotRun = 126 // found but not executable
	exitSignal    = 128 // plus the signal's number
)

func cmdExec(args []string, e *env) int {
	fs := newFlags("exec", "[-c FILE] [--room R] [--always] -- CMD [ARGS...]", e)
	var f ruleFlags
	f.register(fs)
	always := fs.Bool("always", false, "post the summary also when the command succeeds (in green)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(e.stderr, "roomwatch exec: no command given (roomwatch exec [flags] -- CMD [ARGS...])")
		return exitUsage
	}
	if f.config == "" && len(f.matches) == 0 {
		// Without rules of its own, exec reports only how the job ended.
		f.matches = stringList{`[^\s\S]`}
	}
	cfg, err := f.load(e, "exec")
	if err != nil {
		printConfigError(e, err)
		return exitUsage
	}
	signal.Ignore(syscall.SIGPIPE) // a closed stdout must not stop the job
	return runJob(e, cfg, job{argv: fs.Args(), always: *always, room: f.room})
}

// job is one command that exec runs and reports on.
type job struct {
	argv   []string
	always bool
	room   string // --room, or "" for the config's
}

// runJob runs the job's command with its output matched like pipe's
// input, posts the summary and returns the command's exit status.
func runJob(e *env, cfg *rules.Loaded, j job) int {
	log := newLogger(e, cfg)
	dests, err := pipeline.BuildDestinations(cfg, passThroughOutputs(e))
	if err != nil {
		fmt.Fprintf(e.stderr, "roomwatch exec: %v\n", err)
		return exitUsage
	}
	defer pipeline.CloseDestinations(dests)
	en, err := pipeline.New(cfg, dests, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "roomwatch exec: %v\n", err)
		return exitUsage
	}
	en.Start(context.Background())

	start := time.Now()
	out := newOutputTail(summaryLines)
	res := run1(e, en, j.argv, out)
	res.duration = time.Since(start).Round(time.Millisecond)
	if res.startErr != nil {
		fmt.Fprintf(e.stderr, "roomwatch exec: %v\n", res.startErr)
	}
	en.Flush() // the matched lines first, then the summary
	if res.code != exitOK || j.always {
		if d := summaryDigest(cfg, j, res, out.lines(), start); d != nil {
			en.Submit(d)
		}
	}
	left, _ := en.Finish(pipeline.ShutdownTimeout(cfg))
	_ = reportUndelivered(e, "exec", left)
	return res.code
}

// result is how the command ended.
type result struct {
	code     int
	status   string // "exit status 2", "killed by signal terminated"
	startErr error
	duration time.Duration
}

// run1 starts argv (no shell), passes its output through while feeding
// every line to the engine, forwards SIGINT and SIGTERM to it and waits.
func run1(e *env, en *pipeline.Engine, argv []string, out *outputTail) result {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = e.stdin
	stdout, err1 := cmd.StdoutPipe()
	stderr, err2 := cmd.StderrPipe()
	if err := errors.Join(err1, err2); err != nil {
		return result{code: exitFailed, status: "could not start", startErr: err}
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		code := exitCannotRun
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = exitCmdGone
		}
		return result{code: code, status: "could not start", startErr: fmt.Errorf("cannot run %s: %w", argv[0], err)}
	}
	lines := make(chan []tailer.Line, pipeline.LineBatches)
	var readers sync.WaitGroup
	for _, s := range []struct {
		r    io.Reader
		w    io.Writer
		name string
	}{{stdout, e.stdout, "stdout"}, {stderr, e.stderr, "stderr"}} {
		src := tailer.NewStdin(io.TeeReader(s.r, &passThrough{w: s.w}), tailer.StdinOptions{Name: s.name})
		readers.Add(1)
		// Each reader owns one of the command's streams until its end.
		go func() {
			defer readers.Done()
			_ = src.Run(context.Background(), lines)
		}()
	}
	consumed := make(chan struct{})
	// The consumer owns matching; it ends when both streams are read.
	go func() {
		defer close(consumed)
		en.ConsumeWith(context.Background(), lines, func(l tailer.Line) { out.add(l.Shown()) })
	}()
	done := make(chan struct{})
	// The forwarder passes our signals on to the command until it ends.
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	readers.Wait() // the pipes close when the command (and its children) exit
	close(lines)
	<-consumed
	err := cmd.Wait()
	close(done)
	return resultOf(cmd.ProcessState, err)
}

// resultOf reads the exit status; a signal gives 128+n, like a shell.
func resultOf(ps *os.ProcessState, err error) result {
	if ps == nil {
		return result{code: exitFailed, status: "failed", startErr: err}
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return result{code: exitSignal + int(ws.Signal()), status: "killed by signal " + ws.Signal().String()}
	}
	return result{code: ps.ExitCode(), status: fmt.Sprintf("exit status %d", ps.ExitCode())}
}
