package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roomwatch/roomwatch/rules"
)

// check rejects rule flags that cannot take effect: a colour that does
// not exist, and, with -c, the flags that only make the one-rule config
// (the config's rules, formats and destinations are compiled as written,
// so --format or --match there would be silently ignored).
func (f *ruleFlags) check() error {
	if f.color != "" && !slices.Contains(rules.Colors, f.color) {
		return fmt.Errorf("--color %q: want one of %s", f.color, strings.Join(rules.Colors, ", "))
	}
	if f.config == "" {
		return nil
	}
	for _, fl := range []struct {
		name string
		set  bool
	}{
		{"--match", len(f.matches) > 0},
		{"--format", f.format != ""},
		{"--from", f.from != ""},
		{"--url", f.url != ""},
		{"--token-file", f.tokFile != ""},
	} {
		if fl.set {
			return fmt.Errorf("%s: only without -c (with -c, --room, --color and --notify adjust the config's rules)", fl.name)
		}
	}
	return nil
}
