package batch

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/rules"
)

// digestOf adds the texts as matches of one key and returns the digest's
// lines as a template sees them.
func digestOf(t *testing.T, texts []string) []rules.DigestLine {
	t.Helper()
	var lines []rules.DigestLine
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(t)
		b := newBatcher(rec, nil)
		r := testRule("r", nil)
		for _, s := range texts {
			b.Add(match(r, s))
		}
		time.Sleep(r.Wait)
		synctest.Wait()
		got := rec.got()
		if len(got) != 1 {
			t.Fatalf("%d digests, want 1", len(got))
		}
		lines = DigestLines(got[0])
	})
	return lines
}

func repeat(n int, s string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestDigestShowsTheValuesThatVaried(t *testing.T) {
	v := func(text string, n int) rules.DigestValue { return rules.DigestValue{Text: text, Count: n} }
	tests := []struct {
		name  string
		texts []string
		want  []rules.DigestLine
	}{{
		name: "one failure from one address, five from another",
		texts: append([]string{"Failed password for root from 1.1.1.1 port 22 ssh2"},
			repeat(5, "Failed password for root from 203.0.113.5 port 22 ssh2")...),
		want: []rules.DigestLine{{
			Text: "Failed password for root from {1.1.1.1, 203.0.113.5 ×5} port 22 ssh2", Count: 6,
			Values: []rules.DigestField{{Values: []rules.DigestValue{v("1.1.1.1", 1), v("203.0.113.5", 5)}}},
		}},
	}, {
		name: "statuses of one request",
		texts: append(append(append(repeat(2, "500 GET /login"), repeat(2, "503 GET /login")...),
			repeat(2, "504 GET /login")...), repeat(5, "502 GET /login")...),
		want: []rules.DigestLine{{
			Text: "{500 ×2, 503 ×2, 504 ×2, 502 ×5} GET /login", Count: 11,
			Values: []rules.DigestField{{Values: []rules.DigestValue{v("500", 2), v("503", 2), v("504", 2), v("502", 5)}}},
		}},
	}, {
		name:  "identical lines keep a plain count",
		texts: repeat(3, "disk 2 full"),
		want:  []rules.DigestLine{{Text: "disk 2 full", Count: 3}},
	}, {
		name: "past five values, the others are counted",
		texts: []string{"from 10.0.0.1", "from 10.0.0.2", "from 10.0.0.3", "from 10.0.0.4", "from 10.0.0.5",
			"from 10.0.0.6", "from 10.0.0.7", "from 10.0.0.1"},
		want: []rules.DigestLine{{
			Text: "from {10.0.0.1 ×2, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, +2 others}", Count: 8,
			Values: []rules.DigestField{{
				Values: []rules.DigestValue{v("10.0.0.1", 2), v("10.0.0.2", 1), v("10.0.0.3", 1), v("10.0.0.4", 1), v("10.0.0.5", 1)},
				Others: 2,
			}},
		}},
	}, {
		name:  "only the parts that varied",
		texts: []string{"job 7 took 12ms on node 3", "job 7 took 15ms on node 3", "job 7 took 12ms on node 3"},
		want: []rules.DigestLine{{
			Text: "job 7 took {12 ×2, 15}ms on node 3", Count: 3,
			Values: []rules.DigestField{{Values: []rules.DigestValue{v("12", 2), v("15", 1)}}},
		}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, digestOf(t, tt.texts)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

// Whatever the values, a line keeps a bounded amount of them.
func TestValuesStayBounded(t *testing.T) {
	var scratch []span
	f := newDraft(Key{Rule: "r"}, testRule("r", nil), nil, time.Time{})
	long := strings.Repeat("x", 300)
	for i := range 300 {
		var b strings.Builder
		fmt.Fprintf(&b, "'%s%d' ", long, i) // a long value
		for j := range 150 {
			fmt.Fprintf(&b, "%d ", i*j) // more varying parts than are kept
		}
		f.add(b.String(), 1, time.Time{}, &scratch, false)
	}
	lv, l := f.values[0], f.d.Lines[0]
	if lv.bytes > maxLineValueBytes || len(lv.holes) > maxHoles || len(l.Values) > maxHoles+1 {
		t.Errorf("kept %d value bytes, %d holes, %d fields", lv.bytes, len(lv.holes), len(l.Values))
	}
	for _, fl := range l.Values {
		if len(fl.Values) > maxFieldValues {
			t.Errorf("field lists %d values", len(fl.Values))
		}
		for _, v := range fl.Values {
			if len(v.Text) > maxValueBytes {
				t.Errorf("value of %d bytes", len(v.Text))
			}
		}
	}
	if !strings.Contains(l.Shown(), "{…}") {
		t.Errorf("untracked varying parts not marked: %.200q", l.Shown())
	}
}

func TestLineMerge(t *testing.T) {
	a := Line{Text: "from 1.1.1.1 port 22", Count: 1}
	b := Line{Text: "from 203.0.113.5 port 22", Count: 5}
	c := Line{Text: "from 1.1.1.1 port 22", Count: 2, Values: []Field{{Start: 5, End: 12, DigestField: rules.DigestField{
		Values: []rules.DigestValue{{Text: "1.1.1.1", Count: 1}, {Text: "10.9.9.9", Count: 1}}}}}}
	if shapeKey(a.Text) != shapeKey(b.Text) {
		t.Fatal("lines of one shape have different keys")
	}
	a.Merge(b)
	if got, want := a.Shown(), "from {1.1.1.1, 203.0.113.5 ×5} port 22"; got != want || a.Count != 6 {
		t.Errorf("merged %q ×%d, want %q ×6", got, a.Count, want)
	}
	a.Merge(c)
	if got, want := a.Shown(), "from {1.1.1.1 ×2, 203.0.113.5 ×5, 10.9.9.9} port 22"; got != want || a.Count != 8 {
		t.Errorf("merged %q ×%d, want %q ×8", got, a.Count, want)
	}
	same := Line{Text: "x 1", Count: 2}
	same.Merge(Line{Text: "x 1", Count: 3})
	if same.Shown() != "x 1" || same.Count != 5 || same.Values != nil {
		t.Errorf("identical lines merged into %+v", same)
	}
}
