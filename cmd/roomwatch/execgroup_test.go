package main

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// A command that ignores SIGTERM is killed killAfter after its timeout.
func TestTimeoutKillsAGroupThatIgnoresTerm(t *testing.T) {
	defer func(d time.Duration) { killAfter = d }(killAfter)
	killAfter = 300 * time.Millisecond
	cmd := exec.Command("sh", "-c", `trap "" TERM; sleep 30 & wait; wait`)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skip("no sh:", err)
	}
	g := &group{pid: cmd.Process.Pid}
	stop := g.supervise(make(chan os.Signal), 200*time.Millisecond)
	start := time.Now()
	err := cmd.Wait()
	stop()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL || !g.timedOut.Load() {
		t.Fatalf("command ended %v (%v), timed out %v; want killed by SIGKILL after the timeout", err, ws, g.timedOut.Load())
	}
	if d := time.Since(start); d < 400*time.Millisecond || d > 5*time.Second {
		t.Errorf("killed after %v, want the timeout plus killAfter", d)
	}
}
