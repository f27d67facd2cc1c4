package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender/matrix"
)

// TestMatrixDendrite posts digests through roomwatch to a real Dendrite
// and reads back, as the room member alice, which events notified her
// (GET /notifications) and which highlighted her: a rule with notify: true
// notifies, one with a mention highlights the mentioned user (or, for
// @room, everyone), an ordinary digest does neither, and a log line that
// says @room pings no one. Bodies keep user@host and e-mail addresses as
// written.
func TestMatrixDendrite(t *testing.T) {
	d := startDendrite(t)
	_, botToken := d.account("roomwatch")
	alice, aliceToken := d.account("alice")
	roomID := d.room(botToken, "ops", map[string]string{alice: aliceToken})
	rec := newRecorder(t, d.url)

	dir := t.TempDir()
	cfg := filepath.Join(dir, "roomwatch.yaml")
	writeFile(t, cfg, fmt.Sprintf(`destinations:
  mx: {type: matrix, url: %s, token_env: MATRIX_TOKEN}
defaults: {room: '%s', debounce: {wait: 0s}}
rules:
  - {name: quiet, match: '^INFO'}
  - {name: loud, match: '^ERROR', notify: true}
  - {name: page-alice, match: '^CRIT', mention: '%s', room: '#ops:localhost'}
  - {name: everyone, match: '^PANIC', mention: '@room'}
`, rec.URL, roomID, alice))
	in := "INFO disk 91% full on root@web-01\n" +
		"ERROR backup failed; the log says @room and mail ops@example.com\n" +
		"CRIT database down on db-01\n" +
		"PANIC kernel oops on web-02\n"
	if code, stderr := runRoomwatch(t, in, map[string]string{"MATRIX_TOKEN": botToken}, "pipe", "-c", cfg); code != exitOK {
		t.Fatalf("pipe: exit %d\n%s", code, stderr)
	}
	events := map[string]mxEvent{} // rule -> its event
	for _, ev := range d.messages(botToken, roomID) {
		body, _ := ev.Content["body"].(string)
		for rule, prefix := range map[string]string{"quiet": "INFO", "loud": "ERROR", "page-alice": alice + " CRIT", "everyone": "@room PANIC"} {
			if strings.HasPrefix(body, prefix) {
				events[rule] = ev
			}
		}
	}
	if len(events) != 4 {
		t.Fatalf("found the events of %d rules, want 4:\n%s", len(events), pretty(d.messages(botToken, roomID)))
	}
	var notes map[string]mxNotification
	waitFor(t, "alice's notifications of the three digests that notify", func() bool {
		notes = d.notifications(aliceToken)
		_, a := notes[events["loud"].EventID]
		_, b := notes[events["page-alice"].EventID]
		_, c := notes[events["everyone"].EventID]
		return a && b && c
	})
	time.Sleep(500 * time.Millisecond) // a late notification of the quiet event would show now
	notes = d.notifications(aliceToken)
	tests := []struct {
		rule, msgtype       string
		notified, highlight bool
	}{
		{"quiet", "m.notice", false, false},
		{"loud", "m.text", true, false}, // @room in the log text pings no one
		{"page-alice", "m.text", true, true},
		{"everyone", "m.text", true, true},
	}
	for _, tt := range tests {
		ev := events[tt.rule]
		n, notified := notes[ev.EventID]
		if ev.Content["msgtype"] != tt.msgtype || notified != tt.notified || n.highlight() != tt.highlight {
			t.Errorf("%s: %v, notified %v, highlight %v; want %s, %v, %v", tt.rule, ev.Content["msgtype"],
				notified, n.highlight(), tt.msgtype, tt.notified, tt.highlight)
		}
		body := ev.Content["body"].(string)
		if strings.Contains(strings.ReplaceAll(body, "@\u2060room", ""), "\u2060") {
			t.Errorf("%s: body %q holds U+2060 other than in a log line's @room", tt.rule, body)
		}
	}
	for _, s := range []string{"root@web-01", "ops@example.com"} {
		if !strings.Contains(events["quiet"].Content["body"].(string)+events["loud"].Content["body"].(string), s) {
			t.Errorf("%s not kept as written", s)
		}
	}
	t.Logf("roomwatch sent:\n%s", pretty(rec.exchanges()))
	t.Logf("room events:\n%s", pretty(events))
	t.Logf("alice's /notifications:\n%s", pretty(notes))
}

// TestMatrixDendriteLegacyRoomMention is the reason a log line's @room is
// broken in Matrix bodies: Dendrite 0.13 applies the legacy
// .m.rule.roomnotif push rule to the body of an m.text event even when
// m.mentions says no one is mentioned, so a raw "@room" pings the room.
func TestMatrixDendriteLegacyRoomMention(t *testing.T) {
	d := startDendrite(t)
	_, botToken := d.account("roomwatch")
	alice, aliceToken := d.account("alice")
	roomID := d.room(botToken, "ops", map[string]string{alice: aliceToken})
	ids := map[string]string{}
	for i, body := range []string{"raw: the log says @room", "neutralised: the log says @\u2060room"} {
		var r struct {
			EventID string `json:"event_id"`
		}
		sendJSON(t, "PUT", d.url+"/_matrix/client/v3/rooms/"+roomID+"/send/m.room.message/legacy"+fmt.Sprint(i), botToken,
			map[string]any{"msgtype": "m.text", "body": body, "m.mentions": map[string]any{}}, &r)
		ids[body] = r.EventID
	}
	var notes map[string]mxNotification
	waitFor(t, "alice's notifications", func() bool { notes = d.notifications(aliceToken); return len(notes) >= 2 })
	raw, neutral := notes[ids["raw: the log says @room"]], notes[ids["neutralised: the log says @\u2060room"]]
	t.Logf("raw @room: highlight %v; neutralised: highlight %v", raw.highlight(), neutral.highlight())
	if neutral.highlight() {
		t.Errorf("a neutralised @room highlighted alice")
	}
	if !raw.highlight() {
		t.Logf("this homeserver honours m.mentions: a raw @room no longer pings (the neutralising is then harmless)")
	}
}

// TestMatrixDendriteRetryOnce sends one digest three times, as retries
// do: the same transaction id, so Dendrite stores one event and answers
// every PUT with its id.
func TestMatrixDendriteRetryOnce(t *testing.T) {
	d := startDendrite(t)
	_, botToken := d.account("roomwatch")
	roomID := d.room(botToken, "ops", nil)
	rec := newRecorder(t, d.url)
	n, err := matrix.New(matrix.Config{URL: rec.URL, Token: config.Secret(botToken)})
	if err != nil {
		t.Fatal(err)
	}
	dg := &batch.Digest{ID: "retry-1", Rule: "r", Room: roomID, Color: "red", Message: "ERROR sent once"}
	for range 3 {
		if err := n.Notify(t.Context(), dg); err != nil {
			t.Fatal(err)
		}
	}
	var stored int
	for _, ev := range d.messages(botToken, roomID) {
		if ev.Content["body"] == "ERROR sent once" {
			stored++
		}
	}
	x := rec.exchanges()
	if stored != 1 || len(x) != 3 || x[0].Answer != x[1].Answer || x[1].Answer != x[2].Answer {
		t.Errorf("%d events stored after 3 PUTs, want 1; answers:\n%s", stored, pretty(x))
	}
	t.Logf("PUT %s three times; answers %s %s %s", x[0].Path, x[0].Answer, x[1].Answer, x[2].Answer)
}
