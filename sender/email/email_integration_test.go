package email

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/internal/realtest"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const password = "SECRETpass"

func newNotifier(t *testing.T, cfg Config) *Notifier {
	t.Helper()
	cfg.From = "roomwatch <roomwatch@web-01.example.com>"
	cfg.Host = "web-01.example.com"
	cfg.Timeout = 10 * time.Second
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func htmlDigest() *batch.Digest {
	return &batch.Digest{ID: "d1", Rule: "ssh", Room: "ops@example.com, Bob <bob@example.com>", Color: "red", Format: "html",
		At: epoch, Count: 7,
		Message: "<b>7 × ssh on web-01 (11:59:50–12:00:00)</b><br>Failed password for root from 203.0.113.5 (×6)" +
			"<br>Failed password for &lt;script&gt; from 198.51.100.7"}
}

// TestMailpitDigest sends an html digest over STARTTLS with AUTH to a
// real SMTP server and reads back what arrived: headers, the plain-text
// body and the HTML alternative.
func TestMailpitDigest(t *testing.T) {
	mp := startMailpit(t, mailpitOptions{tls: true, users: []string{"roomwatch:" + password},
		extraFlags: []string{"--smtp-require-starttls"}})
	n := newNotifier(t, Config{SMTP: mp.smtp, Username: "roomwatch", Password: password, TLSConfig: mp.tlsConfig()})
	if err := n.Notify(t.Context(), htmlDigest()); err != nil {
		t.Fatal(err)
	}
	msgs := mp.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	raw := mp.raw(t, m.ID)
	t.Logf("Mailpit received:\n%s", raw)
	if m.Subject != "[roomwatch] red 7 × ssh on web-01 (11:59:50–12:00:00)" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.From.Address != "roomwatch@web-01.example.com" || len(m.To) != 2 || m.To[1].Address != "bob@example.com" {
		t.Errorf("from %v to %v", m.From, m.To)
	}
	if m.MessageID != "d1.roomwatch@web-01.example.com" {
		t.Errorf("Message-ID %q", m.MessageID)
	}
	if !strings.Contains(m.Text, "Failed password for <script> from 198.51.100.7") || strings.Contains(m.Text, "<b>") {
		t.Errorf("text body %q", m.Text)
	}
	if !strings.Contains(m.HTML, "<b>7 × ssh") || !strings.Contains(m.HTML, "&lt;script&gt;") || !strings.Contains(m.HTML, "#d00000") {
		t.Errorf("html body %q", m.HTML)
	}
	boundary := regexp.MustCompile(`[0-9a-f]{20,}`)
	sendertest.Golden(t, "html-digest", "Subject: "+m.Subject+"\n\n--- text\n"+m.Text+"\n--- html\n"+
		boundary.ReplaceAllString(m.HTML, "X")+"\n")
}

// TestMailpitHostileLine: a first line that tries to add a header (CR
// Bcc:) stays in the subject as text, cut to length, and the text body
// carries no terminal escapes. (A log line holds no LF: it ends there.)
func TestMailpitHostileLine(t *testing.T) {
	mp := startMailpit(t, mailpitOptions{})
	n := newNotifier(t, Config{SMTP: mp.smtp})
	line := "Failed\rBcc: evil@attacker.test\r\x1b[2J " + sendertest.Hostile + strings.Repeat(" long", 100)
	d := sendertest.Digest(t, "email", "text", "", line)
	if err := n.Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	m := mp.messages(t)[0]
	if len(m.Bcc) != 0 || len(m.Cc) != 0 || len(m.To) != 1 {
		t.Errorf("recipients changed by a log line: to %v cc %v bcc %v", m.To, m.Cc, m.Bcc)
	}
	if strings.ContainsAny(m.Subject, "\r\n\x1b") || len([]rune(m.Subject)) > SubjectMax || !strings.HasSuffix(m.Subject, "…") {
		t.Errorf("subject %q", m.Subject)
	}
	if strings.Contains(m.Text, "\x1b") || !strings.Contains(m.Text, "[click](http://evil)") {
		t.Errorf("text %q", m.Text)
	}
}

// TestMailpitRefusedRecipient: a recipient the server refuses (550) is a
// permanent failure, and nothing is delivered to the others.
func TestMailpitRefusedRecipient(t *testing.T) {
	mp := startMailpit(t, mailpitOptions{extraFlags: []string{"--smtp-allowed-recipients", `@example\.com$`}})
	n := newNotifier(t, Config{SMTP: mp.smtp})
	d := &batch.Digest{ID: "d2", Room: "ops@example.com, nobody@elsewhere.test", Color: "red", Message: "x", At: epoch}
	err := n.Notify(t.Context(), d)
	var e *sender.Error
	if !errors.As(err, &e) || e.Kind != sender.Permanent || !strings.Contains(err.Error(), "check the rule's room") {
		t.Fatalf("Notify = %v, want a permanent refusal", err)
	}
	t.Logf("refused: %v", err)
	if got := len(mp.messages(t)); got != 0 {
		t.Errorf("%d messages delivered, want none", got)
	}
}

// TestMailpitWrongPassword is permanent, explained, and never prints the
// password.
func TestMailpitWrongPassword(t *testing.T) {
	mp := startMailpit(t, mailpitOptions{tls: true, users: []string{"roomwatch:right"}})
	n := newNotifier(t, Config{SMTP: mp.smtp, Username: "roomwatch", Password: password, StartTLS: StartTLSAlways,
		TLSConfig: mp.tlsConfig()})
	err := n.Notify(t.Context(), htmlDigest())
	if sender.KindOf(err) != sender.Permanent || !strings.Contains(err.Error(), "check username and password") {
		t.Fatalf("Notify = %v, want a permanent login failure", err)
	}
	t.Logf("refused: %v", err)
	sendertest.AssertNoSecret(t, password, err.Error())
}

// TestMailpitImplicitTLS delivers over TLS from the first byte (port 465
// style), and refuses a server whose certificate is not trusted.
func TestMailpitImplicitTLS(t *testing.T) {
	mp := startMailpit(t, mailpitOptions{tls: true, extraFlags: []string{"--smtp-require-tls"}})
	if err := newNotifier(t, Config{SMTP: mp.smtp, TLS: true, TLSConfig: mp.tlsConfig()}).Notify(t.Context(), htmlDigest()); err != nil {
		t.Fatal(err)
	}
	if got := len(mp.messages(t)); got != 1 {
		t.Fatalf("%d messages, want 1", got)
	}
	err := newNotifier(t, Config{SMTP: mp.smtp, TLS: true}).Notify(t.Context(), htmlDigest())
	if sender.KindOf(err) != sender.Permanent || !strings.Contains(err.Error(), "certificate is not trusted") {
		t.Fatalf("untrusted certificate: Notify = %v, want permanent", err)
	}
}

// TestMailpitStartTLSAlways refuses a server that offers no STARTTLS
// rather than send in clear text.
func TestMailpitStartTLSAlways(t *testing.T) {
	mp := startMailpit(t, mailpitOptions{})
	err := newNotifier(t, Config{SMTP: mp.smtp, StartTLS: StartTLSAlways}).Notify(t.Context(), htmlDigest())
	if sender.KindOf(err) != sender.Permanent || !strings.Contains(err.Error(), "no STARTTLS") {
		t.Fatalf("Notify = %v, want permanent", err)
	}
	if got := len(mp.messages(t)); got != 0 {
		t.Errorf("%d messages sent in clear text", got)
	}
}

// TestServerDown: while nothing listens the failure is retryable; once the
// server is up, the same digest goes through.
func TestServerDown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real SMTP server")
	}
	addr := realtest.Addr(t)
	n := newNotifier(t, Config{SMTP: addr, Password: config.Secret("")})
	err := n.Notify(t.Context(), htmlDigest())
	if sender.KindOf(err) != sender.Retryable {
		t.Fatalf("server down: Notify = %v, want retryable", err)
	}
	t.Logf("down: %v", err)
	mp := startMailpit(t, mailpitOptions{smtpAddr: addr})
	if err := n.Notify(t.Context(), htmlDigest()); err != nil {
		t.Fatalf("retry once the server is up: %v", err)
	}
	if got := len(mp.messages(t)); got != 1 {
		t.Errorf("%d messages, want 1", got)
	}
}

