package email

import (
	"crypto/tls"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// StartTLS says whether the connection is upgraded with STARTTLS.
type StartTLS int

const (
	// StartTLSAuto upgrades when the server offers STARTTLS.
	StartTLSAuto StartTLS = iota
	// StartTLSAlways refuses to send unless the connection is upgraded.
	StartTLSAlways
	// StartTLSNever sends in clear text.
	StartTLSNever
)

// ParseStartTLS reads the starttls key: auto (or empty), always, never.
func ParseStartTLS(s string) (StartTLS, bool) {
	switch s {
	case "", "auto":
		return StartTLSAuto, true
	case "always":
		return StartTLSAlways, true
	case "never":
		return StartTLSNever, true
	}
	return 0, false
}

// Config configures a Notifier.
type Config struct {
	// SMTP is the server, host:port.
	SMTP string
	// Username and Password authenticate (AUTH); both empty for none.
	// Password never appears in an error.
	Username string
	Password config.Secret
	// From is the sender address.
	From string
	// StartTLS says whether the connection is upgraded; it does not
	// apply with TLS.
	StartTLS StartTLS
	// TLS is implicit TLS: the connection is TLS from its first byte
	// (port 465).
	TLS bool
	// TLSConfig verifies the server (RootCAs); the system's roots and
	// the host of SMTP if nil.
	TLSConfig *tls.Config
	// Host names this machine in the greeting (HELO) and the Message-ID.
	Host string
	// Timeout bounds one delivery; sender.DefaultTimeout if zero.
	Timeout time.Duration
}
