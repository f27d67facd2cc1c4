package teams

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// The fake's one workflow: its path and (secret) signature.
const (
	flowPath = "/workflows/abc/triggers/manual/paths/invoke"
	flowSig  = "SECRETsig"
	flowURL  = flowPath + "?api-version=1&sig=" + flowSig
)

// fake is a Teams Workflows webhook: 202 Accepted with no body; JSON
// errors {"error":{"code","message"}}: 401 bad signature, 404 unknown
// workflow, 400 not a card, 413 over 28 KB; 429 with Retry-After past its
// limit.
type fake struct {
	*httptest.Server

	mu     sync.Mutex // protects the fields below
	limit  int
	bodies [][]byte
}

func newFake(t *testing.T) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func flowError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	var m struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type string `json:"type"`
			} `json:"content"`
		} `json:"attachments"`
	}
	switch {
	case r.URL.Path != flowPath:
		flowError(w, 404, "WorkflowNotFound", "The workflow could not be found.")
	case r.URL.Query().Get("sig") != flowSig:
		flowError(w, 401, "DirectApiInvalidAuthorizationSignature", "The provided authorization signature is not valid.")
	case f.limit > 0 && len(f.bodies) >= f.limit:
		w.Header().Set("Retry-After", "10")
		flowError(w, 429, "WorkflowRequestsThrottled", "Rate limit is exceeded.")
	case len(body) > Limit:
		flowError(w, 413, "MessageSizeLimitExceeded", "Request entity too large.")
	case json.Unmarshal(body, &m) != nil || m.Type != "message" || len(m.Attachments) != 1 ||
		m.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" || m.Attachments[0].Content.Type != "AdaptiveCard":
		flowError(w, 400, "InvalidRequestContent", "The request content is not a message with an Adaptive Card.")
	default:
		f.bodies = append(f.bodies, body)
		w.WriteHeader(http.StatusAccepted)
	}
}
