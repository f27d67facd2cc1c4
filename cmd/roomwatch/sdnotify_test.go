package main

import (
	"fmt"
	"net"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// notifySocket is a fake systemd end of $NOTIFY_SOCKET: it receives the
// daemon's messages, with the sender's pid (SO_PASSCRED).
type notifySocket struct {
	conn *net.UnixConn
	msgs chan notifyMsg
	pid  int // of the last message waited for
}

type notifyMsg struct {
	text string
	pid  int
}

// listenNotify opens a notify socket at path.
func listenNotify(path string) (*notifySocket, error) {
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	rc, err := conn.SyscallConn()
	if err == nil {
		err = rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1)
		})
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	s := &notifySocket{conn: conn, msgs: make(chan notifyMsg, 4096)}
	// The reader ends when conn is closed; close waits for nothing else.
	go s.read()
	return s, nil
}

func (s *notifySocket) read() {
	defer close(s.msgs)
	buf, oob := make([]byte, 4096), make([]byte, 1024)
	for {
		n, oobn, _, _, err := s.conn.ReadMsgUnix(buf, oob)
		if err != nil {
			return
		}
		m := notifyMsg{text: string(buf[:n])}
		if cms, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil && len(cms) > 0 {
			if cred, err := syscall.ParseUnixCredentials(&cms[0]); err == nil {
				m.pid = int(cred.Pid)
			}
		}
		select {
		case s.msgs <- m:
		default: // a test that stopped reading; drop
		}
	}
}

// wait returns the first message from now on that matches re.
func (s *notifySocket) wait(re *regexp.Regexp, timeout time.Duration) (string, error) {
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-s.msgs:
			if !ok {
				return "", fmt.Errorf("notify socket closed before %q", re)
			}
			if re.MatchString(m.text) {
				s.pid = m.pid
				return m.text, nil
			}
		case <-deadline:
			return "", fmt.Errorf("no notify message matching %q within %s", re, timeout)
		}
	}
}

func (s *notifySocket) close() { s.conn.Close() }

// sockets holds each script's notify socket.
var sockets sync.Map // *testscript.TestScript -> *notifySocket

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
		s, err := listenNotify(path)
		ts.Check(err)
		sockets.Store(ts, s)
		ts.Defer(func() { s.close(); sockets.Delete(ts) })
		ts.Setenv("NOTIFY_SOCKET", path)
	case "wait":
		if len(args) != 2 {
			ts.Fatalf("usage: sdnotify wait REGEXP")
		}
		text, err := socketOf(ts).wait(regexp.MustCompile(args[1]), 30*time.Second)
		ts.Check(err)
		fmt.Fprintln(ts.Stdout(), text)
	case "hup":
		s := socketOf(ts)
		if s.pid == 0 {
			ts.Fatalf("no sender pid known")
		}
		ts.Check(syscall.Kill(s.pid, syscall.SIGHUP))
	default:
		ts.Fatalf("unknown sdnotify command %q", args[0])
	}
}

func socketOf(ts *testscript.TestScript) *notifySocket {
	s, ok := sockets.Load(ts)
	if !ok {
		ts.Fatalf("sdnotify listen first")
	}
	return s.(*notifySocket)
}

// captureNotify sets NOTIFY_SOCKET for an in-process test and returns the
// socket receiving the messages.
func captureNotify(t *testing.T) *notifySocket {
	t.Helper()
	path := t.TempDir() + "/notify.sock"
	s, err := listenNotify(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	t.Setenv("NOTIFY_SOCKET", path)
	return s
}
