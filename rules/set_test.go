package rules

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/tailer"
)

const matchConfig = `destinations:
  o: {type: console}
rules:
  - name: drop-health
    match: 'GET /healthz'
    action: drop
  - name: ssh
    match: 'Failed password for (?:invalid user )?(?P<user>\S+) from (?P<ip>[0-9.]+)(?: port (?P<port>\d+))?'
    unless: 'from 10\.'
    group_by: [ip, port]
  - name: any-error
    match: 'error'
    continue: true
  - name: error-code
    match: 'error (?P<code>\d+)'
  - name: never
    match: 'error'
`

// matched is what a test checks of a Match.
type matched struct {
	Rule     string
	Captures map[string]string
	Group    []string
	Text     string
}

// TestRuleCaptures: captures not taken while matching are computed on
// demand, the same as they would have been.
func TestRuleCaptures(t *testing.T) {
	cfg := mustParse(t, `
destinations: {c: {type: console}}
rules:
  - {name: code, match: 'error (?P<code>\d+)(?: in (?P<where>\S+))?'}
`)
	r := cfg.Set.Rules()[0]
	ms := cfg.Set.Match(tailer.Line{Text: "disk error 28"}, nil)
	if len(ms) != 1 || ms[0].Captures != nil {
		t.Fatalf("match = %+v, want one without captures", ms)
	}
	want := map[string]string{"code": "28", "where": ""}
	if diff := cmp.Diff(want, r.Captures("disk error 28")); diff != "" {
		t.Errorf("captures mismatch (-want +got):\n%s", diff)
	}
	if got := r.Captures("all fine"); got != nil {
		t.Errorf("captures of a line that does not match = %v, want nil", got)
	}
}

