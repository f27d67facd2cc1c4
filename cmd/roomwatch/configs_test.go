package main

import (
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
)

// TestConfigsAreValid loads every example in configs/ as `check` would,
// and checks that printing a loaded config never shows a secret.
func TestConfigsAreValid(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configs found: %v", err)
	}
	const token = "tok-5ecret-value"
	lookup := func(k string) (string, bool) {
		if strings.HasSuffix(k, "_URL") {
			return "https://chat.example.com/hooks/" + token, true
		}
		return token, true
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := rules.Load(f, rules.Options{LookupEnv: lookup})
			if err != nil {
				t.Fatalf("example config does not load:\n%v", err)
			}
			if len(cfg.Set.Rules()) == 0 {
				t.Errorf("no rules")
			}
			out, err := yaml.Marshal(cfg.Config)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), token) {
				t.Errorf("marshalled config shows the secret:\n%s", out)
			}
		})
	}
}

// TestExampleOverSample runs the README's example through `test` and
// checks what the room would hear about the sshd sample.
func TestExampleOverSample(t *testing.T) {
	cfg, err := rules.Load("../../configs/example.yaml", rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pipeline.Test(cfg, []string{"../../testdata/loghub/OpenSSH_2k.log"}, nil, pipeline.TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, r := range rep.Rules {
		counts[r.Name] = r.Matches
	}
	// Figures from grep over the sample: 413 "Bye Bye" disconnects,
	// 112 invalid users, 370 root password failures (none from 10.x),
	// 85 reverse-mapping warnings.
	want := map[string]int64{"drop-bye-bye": 413, "ssh-invalid-user": 112, "ssh-root-password": 370, "break-in-attempt": 85}
	for name, n := range want {
		if counts[name] != n {
			t.Errorf("rule %s: %d matches, want %d", name, counts[name], n)
		}
	}
	if rep.Lines != 2000 { // 1,999 newlines and a last line without one
		t.Errorf("lines = %d, want 2000", rep.Lines)
	}
	var sum int
	for _, m := range rep.Messages {
		if m.Rule == "ssh-root-password" {
			sum += m.Count
		}
	}
	if sum != 370 {
		t.Errorf("root-password digests count %d lines, want 370 (one digest per source address)", sum)
	}
}
