package rules

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/tailer"
)

// DefaultTemplate renders one matched line as the line itself.
const DefaultTemplate = `{{.line}}`

// defaultDigestText is the digest_template for format text: a single line
// alone; else a header, the lines (with their repeat counts) and a count of
// the lines not shown.
const defaultDigestText = `{{if and (eq .count 1) .lines}}{{(index .lines 0).text}}{{else}}` +
	`{{.count}} × {{.rule}}{{range $k, $v := .group}}{{if $v}} {{$k}}={{$v}}{{end}}{{end}} on {{.host}} ({{span .first .last}})` +
	`{{if gt .folded 0}} (about {{.folded}} keys folded){{end}}` +
	`{{range .lines}}` + "\n" + `{{.text}}{{if gt .count 1}} (×{{.count}}){{end}}{{end}}` +
	`{{if gt .more 0}}` + "\n" + `+{{.more}} more{{end}}{{end}}`

// defaultDigestHTML is defaultDigestText for format html: the header in
// <b>, lines apart by <br>. Lines arrive escaped; names from the config
// are escaped here.
const defaultDigestHTML = `{{if and (eq .count 1) .lines}}{{(index .lines 0).text}}{{else}}` +
	`<b>{{.count}} × {{html .rule}}{{range $k, $v := .group}}{{if $v}} {{html $k}}={{$v}}{{end}}{{end}} on {{html .host}} ({{span .first .last}})` +
	`{{if gt .folded 0}} (about {{.folded}} keys folded){{end}}</b>` +
	`{{range .lines}}<br>{{.text}}{{if gt .count 1}} (×{{.count}}){{end}}{{end}}` +
	`{{if gt .more 0}}<br>+{{.more}} more{{end}}{{end}}`

// funcs are the functions templates may call besides text/template's
// built-ins (html, index, len, printf, ...):
//
//	upper  strings.ToUpper
//	lower  strings.ToLower
//	trim   strings.TrimSpace
//	span   two times as "15:04:05–15:09:00", or one when they fall in the same second
//	plural a count and a noun that agree: {{plural .count "failure"}} is
//	       "1 failure" or "3 failures"; an irregular plural is a third
//	       argument: {{plural .count "entry" "entries"}}
//
// Values from the log reach a template already escaped, so these work on
// the escaped text (in html, upper turns &lt; into &LT;, which HTML still
// reads as <).
var funcs = template.FuncMap{
	"upper":  strings.ToUpper,
	"lower":  strings.ToLower,
	"trim":   strings.TrimSpace,
	"span":   span,
	"plural": plural,
}

// plural formats n with the noun in the form that agrees with it. n may
// be any integer (a capture is text: "3" works too).
func plural(n any, noun string, plurals ...string) (string, error) {
	var c int64
	switch v := n.(type) {
	case int:
		c = int64(v)
	case int64:
		c = v
	case int32:
		c = int64(v)
	case uint64:
		c = int64(v)
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return "", fmt.Errorf("plural: %q is not a number", v)
		}
		c = i
	default:
		return "", fmt.Errorf("plural: want a number, got %T", n)
	}
	if c == 1 || c == -1 {
		return strconv.FormatInt(c, 10) + " " + noun, nil
	}
	if len(plurals) > 0 {
		return strconv.FormatInt(c, 10) + " " + plurals[0], nil
	}
	return strconv.FormatInt(c, 10) + " " + pluralOf(noun), nil
}

// pluralOf returns the regular English plural of a noun: failures,
// matches, entries.
func pluralOf(noun string) string {
	switch {
	case noun == "":
		return noun
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "z"),
		strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}

// span formats the time span of a digest.
func span(first, last time.Time) string {
	const clock = "15:04:05"
	if first.Truncate(time.Second).Equal(last.Truncate(time.Second)) {
		return first.Format(clock)
	}
	return first.Format(clock) + "–" + last.Format(clock)
}

// newTemplate parses a template; a key missing from its data is an error,
// so a misspelt field is caught when the config is checked.
func newTemplate(name, text string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).Funcs(budgetFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	instrument(t)
	return t, nil
}

// defaults holds the parsed default templates, by name and text: every
// rule without templates of its own shares them (a template is safe for
// concurrent use), instead of parsing them again, rule after rule.
var defaults sync.Map // [2]string{name, text} -> *template.Template

func defaultTemplate(name, text string) *template.Template {
	k := [2]string{name, text}
	if t, ok := defaults.Load(k); ok {
		return t.(*template.Template)
	}
	t, _ := defaults.LoadOrStore(k, template.Must(newTemplate(name, text)))
	return t.(*template.Template)
}

var templatePrefix = regexp.MustCompile(`^template: [^:]*:`)

// templateProblem shortens a text/template error to `line:col: problem`.
func templateProblem(err error) string {
	msg := templatePrefix.ReplaceAllString(err.Error(), "")
	if i := strings.Index(msg, "executing \""); i >= 0 {
		if j := strings.Index(msg[i+len(`executing "`):], `" `); j >= 0 {
			msg = msg[:i] + msg[i+len(`executing "`)+j+2:]
		}
	}
	return msg
}

