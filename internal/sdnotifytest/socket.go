// Package sdnotifytest is a fake systemd end of $NOTIFY_SOCKET for tests:
// it receives a daemon's sd_notify messages with the sender's pid.
package sdnotifytest

import (
	"fmt"
	"net"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// Socket receives sd_notify messages (SO_PASSCRED tells their sender).
type Socket struct {
	conn *net.UnixConn
	msgs chan msg
	pid  int // of the last message waited for
}

type msg struct {
	text string
	pid  int
}

// Listen opens a notify socket at path.
func Listen(path string) (*Socket, error) {
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
	s := &Socket{conn: conn, msgs: make(chan msg, 4096)}
	// The reader ends when conn is closed; Close waits for nothing else.
	go s.read()
	return s, nil
}

// Capture sets NOTIFY_SOCKET for an in-process test and returns the
// socket receiving the messages.
func Capture(t *testing.T) *Socket {
	t.Helper()
	path := t.TempDir() + "/notify.sock"
	s, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	t.Setenv("NOTIFY_SOCKET", path)
	return s
}

func (s *Socket) read() {
	defer close(s.msgs)
	buf, oob := make([]byte, 4096), make([]byte, 1024)
	for {
		n, oobn, _, _, err := s.conn.ReadMsgUnix(buf, oob)
		if err != nil {
			return
		}
		m := msg{text: string(buf[:n])}
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

// Wait returns the first message from now on that matches re.
func (s *Socket) Wait(re *regexp.Regexp, timeout time.Duration) (string, error) {
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

// Pending returns the messages received and not yet waited for.
func (s *Socket) Pending() []string {
	var out []string
	for len(s.msgs) > 0 {
		out = append(out, (<-s.msgs).text)
	}
	return out
}

// Pid returns the sender of the last message Wait returned, 0 if unknown.
func (s *Socket) Pid() int { return s.pid }

// Close closes the socket.
func (s *Socket) Close() { s.conn.Close() }
