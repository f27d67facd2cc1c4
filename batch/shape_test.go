package batch

import (
	"fmt"
	"hash/maphash"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShapeOf(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"identical", "disk full", "disk full", true},
		{"numbers", "took 12ms, 3 retries", "took 950ms, 17 retries", true},
		{"negative numbers", "blk_-6952295868487656571 done", "blk_38865049064139660 done", true},
		{"ipv4", "from 10.0.0.1 port 22", "from 192.168.170.254 port 22", true},
		{"ipv4 with port", "peer 10.0.0.1:50010 up", "peer 10.251.73.220:6000 up", true},
		{"ipv6 and ipv4", "from fe80::1ff:fe23:4567:890a port 22", "from 10.0.0.1 port 22", true},
		{"uuid", "job 550e8400-e29b-41d4-a716-446655440000 failed", "job 123e4567-e89b-12d3-a456-426614174000 failed", true},
		{"hex id", "commit a3f9c21 broke", "commit 0d1e2f3 broke", true},
		{"0x hex", "fault at 0x7ffd3a2b", "fault at 0xDEADBEEF", true},
		{"double quoted", `user "alice" denied`, `user "bob the builder" denied`, true},
		{"single quoted", "table 'users' locked", "table 'orders' locked", true},
		{"html quoted", "user &quot;alice&quot; denied", "user &quot;bob&quot; denied", true},
		{"digits inside words", "sshd[24200]: user42 failed", "sshd[1]: user7 failed", true},
		{"different words", "disk full", "disk empty", false},
		{"apostrophe is not a quote", "can't open 'a'", "won't open 'a'", false},
		{"words of hex letters stay", "bad face", "bad cafe", false},
		{"unclosed quote is literal", `say "hi`, `say "yo`, false},
		{"hole is not text", "a 1 b", "a ÿ b", false},
		{"different shapes around numbers", "took 12ms", "took 12s", false},
	}
	seed := maphash.MakeSeed()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shapeOf(seed, tt.a) == shapeOf(seed, tt.b); got != tt.same {
				t.Errorf("same shape(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
}

func TestShapeOfHostileInput(t *testing.T) {
	seed := maphash.MakeSeed()
	for _, s := range []string{"", "\"", "'", "&quot;", "-", "-1", "0x", "::", strings.Repeat("\"", 10000), strings.Repeat("a1-", 10000)} {
		shapeOf(seed, s) // must not panic
	}
}

func TestCutSample(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"ascii", strings.Repeat("a", 5000)},
		{"multibyte", strings.Repeat("€", 2000)},
		{"entity at the cut", strings.Repeat("a", maxSample-6) + strings.Repeat("&amp;", 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cutSample(tt.in)
			if len(got) > maxSample || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
				t.Fatalf("cutSample gave %d bytes, valid %v, ending %q", len(got), utf8.ValidString(got), got[len(got)-5:])
			}
			body := strings.TrimSuffix(got, "…")
			if a := strings.LastIndexByte(body, '&'); a >= 0 && !strings.Contains(body[a:], ";") {
				t.Errorf("cut inside an entity: ends %q", body[a:])
			}
		})
	}
	if s := "short"; cutSample(s) != s {
		t.Errorf("short sample changed")
	}
}

func TestSketchCount(t *testing.T) {
	seed := maphash.MakeSeed()
	for _, n := range []int{0, 1, 7, 100, 1000, 100000} {
		var s sketch
		for i := range n {
			v := fmt.Sprint("10.", i)
			s.add(maphash.String(seed, v))
			s.add(maphash.String(seed, v)) // repeats do not count
		}
		got := s.count()
		tol := 0.0 // exact for a handful
		if n > 10 {
			tol = 0.04 * float64(n)
		}
		if math.Abs(float64(got-n)) > tol {
			t.Errorf("sketch of %d distinct values counts %d", n, got)
		}
	}
}
