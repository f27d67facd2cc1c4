package rules

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// BodyTemplate is a webhook's compiled body_template: a Go template that
// makes the request body from a digest. Its data are the fields of
// digest_template plus .message, .color and .room; its json function
// quotes a value as JSON. When the content type is JSON, every other
// value it prints is escaped as the inside of a JSON string, so log text
// can never end a string early and add keys of its own.
type BodyTemplate struct {
	t    *template.Template
	json bool
}

// jsonValue is already JSON: the escaping of JSON bodies leaves it alone.
type jsonValue string

// escapeAction is the name of the function appended to every action of a
// JSON body template.
const escapeAction = "_roomwatch_json_escape"

// bodyFuncs are the functions a body template may call besides those of
// every template.
var bodyFuncs = template.FuncMap{
	"json": func(v any) (jsonValue, error) {
		b, err := jsonMarshal(v)
		return jsonValue(b), err
	},
	escapeAction: func(v any) (jsonValue, error) {
		if j, ok := v.(jsonValue); ok {
			return j, nil
		}
		b, err := jsonMarshal(fmt.Sprint(v))
		if err != nil {
			return "", err
		}
		return jsonValue(b[1 : len(b)-1]), nil
	},
}

func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// NewBodyTemplate parses a body template; with isJSON every value it
// prints is escaped for a JSON string, and what it renders must be JSON.
func NewBodyTemplate(text string, isJSON bool) (*BodyTemplate, error) {
	t, err := template.New("body_template").Funcs(funcs).Funcs(budgetFuncs).Funcs(bodyFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	if isJSON {
		for _, tt := range t.Templates() {
			if tt.Tree != nil {
				escapeActions(tt.Tree.Root)
			}
		}
	}
	instrument(t) // after escapeActions, which must not touch the shared budget action
	return &BodyTemplate{t: t, json: isJSON}, nil
}

// escapeActions pipes the value of every action that prints into the
// JSON escaper, as html/template does for HTML.
func escapeActions(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			escapeActions(c)
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 {
			return // {{$x := ...}} prints nothing
		}
		id := parse.NewIdentifier(escapeAction).SetPos(n.Pos)
		n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: n.Pos, Args: []parse.Node{id}})
	case *parse.IfNode:
		escapeActions(n.List)
		escapeActions(n.ElseList)
	case *parse.RangeNode:
		escapeActions(n.List)
		escapeActions(n.ElseList)
	case *parse.WithNode:
		escapeActions(n.List)
		escapeActions(n.ElseList)
	}
}

// Render makes a request body from data (see BodyData).
func (b *BodyTemplate) Render(data map[string]any) ([]byte, error) {
	var out bytes.Buffer
	if err := execute(b.t, &out, data); err != nil {
		return nil, fmt.Errorf("body_template: %s", templateProblem(err))
	}
	if b.json && !json.Valid(out.Bytes()) {
		return nil, fmt.Errorf("body_template: the body is not valid JSON (quote text with {{json .message}})")
	}
	return out.Bytes(), nil
}

// bodySample is data shaped like what a webhook passes its body template.
func bodySample() map[string]any {
	lines := []map[string]any{{"text": `x "quoted" <b>`, "count": 2}, {"text": "y", "count": 1}}
	return map[string]any{
		"count": 3, "first": time.Unix(0, 0), "last": time.Unix(1, 0), "rule": "rule", "room": "room",
		"host": "host", "group": map[string]string{}, "lines": lines, "more": 0, "folded": 0,
		"message": "3 × rule\nx \"quoted\" <b>\ny", "color": "red",
	}
}

// bodyTemplates compiles the body_template of every webhook destination
// with the rules' template functions, and checks it on sample data: a
// misspelt field, or a body that is not JSON for a JSON content type, is
// an error at check.
func (c *compiler) bodyTemplates() {
	for _, name := range slices.Sorted(maps.Keys(c.cfg.Destinations)) {
		d := c.cfg.Destinations[name]
		if d == nil || d.Type != "webhook" || d.BodyTemplate == "" {
			continue
		}
		at := c.at(d, "body_template", d.At)
		b, err := NewBodyTemplate(d.BodyTemplate, config.IsJSON(cmp.Or(d.ContentType, "application/json")))
		if err == nil {
			_, err = b.Render(bodySample())
		}
		if err != nil {
			c.errorf(at, fmt.Sprintf("destination %q", name), "body_template: %s",
				strings.TrimPrefix(templateProblem(err), "body_template: "))
			continue
		}
		d.Body = b
	}
}
