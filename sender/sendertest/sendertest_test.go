package sendertest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// TestRetryTestsWithCheckResponse runs the policy check against the
// smallest Notifier built on sender.CheckResponse.
func TestRetryTestsWithCheckResponse(t *testing.T) {
	RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return sender.NotifierFunc(func(ctx context.Context, d *batch.Digest) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return sender.RequestError(err)
			}
			return sender.CheckResponse(resp, time.Now(), nil, nil)
		})
	}, &batch.Digest{}, nil)
}

// failRecorder is a testing.TB that records failures instead of failing.
type failRecorder struct {
	testing.TB
	failed bool
}

func (r *failRecorder) Helper()               {}
func (r *failRecorder) Errorf(string, ...any) { r.failed = true }
func (r *failRecorder) Fatal(...any)          { r.failed = true }

func TestAssertNoSecret(t *testing.T) {
	AssertNoSecret(t, "s3cr/t+x", "nothing here", "<secret>")
	for _, leak := range []string{"token s3cr/t+x", "?t=s3cr%2Ft%2Bx", "/s3cr%2Ft+x/"} {
		r := &failRecorder{TB: t}
		AssertNoSecret(r, "s3cr/t+x", leak)
		if !r.failed {
			t.Errorf("AssertNoSecret missed %q", leak)
		}
	}
}