// TestMailpitTemporaryRefusal: a reply of class 4 (451, Mailpit's Chaos
// on every recipient) is retryable, a reply of class 5 (550) permanent.
func TestMailpitTemporaryRefusal(t *testing.T) {
	for _, tt := range []struct {
		code string
		want sender.Kind
	}{{"451", sender.Retryable}, {"550", sender.Permanent}} {
		mp := startMailpit(t, mailpitOptions{extraFlags: []string{"--chaos-triggers", "Recipient:" + tt.code + ":100"}})
		err := newNotifier(t, Config{SMTP: mp.smtp}).Notify(t.Context(), htmlDigest())
		if sender.KindOf(err) != tt.want || !strings.Contains(err.Error(), tt.code) {
			t.Errorf("%s: Notify = %v, want %v", tt.code, err, tt.want)
		}
	}
}

// TestMailpitLimit: a digest past Limit bytes arrives cut, saying how
// much was cut.
func TestMailpitLimit(t *testing.T) {
	mp := startMailpit(t, mailpitOptions{})
	msg := strings.Repeat("Failed password for root from 203.0.113.5 port 22 ssh2 ✓\n", 6000)
	d := &batch.Digest{ID: "big", Rule: "ssh", Room: "ops@example.com", Color: "yellow", Message: msg, At: epoch}
	if err := newNotifier(t, Config{SMTP: mp.smtp}).Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	// Mail has CRLF line ends; the limit is on the digest's own text.
	text := strings.TrimRight(strings.ReplaceAll(mp.messages(t)[0].Text, "\r\n", "\n"), "\n")
	if len(text) > Limit || !strings.HasSuffix(text, "more bytes]") || !strings.HasPrefix(text, msg[:200]) {
		t.Errorf("text of %d bytes ends %q", len(text), text[max(0, len(text)-60):])
	}
}
