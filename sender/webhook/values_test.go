package webhook

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
)

// A receiver reads the lines as the digest shows them: never the first
// line's address under the whole count.
func TestDocumentLinesShowValues(t *testing.T) {
	d := &batch.Digest{Count: 6, Lines: []batch.Line{{Text: "from 1.1.1.1 port 22", Count: 6, Values: []batch.Field{{
		Start: 5, End: 12, DigestField: rules.DigestField{Values: []rules.DigestValue{{Text: "1.1.1.1", Count: 1}, {Text: "203.0.113.5", Count: 5}}},
	}}}}}
	b, err := json.Marshal(DocumentOf(d, "web1"))
	if err != nil {
		t.Fatal(err)
	}
	want := `"lines":[{"text":"from {1.1.1.1, 203.0.113.5 ×5} port 22","count":6,"values":[{"values":[{"text":"1.1.1.1","count":1},{"text":"203.0.113.5","count":5}]}]}]`
	if !strings.Contains(string(b), want) {
		t.Errorf("document %s\nwant it to hold %s", b, want)
	}
	lines := TemplateData(d, "web1")["lines"].([]map[string]any)
	if lines[0]["text"] != "from {1.1.1.1, 203.0.113.5 ×5} port 22" {
		t.Errorf("body_template sees text %q", lines[0]["text"])
	}
}
