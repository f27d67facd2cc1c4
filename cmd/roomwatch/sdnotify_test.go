package main

import (
	"fmt"
	"regexp"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/roomwatch/roomwatch/internal/sdnotifytest"
)

// sockets holds each script's notify socket.
var sockets sync.Map // *testscript.TestScript -> *sdnotifytest.Socket

// cmdSdnotify is the script command for sd_notify:
//
//	sdnotify listen        open $WORK/notify.sock and set NOTIFY_SOCKET
//	sdnotify wait REGEXP   wait for a message matching REGEXP; print it
//	sdnotify hup           send SIGHUP to the sender of the last message waited for
func cmdSdnotify(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: sdnotify listen | wait REGEXP | hup")
	}
	switch args[0] {
	case "listen":
		path := ts.MkAbs("notify.sock")
		s, err := sdnotifytest.Listen(path)
		ts.Check(err)
		sockets.Store(ts, s)
		ts.Defer(func() { s.Close(); sockets.Delete(ts) })
		ts.Setenv("NOTIFY_SOCKET", path)
	case "wait":
		if len(args) != 2 {
			ts.Fatalf("usage: sdnotify wait REGEXP")
		}
		text, err := socketOf(ts).Wait(regexp.MustCompile(args[1]), 30*time.Second)
		ts.Check(err)
		fmt.Fprintln(ts.Stdout(), text)
	case "hup":
		s := socketOf(ts)
		if s.Pid() == 0 {
			ts.Fatalf("no sender pid known")
		}
		ts.Check(syscall.Kill(s.Pid(), syscall.SIGHUP))
	default:
		ts.Fatalf("unknown sdnotify command %q", args[0])
	}
}

func socketOf(ts *testscript.TestScript) *sdnotifytest.Socket {
	s, ok := sockets.Load(ts)
	if !ok {
		ts.Fatalf("sdnotify listen first")
	}
	return s.(*sdnotifytest.Socket)
}
