package hipchat

import (
	"net/http"
	"testing"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

// TestNotifyNeverFollowsRedirects checks that a redirect is a permanent
// failure naming where it points, and that nothing (least of all the
// secret) is sent there, not even from https to plain http.
func TestNotifyNeverFollowsRedirects(t *testing.T) {
	sendertest.RedirectTests(t, func(t *testing.T, url string, client *http.Client) (sender.Notifier, string) {
		n, err := New(Config{URL: url, Token: config.Secret(userToken), Client: client})
		if err != nil {
			t.Fatal(err)
		}
		return n, userToken
	}, &batch.Digest{Room: "1", Message: "x"})
}