func TestSetMatch(t *testing.T) {
	set := mustParse(t, matchConfig).Set
	tests := []struct {
		name string
		line string
		want []matched
	}{
		{name: "no rule matches", line: "all quiet"},
		{name: "drop suppresses later rules", line: "GET /healthz error 500"},
		{
			// The template is the plain line: the group values come from
			// the match positions and no capture map is made.
			name: "group values; an optional group that did not take part is empty",
			line: "Failed password for invalid user admin from 1.2.3.4",
			want: []matched{{
				Rule:  "ssh",
				Group: []string{"1.2.3.4", ""},
				Text:  "Failed password for invalid user admin from 1.2.3.4",
			}},
		},
		{
			name: "optional group that took part",
			line: "Failed password for root from 1.2.3.4 port 22",
			want: []matched{{
				Rule:  "ssh",
				Group: []string{"1.2.3.4", "22"},
				Text:  "Failed password for root from 1.2.3.4 port 22",
			}},
		},
		{name: "unless vetoes", line: "Failed password for root from 10.0.0.1"},
		{
			name: "vetoed rule lets later rules match",
			line: "Failed password for root from 10.0.0.1 error 3",
			want: []matched{
				{Rule: "any-error", Text: "Failed password for root from 10.0.0.1 error 3"},
				// Plain-line template, no group_by: captures are not taken.
				{Rule: "error-code", Text: "Failed password for root from 10.0.0.1 error 3"},
			},
		},
		{
			name: "continue then first match wins",
			line: "disk error 28",
			want: []matched{
				{Rule: "any-error", Text: "disk error 28"},
				{Rule: "error-code", Text: "disk error 28"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []matched
			for _, m := range set.Match(tailer.Line{Text: tt.line, File: "/var/log/x"}, nil) {
				got = append(got, matched{Rule: m.Rule.Name, Captures: m.Captures, Group: m.Group, Text: m.Text})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("matches mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderLine(t *testing.T) {
	config := `destinations:
  o: {type: console}
rules:
  - name: html
    match: 'user (?P<user>.+) failed'
    format: html
    template: '<b>{{.user}}</b> on {{.host}} ({{.rule}}, {{upper .user}}): {{.line}}'
  - name: text
    match: 'text (?P<user>.+)'
    template: '<b>{{.user}}</b> {{.file}} {{.time.Format "15:04"}}'
  - name: plain
    match: 'plain'
  - name: plain-html
    match: 'bare'
    format: html
`
	set := mustParse(t, config).Set
	at := time.Date(2026, 1, 2, 12, 34, 0, 0, time.UTC)
	tests := []struct{ line, want string }{
		{
			line: "user <b>x</b>&co failed",
			want: "<b>&lt;b&gt;x&lt;/b&gt;&amp;co</b> on web-01 (html, &LT;B&GT;X&LT;/B&GT;&AMP;CO): user &lt;b&gt;x&lt;/b&gt;&amp;co failed",
		},
		{line: "text <i>&", want: "<b><i>&</b> /var/log/app.log 12:34"},
		{line: "plain <i>", want: "plain <i>"},
		{line: "bare <i>&amp;", want: "bare &lt;i&gt;&amp;amp;"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			ms := set.Match(tailer.Line{Text: tt.line, File: "/var/log/app.log", Time: at}, nil)
			if len(ms) != 1 {
				t.Fatalf("got %d matches, want 1", len(ms))
			}
			if diff := cmp.Diff(tt.want, ms[0].Text); diff != "" {
				t.Errorf("rendered line mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRenderLinePlain checks that a rule with the default template, which
// renders without running it, renders what the template would.
func TestRenderLinePlain(t *testing.T) {
	set := mustParse(t, `destinations:
  o: {type: console}
rules:
  - {name: text, match: 'x', format: text}
  - {name: html, match: 'x', format: html}
  - {name: written, match: 'x', format: html, template: '{{.line}}'}
`).Set
	for _, r := range set.Rules() {
		if !r.plain {
			t.Fatalf("rule %s does not render plainly", r.Name)
		}
		for _, text := range []string{"", "a <b> & 'c' \"x\"", "\u00e9 \ufffd", "{{.line}} %s"} {
			line := tailer.Line{Text: text, File: "f<"}
			var want bytes.Buffer
			if err := r.template.Execute(&want, map[string]any{"line": r.escape(text)}); err != nil {
				t.Fatal(err)
			}
			if got := r.RenderLine(line, nil); got != want.String() {
				t.Errorf("rule %s, line %q: got %q, the template gives %q", r.Name, text, got, want.String())
			}
		}
	}
}

func TestEscapeOption(t *testing.T) {
	var asked []string
	opts := testOptions()
	opts.Escape = func(destType, format string) func(string) string {
		asked = append(asked, destType+"/"+format)
		return strings.ToUpper
	}
	cfg, err := Parse([]byte("destinations:\n  o: {type: slack, webhook_url_env: SLACK_URL}\nrules:\n  - {name: a, match: '(?P<w>\\w+)', template: 'w={{.w}}'}\n"), "r.yaml", opts)
	if err != nil {
		t.Fatal(err)
	}
	ms := cfg.Set.Match(tailer.Line{Text: "hello"}, nil)
	if len(ms) != 1 || ms[0].Text != "w=HELLO" {
		t.Errorf("matches = %+v, want one rendered w=HELLO", ms)
	}
	if diff := cmp.Diff([]string{"slack/text"}, asked); diff != "" {
		t.Errorf("Escape calls mismatch (-want +got):\n%s", diff)
	}
}

func TestRenderDigestDefault(t *testing.T) {
	config := `destinations:
  o: {type: console}
rules:
  - {name: nginx-critical, match: crit}
  - {name: html, match: html, format: html}
  - {name: custom, match: custom, group_by: [ip], match: '(?P<ip>\S+) custom', digest_template: '{{.count}} from {{.group.ip}} in {{.room}}'}
`
	cfg, err := Parse([]byte(config), "roomwatch.yaml", testOptions())
	if err == nil {
		t.Fatal("duplicate key match was accepted")
	}
	cfg = mustParse(t, strings.Replace(config, "match: custom, ", "", 1))
	rules := cfg.Set.Rules()
	first := time.Date(2026, 1, 2, 12, 0, 1, 0, time.UTC)
	many := DigestData{
		Count: 37, First: first, Last: first.Add(8 * time.Second),
		Lines: []DigestLine{{Text: "[crit] a &lt;b&gt;", Count: 9}, {Text: "[crit] b", Count: 1}}, More: 27,
	}
	tests := []struct {
		name string
		rule *Rule
		data DigestData
		want string
	}{
		{"one line is the line alone", rules[0], DigestData{Count: 1, First: first, Last: first, Lines: []DigestLine{{Text: "[crit] a", Count: 1}}}, "[crit] a"},
		{"many lines", rules[0], many, "37 × nginx-critical on web-01 (12:00:01–12:00:09)\n[crit] a &lt;b&gt; (×9)\n[crit] b\n+27 more"},
		{"html", rules[1], many, "<b>37 × html on web-01 (12:00:01–12:00:09)</b><br>[crit] a &lt;b&gt; (×9)<br>[crit] b<br>+27 more"},
		{"no more", rules[0], DigestData{Count: 2, First: first, Last: first, Lines: []DigestLine{{Text: "x", Count: 2}}, Host: "db-02"},
			"2 × nginx-critical on db-02 (12:00:01)\nx (×2)"},
		{"group and folded keys in the header", rules[0], DigestData{Count: 3, First: first, Last: first, Group: map[string]string{"ip": "other"}, Folded: 1200, Lines: []DigestLine{{Text: "x", Count: 3}}},
			"3 × nginx-critical ip=other on web-01 (12:00:01) (about 1200 keys folded)\nx (×3)"},
		{"custom with group", rules[2], DigestData{Count: 4, Room: "Ops", Group: map[string]string{"ip": "1.2.3.4"}}, "4 from 1.2.3.4 in Ops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rule.RenderDigest(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("digest mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGroupValuesAgreeWithCaptures: group values taken from the match
// positions are what the capture map says, also when a name is used by
// more than one group (the last one that took part wins), with or
// without a template that makes the map.
func TestGroupValuesAgreeWithCaptures(t *testing.T) {
	cfg := mustParse(t, `
destinations: {c: {type: console}}
rules:
  - name: plain
    match: '(?P<who>root) logged in|user (?P<who>\S+) from (?P<ip>\S+)|(?P<ip>\d+\.\d+) said'
    group_by: [who, ip]
    continue: true
  - name: templated
    match: '(?P<who>root) logged in|user (?P<who>\S+) from (?P<ip>\S+)|(?P<ip>\d+\.\d+) said'
    group_by: [who, ip]
    template: '{{.who}}@{{.ip}}'
`)
	for _, line := range []string{"root logged in", "user bob from 1.2.3.4", "1.2 said", "root logged in as user amy from 5.6.7.8"} {
		ms := cfg.Set.Match(tailer.Line{Text: line}, nil)
		if len(ms) != 2 {
			t.Fatalf("%q: %d matches, want 2", line, len(ms))
		}
		caps := ms[0].Rule.Captures(line)
		want := []string{caps["who"], caps["ip"]}
		for _, m := range ms {
			if diff := cmp.Diff(want, m.Group); diff != "" {
				t.Errorf("%q, rule %s: group mismatch (-want +got):\n%s", line, m.Rule.Name, diff)
			}
		}
		if ms[0].Captures != nil {
			t.Errorf("%q: the plain rule made a capture map", line)
		}
		if diff := cmp.Diff(caps, ms[1].Captures); diff != "" {
			t.Errorf("%q: templated captures mismatch (-want +got):\n%s", line, diff)
		}
	}
}

// TestDefaultDigestAsTemplate: the default digests rendered in Go are
// what their templates render, for both formats and every part of the
// header and body present or not.
func TestDefaultDigestAsTemplate(t *testing.T) {
	cfg := mustParse(t, `destinations:
  o: {type: console}
  s: {type: slack, webhook_url: 'https://hooks.slack.com/services/T/B/x'}
rules:
  - {name: text, match: 'x(?P<ip>\S+)', destination: o, group_by: [ip]}
  - {name: 'h<t>&ml', match: 'x(?P<ip>\S+)', format: html, destination: o, group_by: [ip]}
  - {name: slack, match: 'x(?P<ip>\S+)', destination: s, group_by: [ip]}
`)
	first := time.Date(2026, 1, 2, 12, 0, 1, 0, time.UTC)
	var datas []DigestData
	for _, count := range []int{1, 2, 40} {
		for _, lines := range [][]DigestLine{nil, {{Text: "a <b> & @here", Count: 1}}, {{Text: "one\n", Count: 3}, {Text: "two", Count: 1}, {Text: "", Count: 2}}} {
			for _, group := range []map[string]string{nil, {"ip": "10.0.0.1"}, {"z": "<@U123>", "a": "a&b\n", "m": ""}} {
				for i, last := range []time.Time{first, first.Add(90 * time.Second)} {
					datas = append(datas, DigestData{
						Count: count, First: first, Last: last, Lines: lines, Group: group,
						More: i * 7, Folded: (count / 40) * 1200, Host: []string{"", "db<1>"}[i], Rule: []string{"", "other"}[count%2],
					})
				}
			}
		}
	}
	for _, r := range cfg.Set.Rules() {
		if r.digestDefault == "" {
			t.Fatalf("rule %s: not rendered as the default digest", r.Name)
		}
		for _, d := range datas {
			got, err := r.RenderDigest(d)
			if err != nil {
				t.Fatal(err)
			}
			format := r.digestDefault
			r.digestDefault = ""
			want, err := r.RenderDigest(d)
			r.digestDefault = format
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("rule %s, %+v:\n got %q\nwant %q", r.Name, d, got, want)
			}
		}
	}
}
