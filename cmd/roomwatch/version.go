package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

func buildInfo() (ver, rev, goVersion string) {
	ver, rev = version, commit
	if info, ok := debug.ReadBuildInfo(); ok {
		if ver == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			ver = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && rev == "" {
				rev = s.Value
			}
		}
	}
	if rev == "" {
		rev = "unknown"
	}
	return ver, rev, runtime.Version()
}

func cmdVersion(args []string, e *env) int {
	fs := newFlags("version", "", e)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	ver, rev, gov := buildInfo()
	fmt.Fprintf(e.stdout, "roomwatch %s (commit %s, %s %s/%s)\n", ver, rev, gov, runtime.GOOS, runtime.GOARCH)
	return exitOK
}
