package sender

import (
	"net/url"
	"testing"
)

func TestRedirectTargetHidesSecrets(t *testing.T) {
	req, _ := url.Parse("http://hooks.example.com/services/T1/B1/SECRETxyz123?sig=SIGvalue")
	tests := []struct{ loc, want string }{
		{"https://hooks.example.com/services/T1/B1/SECRETxyz123", "https://hooks.example.com/…/T1/B1/…"},
		{"https://u:pw@other.example.com/login?next=SIGvalue", "https://other.example.com/login?…"},
		{"/moved", "http://hooks.example.com/moved"},
		{"https://x.example.com/\x1b[2J", "an unreadable Location"},
	}
	for _, tt := range tests {
		if got := redirectTarget(tt.loc, req); got != tt.want {
			t.Errorf("redirectTarget(%q) = %q, want %q", tt.loc, got, tt.want)
		}
	}
}
