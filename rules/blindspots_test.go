package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/config"
)

func TestBlindSpots(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "there.log"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := `include: [rules.d/*.yaml, extra.yaml]
inputs:
  - path: /nonexistent/dir/auth.log
  - path: "*.log"
  - path: none-*.log
  - path: later.log
  - path: "-"
`
	cfg, err := Parse([]byte(yaml), filepath.Join(dir, "roomwatch.yaml"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "roomwatch.yaml")
	at := func(line, col int) config.Place { return config.Place{File: f, Line: line, Col: col} }
	want := config.Errors{
		{At: at(1, 11), Msg: "include: rules.d/*.yaml matches no file now (looked for " + dir + "/rules.d/*.yaml): no rules are read from it; check the pattern (a relative one starts at the config's folder)"},
		{At: at(1, 27), Msg: "include: extra.yaml matches no file now (looked for " + dir + "/extra.yaml): no rules are read from it; check the pattern (a relative one starts at the config's folder)"},
		{At: at(3, 11), Msg: "inputs[0]: path /nonexistent/dir/auth.log does not exist, nor does its directory /nonexistent/dir: nothing is read from it; " +
			"fix the path, or, on a host that logs only to the systemd journal (no rsyslog), read the journal instead (`- journal: {units: [...]}`)"},
		{At: at(5, 11), Msg: "inputs[2]: path " + dir + "/none-*.log matches no file now: nothing is read until one appears; check the pattern"},
		{At: at(6, 11), Msg: "inputs[3]: path " + dir + "/later.log does not exist yet: nothing is read until it appears; " +
			"if nothing writes it (a host that logs only to the systemd journal has no auth.log, syslog or kern.log), read the journal instead (`- journal: {units: [...]}`)"},
	}
	if diff := cmp.Diff(want, cfg.BlindSpots()); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s", diff)
	}

	cfg, err = Parse([]byte("rules: []\n"), f, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.BlindSpots(); len(got) != 1 || got[0].At != (at(1, 1)) || got[0].Msg[:10] != "no inputs:" {
		t.Errorf("no inputs: %v", got)
	}
}
