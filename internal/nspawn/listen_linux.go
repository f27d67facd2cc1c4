package nspawn

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr makes nspawn get SIGTERM, and so power the container off,
// should the test binary die without its cleanup.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// Listen opens a listener in the container's network namespace, served by
// the test process: a fake server a service in the container reaches at
// the container's own 127.0.0.1, although its network is private.
func (c *Container) Listen(network, address string) (net.Listener, error) {
	target, err := os.Open("/proc/" + strconv.Itoa(c.Leader) + "/ns/net")
	if err != nil {
		return nil, fmt.Errorf("nspawn: listen: %w", err)
	}
	defer target.Close()
	type result struct {
		l   net.Listener
		err error
	}
	done := make(chan result, 1)
	// A goroutine of its own, locked to its thread while the thread is in
	// the container's namespace; Listen waits for it. The socket keeps the
	// namespace it was made in.
	go func() {
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{err: err}
			return
		}
		defer self.Close()
		if err := setns(target); err != nil {
			runtime.UnlockOSThread()
			done <- result{err: fmt.Errorf("nspawn: enter the container's network: %w", err)}
			return
		}
		l, err := net.Listen(network, address)
		// A thread that cannot go back stays locked, so that the runtime
		// ends it with this goroutine instead of reusing it.
		if setns(self) == nil {
			runtime.UnlockOSThread()
		}
		done <- result{l, err}
	}()
	r := <-done
	return r.l, r.err
}

func setns(f *os.File) error {
	return unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
}
