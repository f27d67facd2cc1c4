package email

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/textproto"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/roomwatch/roomwatch/sender"
)

// classify turns an SMTP delivery failure into a sender.Error: a reply
// of class 4 (451 try again later) or a failed connection is Retryable;
// a reply of class 5 (550 no such user, 535 bad credentials), an
// untrusted certificate or a server without the STARTTLS that was
// required is Permanent, because the config must change.
func classify(err error) error {
	var (
		se   *gomail.SendError
		te   *textproto.Error
		ue   x509.UnknownAuthorityError
		he   x509.HostnameError
		ve   *tls.CertificateVerificationError
		kind = sender.Retryable
		e    = &sender.Error{Kind: sender.Retryable, Err: err}
	)
	switch {
	case errors.As(err, &se):
		if !se.IsTemp() && se.ErrorCode() != 0 {
			kind = sender.Permanent
		}
		if se.Reason == gomail.ErrSMTPRcptTo {
			e.Hint = "the server refused a recipient: check the rule's room"
		}
	case errors.As(err, &te):
		if te.Code/100 == 5 {
			kind = sender.Permanent
		}
		if te.Code == 535 || te.Code == 534 || te.Code == 530 {
			e.Hint = "the server refused the login: check username and password"
		}
	case errors.As(err, &ue), errors.As(err, &he), errors.As(err, &ve):
		kind = sender.Permanent
		e.Hint = "the server's certificate is not trusted for this host"
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		kind = sender.Permanent
		e.Hint = "the server offers no STARTTLS: use starttls: never only on a trusted network, or tls: true"
	}
	e.Kind = kind
	return e
}
