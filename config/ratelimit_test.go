package config

import (
	"strings"
	"testing"
	"time"
)

func TestRateParse(t *testing.T) {
	tests := []struct {
		in   Rate
		n    int
		per  time.Duration
		fail bool
	}{
		{"30/1m", 30, time.Minute, false},
		{"500/5m", 500, 5 * time.Minute, false},
		{" 1 / 1s ", 1, time.Second, false},
		{"none", 0, 0, false},
		{"30", 0, 0, true},
		{"0/1m", 0, 0, true},
		{"30/0s", 0, 0, true},
		{"x/1m", 0, 0, true},
	}
	for _, tt := range tests {
		n, per, err := tt.in.Parse()
		if (err != nil) != tt.fail || n != tt.n || per != tt.per {
			t.Errorf("Rate(%q).Parse() = %d, %v, %v", tt.in, n, per, err)
		}
	}
}

func TestDestinationDeliveryKeys(t *testing.T) {
	const cfg = `destinations:
  hc:
    type: hipchat
    url: https://hipchat.example.com
    token_env: TOK
    rate_limit: {per_room: 10/1m, per_destination: often}
    outbox_max_bytes: 1048576
rules:
  - name: x
    match: x
    destination: hc
    room: Ops
`
	opts := Options{LookupEnv: func(string) (string, bool) { return "t", true }}
	c, err := Parse([]byte(cfg), "r.yaml", opts)
	if err == nil || !strings.Contains(err.Error(), `r.yaml:6:52: destination "hc": rate_limit: per_destination: want N/DURATION`) {
		t.Fatalf("err = %v", err)
	}
	c, err = Parse([]byte(strings.Replace(cfg, "often", "none", 1)), "r.yaml", opts)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Destinations["hc"]
	if d.RateLimit.PerRoom != "10/1m" || d.RateLimit.PerDestination != "none" || d.OutboxMaxBytes != 1<<20 {
		t.Errorf("destination = %+v, rate_limit %+v", d, d.RateLimit)
	}
}
