package telegram

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
)

// botToken is the fake's one bot.
const botToken = "123456789:AAHSECRETsecretSECRETsecret"

var tokenShape = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

// fake is the Bot API's sendMessage as its documentation describes it:
// POST /bot<token>/<method>; every answer {"ok":...} with error_code and
// description on failure; 401 for an unknown token, 404 for a malformed
// one or an unknown method; 400 "chat not found", "message text is
// empty", "message is too long" (over 4,096 UTF-16 units after the HTML
// is parsed) and "can't parse entities" for HTML outside the documented
// tags and entities; 400 with migrate_to_chat_id for an upgraded group;
// 403 for a chat the bot was removed from; 429 with
// parameters.retry_after past its limit.
type fake struct {
	*httptest.Server

	mu       sync.Mutex // protects the fields below
	limit    int        // messages accepted before 429; 0 for no limit
	fail     []int      // statuses (500, 502) for the next requests
	bodies   [][]byte
	received []sent
}

// sent is what a chat shows: the text after its HTML is parsed.
type sent struct {
	ChatID string
	Text   string
	Silent bool
}

func newFake(t *testing.T) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func reply(w http.ResponseWriter, code int, desc string, params string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if params != "" {
		params = `,"parameters":` + params
	}
	fmt.Fprintf(w, `{"ok":false,"error_code":%d,"description":%q%s}`, code, desc, params)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	switch {
	case !ok || !tokenShape.MatchString(token):
		reply(w, 404, "Not Found", "")
		return
	case token != botToken:
		reply(w, 401, "Unauthorized", "")
		return
	case !strings.EqualFold(method, "sendMessage"):
		reply(w, 404, "Not Found: method not found", "")
		return
	case len(f.fail) > 0:
		code := f.fail[0]
		f.fail = f.fail[1:]
		reply(w, code, "Internal Server Error", "")
		return
	case f.limit > 0 && len(f.received) >= f.limit:
		reply(w, 429, "Too Many Requests: retry after 35", `{"retry_after":35}`)
		return
	}
	var p struct {
		ChatID       json.RawMessage `json:"chat_id"`
		Text         string          `json:"text"`
		ParseMode    string          `json:"parse_mode"`
		DisableNotif bool            `json:"disable_notification"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		reply(w, 400, "Bad Request: invalid JSON", "")
		return
	}
	var chat string
	if json.Unmarshal(p.ChatID, &chat) != nil {
		chat = string(p.ChatID)
	}
	switch chat {
	case "-1001234567890", "@opschannel":
	case "-42":
		reply(w, 400, "Bad Request: group chat was upgraded to a supergroup chat", `{"migrate_to_chat_id":-1001234567890}`)
		return
	case "-100999":
		reply(w, 403, "Forbidden: bot was kicked from the supergroup chat", "")
		return
	default:
		reply(w, 400, "Bad Request: chat not found", "")
		return
	}
	text := p.Text
	if p.ParseMode == "HTML" {
		var err error
		if text, err = parseHTML(p.Text); err != nil {
			reply(w, 400, "Bad Request: can't parse entities: "+err.Error(), "")
			return
		}
	}
	switch n := len(utf16.Encode([]rune(strings.TrimSpace(text)))); {
	case n == 0:
		reply(w, 400, "Bad Request: message text is empty", "")
		return
	case n > Limit:
		reply(w, 400, "Bad Request: message is too long", "")
		return
	}
	f.bodies = append(f.bodies, body)
	f.received = append(f.received, sent{ChatID: chat, Text: text, Silent: p.DisableNotif})
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":1772366400,"chat":{"id":-1001234567890,"type":"supergroup"},"text":%q}}`,
		len(f.received), text)
}

// tagAttrs are the documented tags with the attributes each may carry.
var tagAttrs = map[string]string{
	"b": "", "strong": "", "i": "", "em": "", "u": "", "ins": "", "s": "", "strike": "", "del": "",
	"tg-spoiler": "", "span": "class", "a": "href", "tg-emoji": "emoji-id", "code": "class", "pre": "",
	"blockquote": "expandable",
}

var (
	fakeTagRE    = regexp.MustCompile(`^<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>`)
	fakeAttrRE   = regexp.MustCompile(`([a-z-]+)(?:="[^"]*")?`)
	fakeEntityRE = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});`)
)

// parseHTML returns the text a message in parse_mode HTML shows, or the
// reason Telegram refuses it.
func parseHTML(s string) (string, error) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			m := fakeTagRE.FindStringSubmatch(s[i:])
			if m == nil {
				return "", fmt.Errorf("unexpected '<' at byte offset %d", i)
			}
			name := strings.ToLower(m[2])
			allowedAttrs, ok := tagAttrs[name]
			if !ok {
				return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			for _, a := range fakeAttrRE.FindAllStringSubmatch(m[3], -1) {
				if a[1] != allowedAttrs {
					return "", fmt.Errorf("unsupported attribute %q of tag %q at byte offset %d", a[1], name, i)
				}
			}
			if m[1] == "/" {
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, last(open), name)
				}
				open = open[:len(open)-1]
			} else {
				open = append(open, name)
			}
			i += len(m[0])
		case '&':
			m := fakeEntityRE.FindStringSubmatch(s[i:])
			if m == nil {
				return "", fmt.Errorf("unsupported HTML entity at byte offset %d", i)
			}
			out.WriteString(map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`}[m[1]])
			i += len(m[0])
		case '>':
			return "", fmt.Errorf("unexpected '>' at byte offset %d", i)
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", last(open))
	}
	return out.String(), nil
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}
