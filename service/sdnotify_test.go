package service

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/sdnotifytest"
)

// reRead matches a STATUS= telling that n lines were read.
func reRead(n int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`(?m)^STATUS=lines read %d,`, n))
}

func TestNotifyLifecycle(t *testing.T) {
	ns := sdnotifytest.Capture(t)
	t.Setenv("WATCHDOG_USEC", "40000")
	r, w := io.Pipe()
	h := startDaemon(t, metricsConfig, nil, r, map[string]string{"HIPCHAT_TOKEN": "personal-token"})
	t.Cleanup(func() { w.Close() })

	steps := []struct {
		name string
		do   func()
		want string // regexp of the message to wait for
	}{
		{"ready", nil, `^READY=1\nSTATUS=lines read 0, matched 0, digests sent 0, failed 0, outbox 0$`},
		{"status and watchdog", func() { io.WriteString(w, "ERROR disk full\nfine\n") },
			`^STATUS=lines read 2, matched 1, digests sent 0, failed 0, outbox 0\nWATCHDOG=1$`},
		{"reload", func() { h.s.reload("test") }, `^RELOADING=1\nMONOTONIC_USEC=[0-9]+\nSTATUS=reloading the config$`},
		{"ready after reload", nil, `^READY=1\nSTATUS=lines read 2,`},
		{"stopping", func() { w.Close() }, `^STOPPING=1\nSTATUS=stopping: lines read 2, matched 1,`},
	}
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		if _, err := ns.Wait(regexp.MustCompile(s.want), 10*time.Second); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if err := h.wait(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "msg=ready") {
		t.Errorf("no ready in the log:\n%s", h.logs)
	}
}

func TestHeartbeat(t *testing.T) {
	tests := []struct {
		name   string
		counts []int64 // handled lines at each look
		queued []int   // lines waiting at each look
		want   []bool
	}{
		{"idle", []int64{5, 5, 5}, []int{0, 0, 0}, []bool{true, true, true}},
		{"busy and moving", []int64{5, 9, 14}, []int{200, 200, 200}, []bool{true, true, true}},
		{"stuck with lines waiting", []int64{5, 5, 5}, []int{0, 3, 3}, []bool{true, false, false}},
		{"unstuck", []int64{5, 5, 6}, []int{3, 3, 3}, []bool{true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := 0
			hb := heartbeat{count: func() int64 { return tt.counts[i] }, queued: func() int { return tt.queued[i] }}
			for ; i < len(tt.counts); i++ {
				if got := hb.alive(); got != tt.want[i] {
					t.Errorf("look %d: alive = %v, want %v", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestNotifyValuesStayOnOneLine(t *testing.T) {
	var got []string
	n := &sdNotifier{send: func(s string) (bool, error) { got = append(got, s); return true, nil }}
	n.notify("STATUS=a\nREADY=1")
	if want := []string{"STATUS=a READY=1"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sent %q, want %q", got, want)
	}
}
