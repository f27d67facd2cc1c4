package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/tailer"
)

// TestRunawayTemplatesFailCheck checks that a template that would run for
// hours or take all memory is an error at check, at once.
func TestRunawayTemplatesFailCheck(t *testing.T) {
	tests := []struct{ name, tmpl, want string }{
		{"range with output", `{{range 100000000000}}x{{end}}`, "exceeded its budget"},
		{"range without output", `{{range 100000000000}}{{end}}`, "exceeded its budget"},
		{"nested ranges", `{{range 100000}}{{range 100000}}{{range 100000}}{{end}}{{end}}{{end}}`, "exceeded its budget"},
		{"recursion fan-out", `{{define "a"}}{{template "b"}}{{template "b"}}{{end}}{{define "b"}}{{template "c"}}{{template "c"}}{{end}}` +
			`{{define "c"}}{{range 1000000}}{{end}}{{end}}{{template "a"}}`, "exceeded its budget"},
		{"string doubling", `{{$x := "ab"}}{{range 64}}{{$x = printf "%s%s" $x $x}}{{end}}{{$x}}`, "exceeded its budget"},
		{"print doubling", `{{$x := "ab"}}{{range 64}}{{$x = print $x $x}}{{end}}{{len $x}}`, "exceeded its budget"},
		{"huge width", `{{printf "%999999999d" 1}}`, "above 9999"},
		{"star width", `{{printf "%*d" 999999999 1}}`, "'*' widths"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			for _, key := range []string{"template", "digest_template"} {
				_, err := Parse([]byte(fmt.Sprintf(`destinations: {o: {type: console}}
rules:
  - name: r
    match: x
    %s: '%s'
`, key, tt.tmpl)), "c.yaml", testOptions())
				if err == nil || !strings.Contains(err.Error(), "c.yaml:5:") || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: Parse = %v, want an error at c.yaml:5 saying %q", key, err, tt.want)
				}
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("check took %s", d)
			}
		})
	}
}

// TestTemplateBudgetAtRender checks that a template that passes check but
// runs away on real data renders "(template exceeded its budget)" and
// the line or digest, never hangs, and never loses the alert.
func TestTemplateBudgetAtRender(t *testing.T) {
	set := mustParse(t, `destinations: {o: {type: console}}
rules:
  - name: r
    match: 'n=(?P<n>\d+)'
    template: '{{range (len .line)}}{{range (len $.line)}}{{range (len $.line)}}{{end}}{{end}}{{end}}ok {{.line}}'
    digest_template: '{{range .count}}{{range $.count}}{{end}}{{end}}{{.count}} lines'
`).Set
	r := set.Rules()[0]
	if got := r.RenderLine(tailer.Line{Text: "n=1"}, map[string]string{"n": "1"}); got != "ok n=1" {
		t.Errorf("a short line renders %q", got)
	}
	long := "n=1 " + strings.Repeat("y", 5000)
	start := time.Now()
	got := r.RenderLine(tailer.Line{Text: long}, map[string]string{"n": "1"})
	if !strings.HasPrefix(got, BudgetExceeded+" n=1 yyy") {
		t.Errorf("a line that runs the template away renders %.60q, want %q and the line", got, BudgetExceeded)
	}
	msg, err := r.RenderDigest(DigestData{Count: 1_000_000, Rule: "r", Lines: []DigestLine{{Text: "n=1", Count: 1_000_000}}})
	if err != nil || !strings.HasPrefix(msg, BudgetExceeded+"\n") || !strings.Contains(msg, "n=1") {
		t.Errorf("RenderDigest = %q, %v, want %q and the plain digest", msg, err, BudgetExceeded)
	}
	if d := time.Since(start); d > 3*TemplateTime {
		t.Errorf("two renderings over budget took %s, want about %s each", d, TemplateTime)
	}
}

// TestTemplatesCheckTimeIsBounded checks that many slow templates cannot
// add up past TemplatesCheckTime: a reload always ends.
func TestTemplatesCheckTimeIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("takes TemplatesCheckTime")
	}
	var b strings.Builder
	b.WriteString("destinations: {o: {type: console}}\nrules:\n")
	n := int(2*TemplatesCheckTime/TemplateTime) + 1
	for i := range n {
		fmt.Fprintf(&b, "  - {name: r%d, match: x, template: '{{range 100000000000}}{{end}}'}\n", i)
	}
	start := time.Now()
	_, err := Parse([]byte(b.String()), "c.yaml", testOptions())
	if d := time.Since(start); d > TemplatesCheckTime+2*time.Second {
		t.Errorf("checking %d runaway templates took %s, want at most about %s", n, d, TemplatesCheckTime)
	}
	if err == nil || !strings.Contains(err.Error(), "not checked") {
		t.Errorf("Parse = %.200v, want the templates past the budget reported as not checked", err)
	}
}

// TestRunawayBodyTemplateFailsCheck checks that a webhook's body_template
// has the same budget as the rules' templates.
func TestRunawayBodyTemplateFailsCheck(t *testing.T) {
	start := time.Now()
	_, err := Parse([]byte(`destinations:
  w:
    type: webhook
    url: http://127.0.0.1:9/hook
    body_template: '{"text": {{json .message}}{{range 100000}}{{range 100000}}{{range 100000}}{{end}}{{end}}{{end}}}'
rules: [{name: r, match: x, destination: w}]
`), "c.yaml", testOptions())
	if err == nil || !strings.Contains(err.Error(), "c.yaml:5:") || !strings.Contains(err.Error(), "exceeded its budget") {
		t.Errorf("Parse = %v, want the body_template over its budget at c.yaml:5", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("check took %s", d)
	}
}
