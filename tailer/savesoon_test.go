package tailer

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestSaveSoonCoalesces: the first ask after a quiet spell saves at once;
// asks within SaveGap of a save are one save, SaveGap after it.
func TestSaveSoonCoalesces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s saveSoon
		defer s.stop()
		start := time.Now()
		var saves []time.Duration
		// serve is Run's loop for the asks: ask on every tick, save when due.
		serve := func(asks int, every time.Duration) {
			for range asks {
				s.ask(time.Now())
				select {
				case <-s.due():
					s.saved(time.Now())
					saves = append(saves, time.Since(start))
				case <-time.After(every):
				}
			}
		}
		serve(1, time.Millisecond)
		serve(50, 10*time.Millisecond) // a storm: 500 ms of asks
		time.Sleep(time.Second)
		select {
		case <-s.due():
			s.saved(time.Now())
			saves = append(saves, time.Since(start))
		default:
		}
		if len(saves) < 3 || saves[0] != 0 {
			t.Fatalf("saves at %v, want the first at once and then every %v", saves, SaveGap)
		}
		for i := 1; i < len(saves); i++ {
			if gap := saves[i] - saves[i-1]; gap < SaveGap {
				t.Errorf("saves at %v: %v apart, want at least %v", saves, gap, SaveGap)
			}
		}
		if len(saves) > 5 {
			t.Errorf("%d saves for 51 asks in half a second, want at most 5: %v", len(saves), saves)
		}
	})
}
