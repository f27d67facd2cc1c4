package packaging_test

import (
	"os"
	"sync"
	"testing"
)

var (
	builtOnce sync.Once
	builtDir  string
	builtOut  string
	builtErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}
