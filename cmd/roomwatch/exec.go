package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
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

// Exit status of exec for a command stopped by --timeout, as timeout(1).
const exitTimedOut = 124

// descendantWait bounds how long exec keeps reading after the command
// exited: a daemon it started may hold the output open for ever.
var descendantWait = 2 * time.Second

// killAfter is how long a command stopped by --timeout has between
// SIGTERM and SIGKILL.
var killAfter = 10 * time.Second

func cmdExec(args []string, e *env) int {
	fs := newFlags("exec", "[-c FILE] [--room R] [--always] [--timeout D] -- CMD [ARGS...]", e)
	var f ruleFlags
	f.register(fs)
	always := fs.Bool("always", false, "post the summary also when the command succeeds (in green)")
	timeout := fs.Duration("timeout", 0, "stop the command (SIGTERM, SIGKILL 10s later) after this `duration`")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(e.stderr, "roomwatch exec: no command given (roomwatch exec [flags] -- CMD [ARGS...])")
		return exitUsage
	}
	if *timeout < 0 {
		fmt.Fprintf(e.stderr, "roomwatch exec: --timeout %v: want a positive duration\n", *timeout)
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
	return runJob(e, cfg, job{argv: fs.Args(), always: *always, room: f.room, timeout: *timeout})
}

// job is one command that exec runs and reports on.
type job struct {
	argv    []string
	always  bool
	room    string        // --room, or "" for the config's
	timeout time.Duration // --timeout, 0 for none
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
	out := pipeline.NewOutputTail(pipeline.SummaryLines)
	res := run1(e, en, j, out)
	res.duration = res.ended.Sub(start).Round(time.Millisecond)
	if res.startErr != nil {
		fmt.Fprintf(e.stderr, "roomwatch exec: %v\n", res.startErr)
	}
	en.Flush() // the matched lines first, then the summary
	if res.code != exitOK || j.always {
		sum := pipeline.ExecSummary{
			Argv: j.argv, Room: j.room, Status: res.status, Failed: res.code != exitOK,
			TimedOut: res.code == exitTimedOut, StartErr: res.startErr,
			Start: start, Duration: res.duration, Tail: out.Lines(),
		}
		if d := pipeline.SummaryDigest(cfg, sum); d != nil {
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
	status   string // "exit status 2", "killed by signal terminated", "timed out after 5s"
	startErr error
	ended    time.Time // when the command exited (or could not start)
	duration time.Duration
}

// run1 starts the job's command (no shell) in a process group of its
// own, passes its output through while feeding every line to the engine,
// forwards SIGINT and SIGTERM to the group, stops it at the timeout, and
// waits for it, and at most descendantWait more for its descendants'
// output.
func run1(e *env, en *pipeline.Engine, j job, out *pipeline.OutputTail) result {
	argv := j.argv
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = e.stdin
	cmd.SysProcAttr = groupAttr(e.stdin)
	pipes, err := newOutputPipes(cmd)
	if err != nil {
		return result{code: exitFailed, status: "could not start", startErr: err, ended: time.Now()}
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		pipes.close()
		code := exitCannotRun
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			code = exitCmdGone
		}
		return result{code: code, status: "could not start", startErr: fmt.Errorf("cannot run %s: %w", argv[0], err), ended: time.Now()}
	}
	pipes.started()
	lines := make(chan []tailer.Line, pipeline.LineBatches)
	readDone := pipes.read(e, lines)
	consumed := make(chan struct{})
	// The consumer owns matching; it ends when both streams are read.
	go func() {
		defer close(consumed)
		en.ConsumeWith(context.Background(), lines, func(l tailer.Line) { out.Add(l.Shown()) })
	}()
	g := &group{pid: cmd.Process.Pid}
	stop := g.supervise(sigs, j.timeout)
	err = cmd.Wait()
	ended := time.Now()
	stop()
	// Descendants may still hold the output open: read what they write
	// for a while, then stop reading.
	select {
	case <-readDone:
	case <-time.After(descendantWait):
		pipes.stopReading()
		<-readDone
	}
	pipes.close()
	close(lines)
	<-consumed
	res := resultOf(cmd.ProcessState, err)
	res.ended = ended
	if g.timedOut.Load() {
		res.code, res.status = exitTimedOut, "timed out after "+j.timeout.String()
	}
	return res
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
