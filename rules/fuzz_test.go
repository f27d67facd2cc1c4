package rules

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, whatever the YAML, and that a
// config it accepts has a rule set.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		matchConfig, secretsConfig, header + "  - {name: a, match: x}\n",
		"a: &a [*a, *a]\nb: &b [*a, *a]\nc: [*b, *b]\n",
		"rules: [null, 1, [], {}]\ndestinations: {a: null, b: 1}\ninputs: [null]\ndefaults: 3\n",
		"rules:\n  - {name: a, match: '(?P<x>.)', group_by: [x], threshold: null, debounce: {wait: null}}\n",
		"<<: {a: 1}\n", "--- \n...\n", "!!binary AAAA", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("include")) || bytes.Contains(data, []byte("_file")) {
			t.Skip("reads other files; their loading is tested apart")
		}
		opts := testOptions()
		cfg, err := Parse(data, "fuzz.yaml", opts)
		if err == nil && cfg.Set == nil {
			t.Errorf("Parse accepted the config but built no rule set")
		}
	})
}