// templates compiles the rule's line and digest templates. Those of drop
// rules are never rendered and are not checked against the rule's data.
func (c *compiler) templates(r *Rule, s *config.RuleSpec, label string) {
	d := &c.cfg.Defaults
	check := r.Action == ActionNotify
	digestDefault := defaultDigestText
	if r.Format == "html" {
		digestDefault = defaultDigestHTML
	}
	text := cmp.Or(s.Template, d.Template, DefaultTemplate)
	r.template = c.template(s, label, "template", text, DefaultTemplate, check, lineSample(r))
	r.plain = text == DefaultTemplate
	r.caps = r.match == nil || (r.Action == ActionNotify && hasNamed(r.names) && (len(r.GroupBy) > 0 || text != DefaultTemplate))
	r.digest = c.template(s, label, "digest_template", cmp.Or(s.DigestTemplate, d.DigestTemplate), digestDefault,
		check, digestSamples(r)...)
	if cmp.Or(s.DigestTemplate, d.DigestTemplate) == "" {
		r.digestDefault = cmp.Or(r.Format, "text")
	}
}

// template parses text (or def when text is empty) and runs it on every
// sample; problems are reported at the key that gave the text.
func (c *compiler) template(s *config.RuleSpec, label, key, text, def string, check bool, samples ...map[string]any) *template.Template {
	fallback := defaultTemplate(key, def)
	if text == "" {
		return fallback
	}
	o, ol := c.origin(s, c.cfg.Written(s, key) || specTemplate(s, key) != "", label)
	at := c.at(o, key, o.At)
	t, err := newTemplate(key, text)
	if err != nil {
		c.errorf(at, ol, "%s: %s", key, templateProblem(err))
		return fallback
	}
	for _, data := range samples {
		if !check {
			break
		}
		if err := c.execute(t, data); err != nil {
			c.errorf(at, label, "%s: %s", key, templateProblem(err))
			return fallback
		}
	}
	return t
}

func specTemplate(s *config.RuleSpec, key string) string {
	if key == "template" {
		return s.Template
	}
	return s.DigestTemplate
}

// lineSample is data shaped like what RenderLine passes a template.
func lineSample(r *Rule) map[string]any {
	data := map[string]any{}
	for _, n := range r.names {
		if n != "" {
			data[n] = "x"
		}
	}
	data["line"], data["rule"], data["file"], data["host"] = "x", r.Name, "x", r.host
	data["time"] = time.Unix(0, 0)
	journalData(data, &tailer.JournalFields{Unit: "x", Identifier: "x", Priority: "info", PID: "1"}, func(s string) string { return s })
	return data
}

// digestSamples are data shaped like what RenderDigest passes a template:
// one for a single line and one for many, to take both usual branches.
func digestSamples(r *Rule) []map[string]any {
	group := map[string]string{}
	for _, g := range r.GroupBy {
		group[g] = "x"
	}
	sample := func(count, more int, lines ...map[string]any) map[string]any {
		return map[string]any{
			"count": count, "first": time.Unix(0, 0), "last": time.Unix(1, 0), "rule": r.Name,
			"room": r.Room, "host": r.host, "group": group, "lines": lines, "more": more, "folded": 0,
		}
	}
	line := func(n int) map[string]any {
		values := []map[string]any{{"values": []map[string]any{{"text": "x", "count": n}}, "others": 0}}
		return map[string]any{"text": "x", "count": n, "values": values}
	}
	return []map[string]any{sample(1, 0, line(1)), sample(5, 2, line(2), line(1))}
}

// defaultDigest renders d exactly as the default digest_template of the
// rule's format does (TestDefaultDigestAsTemplate holds them equal),
// without text/template: at the end of a burst thousands of digests may
// be rendered at once, and the template engine took a dozen microseconds
// for each.
func (r *Rule) defaultDigest(d DigestData) string {
	if d.Count == 1 && len(d.Lines) > 0 {
		return strings.TrimRight(d.Lines[0].Text, "\n")
	}
	html := r.digestDefault == "html"
	name := func(s string) string {
		if html {
			return template.HTMLEscapeString(s)
		}
		return s
	}
	var b strings.Builder
	if html {
		b.WriteString("<b>")
	}
	b.WriteString(strconv.Itoa(d.Count))
	b.WriteString(" × ")
	b.WriteString(name(cmp.Or(d.Rule, r.Name)))
	keys := make([]string, 0, len(d.Group))
	for k := range d.Group {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if d.Group[k] != "" { // an empty capture says nothing: no bare "proc="
			b.WriteString(" " + name(k) + "=" + r.escape(d.Group[k]))
		}
	}
	b.WriteString(" on " + name(cmp.Or(d.Host, r.host)) + " (" + span(d.First, d.Last) + ")")
	if d.Folded > 0 {
		b.WriteString(" (about " + strconv.Itoa(d.Folded) + " keys folded)")
	}
	brk := "\n"
	if html {
		b.WriteString("</b>")
		brk = "<br>"
	}
	for _, l := range d.Lines {
		b.WriteString(brk + l.Text)
		if l.Count > 1 {
			b.WriteString(" (×" + strconv.Itoa(l.Count) + ")")
		}
	}
	if d.More > 0 {
		b.WriteString(brk + "+" + strconv.Itoa(d.More) + " more")
	}
	return strings.TrimRight(b.String(), "\n")
}
