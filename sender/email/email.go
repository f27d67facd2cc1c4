// Package email sends each digest as one e-mail through an SMTP server
// (STARTTLS or implicit TLS, with AUTH): subject "[roomwatch] <colour>
// <first line>", a plain-text body and, for format html, an HTML
// alternative. Recipients come from the rule's room.
package email

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"strconv"

	gomail "github.com/wneessen/go-mail"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// Limit is the largest message body roomwatch sends: far below any mail
// server's size limit, and more than a digest of max_lines lines needs.
const Limit = 256 << 10

// SubjectMax is the longest subject, in characters: what mail clients
// show in a list, well inside RFC 5322's line length.
const SubjectMax = 120

// Notifier mails digests through one SMTP server. It is safe for
// concurrent use: each delivery uses its own connection.
type Notifier struct {
	opts     []gomail.Option
	from     string
	host     string
	addr     string // host:port, for errors
	hostname string // the server's host
	pass     string // for Scrub
}

var (
	_ sender.Notifier = (*Notifier)(nil)
	_ sender.Limited  = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It connects to nothing.
func New(cfg Config) (*Notifier, error) {
	host, portText, err := net.SplitHostPort(cfg.SMTP)
	port, perr := strconv.Atoi(portText)
	if err != nil || host == "" || perr != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("email: smtp %q: want host:port", cfg.SMTP)
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("email: from %q: %w", cfg.From, err)
	}
	tc := cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{}
	}
	tc = tc.Clone()
	tc.ServerName = cmp.Or(tc.ServerName, host)
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
	opts := []gomail.Option{
		gomail.WithPort(port),
		gomail.WithTimeout(cmp.Or(cfg.Timeout, sender.DefaultTimeout)),
		gomail.WithTLSConfig(tc),
		gomail.WithHELO(cmp.Or(cfg.Host, "localhost")),
	}
	switch {
	case cfg.TLS:
		opts = append(opts, gomail.WithSSL())
	case cfg.StartTLS == StartTLSAlways:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case cfg.StartTLS == StartTLSNever:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password.Reveal()))
	}
	return &Notifier{opts: opts, from: cfg.From, host: cmp.Or(cfg.Host, "localhost"), addr: cfg.SMTP, hostname: host,
		pass: cfg.Password.Reveal()}, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, sender.Bytes }

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	m, err := n.message(d)
	if err != nil {
		return fmt.Errorf("email to %q: %w", d.Room, &sender.Error{Kind: sender.Permanent, Err: err})
	}
	// A client per delivery: it holds one connection, so concurrent
	// deliveries never share one, and nothing stays open between digests.
	c, err := gomail.NewClient(n.hostname, n.opts...)
	if err == nil {
		err = c.DialAndSendWithContext(ctx, m)
	}
	if err != nil {
		return sender.Scrub(fmt.Errorf("email to %q via %s: %w", d.Room, n.addr, classify(err)), n.pass)
	}
	return nil
}
