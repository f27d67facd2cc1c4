package hipchattest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Field limits of HipChat API v2, counted in characters (code points).
const (
	MaxMessage  = 10000
	MaxFrom     = 64
	MaxAttachTo = 36
)

var (
	colors  = []string{"yellow", "green", "red", "purple", "gray", "random"}
	formats = []string{"html", "text"}
)

// parseBody validates a request body for a route kind (notification,
// message, private) the way HipChat does, answering 400 in its shape.
func parseBody(body []byte, kind string) (Notification, *reply) {
	n := Notification{Kind: kind, Color: "yellow", Format: "html"}
	if kind == "private" {
		n.Format = "text"
	}
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		r := errorReply(http.StatusBadRequest, "The request body cannot be parsed as valid JSON", nil)
		return n, &r
	}
	var bad *reply
	check := func(r *reply) {
		if bad == nil {
			bad = r
		}
	}
	raw, ok := m["message"]
	if !ok || string(raw) == "null" {
		return n, invalid("message", "Required field 'message' is missing", "optional", nil)
	}
	n.Message, bad = stringField(m, "message", 1, MaxMessage, nil)
	if kind == "message" {
		return n, bad
	}
	var notify *reply
	n.Notify, notify = boolField(m, "notify")
	check(notify)
	if s, r := stringField(m, "message_format", 0, 0, formats); s != "" || r != nil {
		n.Format = s
		check(r)
	}
	if kind == "private" {
		return n, bad
	}
	if s, r := stringField(m, "color", 0, 0, colors); s != "" || r != nil {
		n.Color = s
		check(r)
	}
	var r *reply
	n.From, r = stringField(m, "from", 0, MaxFrom, nil)
	check(r)
	_, r = stringField(m, "attach_to", 0, MaxAttachTo, nil)
	check(r)
	return n, bad
}

// stringField checks an optional string field: its type, its length in
// characters (when hi > 0) and its value (when enum is not nil).
func stringField(m map[string]json.RawMessage, name string, lo, hi int, enum []string) (string, *reply) {
	raw, ok := m[name]
	if !ok {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || string(raw) == "null" {
		return "", typeError(name, raw, "string")
	}
	if n := utf8.RuneCountInString(s); hi > 0 && (n < lo || n > hi) {
		return s, invalid(name, fmt.Sprintf("Value for field '%s' must be between %d and %d characters long", name, lo, hi), "length", s)
	}
	if enum != nil && !slices.Contains(enum, s) {
		quoted := make([]string, len(enum))
		for i, e := range enum {
			quoted[i] = "u'" + e + "'"
		}
		msg := fmt.Sprintf("Value %s for field '%s' is not one of [%s]", pyRepr(raw), name, strings.Join(quoted, ", "))
		return s, invalid(name, msg, "enum", s)
	}
	return s, nil
}

// boolField reads notify: a JSON boolean, or "true"/"false" as a string.
func boolField(m map[string]json.RawMessage, name string) (bool, *reply) {
	raw, ok := m[name]
	if !ok {
		return false, nil
	}
	var b bool
	if string(raw) == "null" {
		return false, typeError(name, raw, "boolean")
	}
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if v, err := strconv.ParseBool(s); err == nil && (strings.EqualFold(s, "true") || strings.EqualFold(s, "false")) {
			return v, nil
		}
	}
	return false, typeError(name, raw, "boolean")
}

func typeError(name string, raw json.RawMessage, want string) *reply {
	var v any
	_ = json.Unmarshal(raw, &v)
	msg := fmt.Sprintf("Value %s for field '%s' is not of type '%s'", pyRepr(raw), name, want)
	r := errorReply(http.StatusBadRequest, msg, map[string]any{
		"field": name, "validation": "type", "expected_type": want, "value": v})
	return &r
}

func invalid(name, msg, validation string, value any) *reply {
	r := errorReply(http.StatusBadRequest, msg, map[string]any{
		"field": name, "validation": validation, "value": value})
	return &r
}

// pyRepr shows a JSON value the way HipChat's Python server quoted it.
func pyRepr(raw json.RawMessage) string {
	if string(raw) == "null" {
		return "None"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return "u'" + s + "'"
	}
	return string(raw)
}
