package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/tailer"
)

const parallelConfig = `destinations:
  o: {type: console}
rules:
  - name: quiet
    match: 'healthz'
    action: drop
  - name: even
    match: 'line [0-9]*[02468]$'
    continue: true
  - name: tens
    match: 'line [0-9]*0$'
`

// TestMatchLinesKeepsOrder sends many lines of two files, interleaved,
// and wants every line back once, in order, with its own matches.
func TestMatchLinesKeepsOrder(t *testing.T) {
	cfg, err := rules.Parse([]byte(parallelConfig), "roomwatch.yaml", rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 10 * tailer.MaxBatch
	in := make(chan []tailer.Line, 4)
	var want, got []string
	for i := range n {
		text := fmt.Sprintf("line %d", i)
		if i%3 == 0 {
			text = "GET /healthz " + text
		}
		want = append(want, fmt.Sprintf("%s:%s:%s", []string{"a", "b"}[i%2], text, outcomeOf(cfg.Set, text)))
	}
	go func() {
		defer close(in)
		// Batches of every size, as sources send them.
		sizes := []int{1, 5, tailer.MaxBatch, 37, 2, tailer.MaxBatch - 1}
		var b []tailer.Line
		for i := range n {
			text := fmt.Sprintf("line %d", i)
			if i%3 == 0 {
				text = "GET /healthz " + text
			}
			b = append(b, tailer.Line{Text: text, File: []string{"a", "b"}[i%2], End: int64(i)})
			if len(b) == sizes[i%len(sizes)] || i == n-1 {
				in <- b
				b = nil
			}
		}
	}()
	// The shape of a match is computed by the matchers, for the match it
	// is handed with.
	shape := func(text string) uint64 { return uint64(len(text))<<32 | uint64(strings.Count(text, "1")) }
	MatchLines(t.Context(), in, func() *rules.Set { return cfg.Set }, shape, func(l tailer.Line, ms []rules.Match, shapes []uint64, drop *rules.Rule) {
		got = append(got, fmt.Sprintf("%s:%s:%s", l.File, l.Text, describe(ms, drop)))
		if len(shapes) != len(ms) {
			t.Fatalf("%q: %d shapes for %d matches", l.Text, len(shapes), len(ms))
		}
		for i, m := range ms {
			if shapes[i] != shape(m.Text) {
				t.Fatalf("%q: shape of match %d is %x, want %x", l.Text, i, shapes[i], shape(m.Text))
			}
		}
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines handled (-want +got):\n%s", diff)
	}
}

func outcomeOf(set *rules.Set, text string) string {
	ms, drop := set.MatchAll(tailer.Line{Text: text}, nil)
	return describe(ms, drop)
}

func describe(ms []rules.Match, drop *rules.Rule) string {
	s := ""
	for _, m := range ms {
		s += m.Rule.Name + " "
	}
	if drop != nil {
		s += "drop:" + drop.Name
	}
	return s
}

// TestMatchLinesStopsWithContext returns when ctx ends though in stays open.
func TestMatchLinesStopsWithContext(t *testing.T) {
	cfg, err := rules.Parse([]byte(parallelConfig), "roomwatch.yaml", rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	in := make(chan []tailer.Line)
	seen := 0
	go func() {
		in <- []tailer.Line{{Text: "line 2"}}
		cancel()
	}()
	MatchLines(ctx, in, func() *rules.Set { return cfg.Set }, nil, func(tailer.Line, []rules.Match, []uint64, *rules.Rule) { seen++ })
	if seen > 1 {
		t.Errorf("%d lines handled, want at most the one sent", seen)
	}
}
