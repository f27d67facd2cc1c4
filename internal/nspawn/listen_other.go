//go:build !linux

package nspawn

import (
	"errors"
	"net"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

// Listen opens a listener in the container's network namespace; only on
// Linux.
func (c *Container) Listen(network, address string) (net.Listener, error) {
	return nil, errors.New("nspawn: listen: only on Linux")
}
