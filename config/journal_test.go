package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseJournalInputs(t *testing.T) {
	yaml := `inputs:
  - journal: {}
  - journal:
  - journal:
      units: [ssh.service, "user@*.service"]
      identifiers: [sudo, kernel]
      priority: 4
      directory: remote
      start: beginning
      format: message
`
	cfg, err := Parse([]byte(yaml), "/etc/roomwatch/roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var got []*Journal
	for _, in := range cfg.Inputs {
		got = append(got, in.Journal)
	}
	want := []*Journal{{}, {}, {Units: []string{"ssh.service", "user@*.service"}, Identifiers: []string{"sudo", "kernel"},
		Priority: "4", Directory: "/etc/roomwatch/remote", Start: "beginning", Format: "message"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal inputs mismatch (-want +got):\n%s", diff)
	}
	if cfg.Inputs[0].MaxLineBytes != DefaultMaxLineBytes {
		t.Errorf("max_line_bytes %d", cfg.Inputs[0].MaxLineBytes)
	}
}

func TestParseJournalErrors(t *testing.T) {
	yaml := `inputs:
  - journal:
      unit: [ssh.service]
  - journal:
      units: ["[", ""]
      priority: loud
      start: middle
      format: json
  - path: /var/log/x
    journal: {}
    exclude: [a]
`
	_, err := Parse([]byte(yaml), "roomwatch.yaml", testOptions())
	want := []string{
		`roomwatch.yaml:3:7: inputs[0]: journal: unknown key "unit"; did you mean "units"?`,
		`roomwatch.yaml:5:14: inputs[1]: journal: units[0]: want a unit name or glob like ssh.service or user@*.service, got "["`,
		`roomwatch.yaml:5:14: inputs[1]: journal: units[1]: want a unit name or glob like ssh.service or user@*.service, got ""`,
		`roomwatch.yaml:6:17: inputs[1]: journal: priority: want one of emerg, alert, crit, err, warning, notice, info, debug or 0..7, got "loud"`,
		`roomwatch.yaml:7:14: inputs[1]: journal: start: want end or beginning, got "middle"`,
		`roomwatch.yaml:8:15: inputs[1]: journal: format: want syslog or message, got "json"`,
		`roomwatch.yaml:9:5: inputs[2]: at most one of path & journal may be configured; path is for path inputs`,
		`roomwatch.yaml:11:5: inputs[2]: at most one of path & journal may be configured; exclude is for path inputs`,
	}
	if diff := cmp.Diff(want, errorLines(t, err)); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}
}
