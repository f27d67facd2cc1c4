package rules

import (
	"testing"

	"github.com/roomwatch/roomwatch/tailer"
)

func TestJournalTemplateFields(t *testing.T) {
	yaml := header + `  - name: a
    match: x
    template: '{{.host}} {{.unit}}/{{.identifier}}[{{.pid}}] {{.priority}}: {{.line}}'
`
	cfg, err := Parse([]byte(yaml), "roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Set.Rules()[0]
	jf := &tailer.JournalFields{Unit: "ssh.service", Identifier: "sshd", Priority: "info", PID: "100", Host: "web1"}
	tests := []struct {
		name string
		line tailer.Line
		want string
	}{
		{"journal", tailer.Line{Text: "x", Journal: jf}, "web1 ssh.service/sshd[100] info: x"},
		{"file", tailer.Line{Text: "x", File: "/var/log/app.log"}, "web-01 /[] : x"},
	}
	for _, tt := range tests {
		if got := r.RenderLine(tt.line, nil); got != tt.want {
			t.Errorf("%s: RenderLine = %q, want %q", tt.name, got, tt.want)
		}
	}
}
