package tailer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // synctest's start time

func TestStdinRun(t *testing.T) {
	multi := &Multiline{Start: regexp.MustCompile(`^\d`)}
	tests := []struct {
		name string
		in   string
		opts StdinOptions
		want []Line
	}{
		{"lines and partial last", "a\r\n\nb", StdinOptions{}, []Line{
			{Text: "a", Offset: 0, End: 3}, {Text: "", Offset: 3, End: 4}, {Text: "b", Offset: 4, End: 5},
		}},
		{"cut", "abcdef\n", StdinOptions{MaxLineBytes: 3}, []Line{{Text: "abc", Truncated: true, Cut: 3, CutAt: 3, Offset: 0, End: 7}}},
		{"multiline", "1 boom\n  at a\n  at b\n2 ok\n", StdinOptions{Multiline: multi}, []Line{
			{Text: "1 boom\n  at a\n  at b", Offset: 0, End: 21}, {Text: "2 ok", Offset: 21, End: 26},
		}},
		{"multiline cut", "1 x\n  aaaa\n  bbbb\n", StdinOptions{Multiline: multi, MaxLineBytes: 10}, []Line{
			{Text: "1 x\n  aaaa", Truncated: true, Cut: 7, CutAt: 10, Offset: 0, End: 18},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				out := make(chan []Line, 100)
				if err := NewStdin(strings.NewReader(tt.in), tt.opts).Run(t.Context(), out); err != nil {
					t.Fatalf("Run: %v", err)
				}
				close(out)
				var got []Line
				for b := range out {
					got = append(got, b...)
				}
				for i := range tt.want {
					tt.want[i].File, tt.want[i].Time = StdinName, t0
				}
				if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(Cursor{})); diff != "" {
					t.Errorf("lines mismatch (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestStdinMultilineTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, pw := io.Pipe()
		out := make(chan []Line)
		opts := StdinOptions{Multiline: &Multiline{Start: regexp.MustCompile(`^E `), Timeout: 2 * time.Second}}
		errc := make(chan error)
		go func() { errc <- NewStdin(pr, opts).Run(t.Context(), out) }()
		io.WriteString(pw, "E one\n  cont\n")
		time.Sleep(1900 * time.Millisecond)
		synctest.Wait()
		select {
		case b := <-out:
			t.Fatalf("event closed before its timeout: %q", b[0].Text)
		default:
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		select {
		case b := <-out:
			if len(b) != 1 || b[0].Text != "E one\n  cont" {
				t.Errorf("events = %+v, want one: %q", b, "E one\n  cont")
			}
		default:
			t.Fatal("event not closed after its timeout")
		}
		pw.Close()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})
}

func TestStdinCancelBlockedRead(t *testing.T) {
	tests := []struct {
		name string
		r    func(t *testing.T) io.Reader
	}{
		{"os pipe with deadline", func(t *testing.T) io.Reader {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close(); w.Close() })
			io.WriteString(w, "one\npart")
			return r
		}},
		{"reader without deadline", func(t *testing.T) io.Reader {
			r, w := io.Pipe()
			t.Cleanup(func() { w.Close() })
			go io.WriteString(w, "one\npart")
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			out := make(chan []Line, 10)
			errc := make(chan error)
			s := NewStdin(tt.r(t), StdinOptions{Logger: slog.New(slog.DiscardHandler)})
			go func() { errc <- s.Run(ctx, out) }()
			if b := <-out; len(b) != 1 || b[0].Text != "one" {
				t.Fatalf("first batch = %+v, want the line %q", b, "one")
			}
			cancel()
			if err := <-errc; err != nil {
				t.Fatalf("Run after cancel = %v, want nil", err)
			}
			if len(out) != 0 {
				t.Errorf("partial line sent after cancel: %q", (<-out)[0].Text)
			}
		})
	}
}

// TestStdinDeliversBeforeBlocking checks that lines read in one go, more
// than one batch of them, all arrive while the next read blocks.
func TestStdinDeliversBeforeBlocking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr, pw := io.Pipe()
		defer pw.Close()
		const n = 3*MaxBatch + 5
		var in strings.Builder
		for i := range n {
			fmt.Fprintf(&in, "line %d\n", i)
		}
		in.WriteString("partial")
		go io.WriteString(pw, in.String())
		out := make(chan []Line, 2*n)
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error)
		go func() { errc <- NewStdin(pr, StdinOptions{}).Run(ctx, out) }()
		synctest.Wait()
		var got []Line
		for len(out) > 0 {
			b := <-out
			if len(b) == 0 || len(b) > MaxBatch {
				t.Fatalf("a batch of %d lines, want 1 to %d", len(b), MaxBatch)
			}
			got = append(got, b...)
		}
		if len(got) != n {
			t.Fatalf("%d lines arrived while the read blocks, want %d", len(got), n)
		}
		for i, l := range got {
			if want := fmt.Sprintf("line %d", i); l.Text != want {
				t.Fatalf("line %d = %q, want %q", i, l.Text, want)
			}
		}
		cancel()
		pw.Close()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})
}

// TestStdinLineTime: a line carries the time its read returned; the lines
// of one read share it, and the clock is asked once per read, not per line.
func TestStdinLineTime(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	calls := 0
	clock := func() time.Time {
		calls++
		return t0.Add(time.Duration(calls) * time.Second)
	}
	out := make(chan []Line, 10)
	done := make(chan error, 1)
	go func() { done <- NewStdin(r, StdinOptions{Now: clock}).Run(context.Background(), out) }()
	if _, err := w.Write([]byte("a\nb\nc\n")); err != nil {
		t.Fatal(err)
	}
	var first []Line
	for len(first) < 3 {
		first = append(first, <-out...)
	}
	if _, err := w.Write([]byte("d\n")); err != nil {
		t.Fatal(err)
	}
	later := (<-out)[0]
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, l := range first[1:] {
		if !l.Time.Equal(first[0].Time) {
			t.Errorf("line %q read at %v, line %q of the same read at %v", l.Text, l.Time, first[0].Text, first[0].Time)
		}
	}
	if !later.Time.After(first[0].Time) {
		t.Errorf("line %q of a later read at %v, not after %v", later.Text, later.Time, first[0].Time)
	}
	if calls != 2 {
		t.Errorf("clock asked %d times for two reads, want 2", calls)
	}
}
