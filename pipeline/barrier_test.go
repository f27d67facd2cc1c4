package pipeline

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

// TestBarrierPassesAfterEarlierLines sends batches, then asks for a
// barrier while the line function is held on the first line: the barrier
// must not pass until every line sent before it is handled, and then it
// must, though in stays open.
func TestBarrierPassesAfterEarlierLines(t *testing.T) {
	cfg, err := rules.Parse([]byte(parallelConfig), "roomwatch.yaml", rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		in := make(chan []tailer.Line, LineBatches)
		barriers := make(chan chan struct{})
		gate := make(chan struct{})
		handled := 0
		done := make(chan struct{})
		go func() {
			defer close(done)
			matchLines(ctx, in, barriers, func() *rules.Set { return cfg.Set }, nil, func(tailer.Line, []rules.Match, []uint64, *rules.Rule) {
				if handled == 0 {
					<-gate
				}
				handled++
			})
		}()
		const batches, size = LineBatches, 10
		for b := range batches {
			var lines []tailer.Line
			for i := range size {
				lines = append(lines, tailer.Line{Text: fmt.Sprintf("line %d", b*size+i)})
			}
			in <- lines
		}
		passed := make(chan struct{})
		go func() { barriers <- passed }()
		synctest.Wait()
		select {
		case <-passed:
			t.Fatal("the barrier passed while earlier lines were not handled")
		default:
		}
		close(gate)
		synctest.Wait()
		select {
		case <-passed:
		default:
			t.Fatalf("the barrier did not pass once every earlier line was handled (%d handled)", handled)
		}
		if handled != batches*size {
			t.Errorf("handled %d lines when the barrier passed, want %d", handled, batches*size)
		}
		cancel()
		<-done
	})
}
