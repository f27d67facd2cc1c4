package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/tailer"
)

// FuzzConfigTemplates loads configs whose template and digest_template
// are arbitrary, and renders what loads: nothing may panic, and neither
// the load nor a rendering may pass its budget by much. The seed corpus
// (testdata/fuzz/FuzzConfigTemplates: runaway ranges, recursion, string
// doubling, huge printf widths) runs with every go test.
func FuzzConfigTemplates(f *testing.F) {
	f.Add(`{{.line}}`, `{{.count}} × {{.rule}}`, "ERROR disk full")
	f.Fuzz(func(t *testing.T, tmpl, digest, line string) {
		if !strings.Contains(line, "x") {
			line += " x"
		}
		cfg := "destinations: {o: {type: console}}\nrules:\n  - name: r\n    match: '(?P<w>x)'\n" +
			"    template: " + yamlQuote(tmpl) + "\n    digest_template: " + yamlQuote(digest) + "\n"
		start := time.Now()
		c, err := Parse([]byte(cfg), "fuzz.yaml", testOptions())
		if d := time.Since(start); d > 4*TemplateTime+time.Second {
			t.Errorf("loading took %s", d)
		}
		if err != nil {
			return
		}
		r := c.Set.Rules()[0]
		start = time.Now()
		_ = r.RenderLine(tailer.Line{Text: line}, map[string]string{"w": "x"})
		_, _ = r.RenderDigest(DigestData{Count: 3, Rule: "r", Lines: []DigestLine{{Text: line, Count: 3}}})
		if d := time.Since(start); d > 2*TemplateTime+time.Second {
			t.Errorf("rendering took %s", d)
		}
	})
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0xfeff || r >= 0xd800 && r < 0xe000 || r == 0xfffe || r == 0xffff:
			b.WriteString(`\u` + strings.ToUpper(strconvHex(r)))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func strconvHex(r rune) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 4)
	for i := 3; i >= 0; i-- {
		out[i] = digits[r&15]
		r >>= 4
	}
	return string(out)
}
