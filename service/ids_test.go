package service

import (
	"time"

	"github.com/roomwatch/roomwatch/internal/idlines"
)

// Counting the lines with ids (see internal/idlines) in what the fake
// server received.

// delivered counts, per id, the lines the fake server received.
func (d *filesEnv) delivered() map[string]int {
	d.t.Helper()
	var msgs []string
	for _, n := range d.srv.Notifications() {
		msgs = append(msgs, n.Message)
	}
	got, err := idlines.Count(msgs)
	if err != nil {
		d.t.Fatal(err)
	}
	return got
}

// waitIDs waits until every id from..to-1 was delivered at least once.
func (d *filesEnv) waitIDs(from, to int) {
	d.t.Helper()
	deadline := time.Now().Add(deliveryDeadline)
	for {
		lost, _, _ := idlines.Tally(d.delivered(), from, to)
		if lost == 0 {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%d of ids %d..%d not delivered within %v", lost, from, to-1, deliveryDeadline)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkExactlyOnce checks that ids from..to-1 were each delivered once,
// and nothing else.
func (d *filesEnv) checkExactlyOnce(from, to int) {
	d.t.Helper()
	lost, twice, extra := d.tally(from, to)
	if lost+twice+extra > 0 {
		d.t.Errorf("ids %d..%d: %d lost, %d delivered more than once, %d not written", from, to-1, lost, twice, extra)
	}
}

// tally is idlines.Tally of what was delivered.
func (d *filesEnv) tally(from, to int) (lost, twice, extra int) {
	return idlines.Tally(d.delivered(), from, to)
}

// waitNotifications waits until the fake server has accepted n messages.
func (d *filesEnv) waitNotifications(n int) {
	d.t.Helper()
	deadline := time.Now().Add(deliveryDeadline)
	for len(d.srv.Notifications()) < n {
		if time.Now().After(deadline) {
			d.t.Fatalf("fewer than %d notifications within %v", n, deliveryDeadline)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countDelivered returns how many of ids from..to-1 were delivered.
func (d *filesEnv) countDelivered(from, to int) int {
	d.t.Helper()
	got, n := d.delivered(), 0
	for i := from; i < to; i++ {
		if got[idlines.ID(i)] > 0 {
			n++
		}
	}
	return n
}
