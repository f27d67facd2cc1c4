package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
)

// listenProblem says what is wrong with a listen address that can be
// known without binding it: the form host:port and the port.
func listenProblem(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("want host:port, got %q", addr)
	}
	if n, err := strconv.Atoi(port); err == nil {
		if n < 0 || n > 65535 {
			return fmt.Sprintf("port %d in %q is out of range (0-65535)", n, addr)
		}
		return ""
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Sprintf("unknown port %q in %q", port, addr)
	}
	return ""
}

// stateDirProblem says what is wrong with a state_dir that exists but
// cannot be one; a state_dir that does not exist yet is created by run.
func stateDirProblem(dir string) string {
	if dir == "" {
		return ""
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ""
	case err != nil:
		return err.Error()
	case !st.IsDir():
		return fmt.Sprintf("%s is not a directory", dir)
	}
	return ""
}
