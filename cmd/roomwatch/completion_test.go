package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

// completionScript writes `roomwatch completion SHELL` to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv, lookup: os.LookupEnv}
	if code := run([]string{"completion", shell}, e); code != exitOK {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errb.String())
	}
	p := filepath.Join(t.TempDir(), "roomwatch."+shell)
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelpParsedFromCommands(t *testing.T) {
	hs := allHelp()
	byName := map[string]commandHelp{}
	for _, h := range hs {
		byName[h.name] = h
	}
	for _, c := range commands() {
		if _, ok := byName[c.name]; !ok {
			t.Errorf("command %s has no help", c.name)
		}
	}
	pipe := byName["pipe"]
	if !strings.HasPrefix(pipe.synopsis, "roomwatch pipe ") {
		t.Errorf("pipe synopsis = %q", pipe.synopsis)
	}
	var names []string
	for _, f := range pipe.flags {
		names = append(names, f.dashes())
	}
	for _, want := range []string{"-c", "--room", "--color", "--match", "--url"} {
		if !slices.Contains(names, want) {
			t.Errorf("pipe flags %v lack %s", names, want)
		}
	}
	if l := byName["outbox list"]; len(l.flags) == 0 {
		t.Errorf("outbox list has no flags: %+v", l)
	}
}

func TestBashCompletion(t *testing.T) {
	bash := realtest.LookPath(t, "bash", "Debian package bash")
	script := completionScript(t, "bash")
	tests := []struct {
		line string // the words typed, the last one being completed
		want []string
		not  []string
	}{
		{"roomwatch pi", []string{"pipe"}, []string{"run"}},
		{"roomwatch ", []string{"run", "pipe", "exec", "send", "check", "test", "completion", "help"}, nil},
		{"roomwatch pipe --co", []string{"--color"}, []string{"--room"}},
		{"roomwatch send --color r", []string{"red", "random"}, []string{"green"}},
		{"roomwatch completion z", []string{"zsh"}, nil},
		{"roomwatch outbox l", []string{"list"}, nil},
		{"roomwatch help ch", []string{"check"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			words := strings.Split(tt.line, " ")
			prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _roomwatch; printf '%s\n' "${COMPREPLY[@]}"`
			out, err := exec.Command(bash, append([]string{"-c", prog, "bash", script}, words...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			got := strings.Fields(string(out))
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("completions %v lack %q", got, w)
				}
			}
			for _, w := range tt.not {
				if slices.Contains(got, w) {
					t.Errorf("completions %v hold %q", got, w)
				}
			}
		})
	}
}

func TestFishCompletion(t *testing.T) {
	fish := realtest.LookPath(t, "fish", "Debian package fish")
	script := completionScript(t, "fish")
	complete := func(line string) string {
		t.Helper()
		out, err := exec.Command(fish, "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script, line).CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v: %s", err, out)
		}
		return string(out)
	}
	if got := complete("roomwatch pi"); !strings.Contains(got, "pipe\t") {
		t.Errorf("roomwatch pi → %q, want pipe", got)
	}
	if got := complete("roomwatch send --color "); !strings.Contains(got, "purple") || strings.Contains(got, "pipe") {
		t.Errorf("send --color → %q, want the colours", got)
	}
	if got := complete("roomwatch pipe --ro"); !strings.Contains(got, "--room") {
		t.Errorf("pipe --ro → %q, want --room", got)
	}
}

func TestZshCompletion(t *testing.T) {
	zsh := realtest.LookPath(t, "zsh", "Debian package zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v: %s", err, out)
	}
	// Sourced after compinit, the script registers itself for roomwatch.
	prog := `autoload -U compinit; compinit -u -d "$2/zcompdump"; source "$1"; print -r -- $_comps[roomwatch]`
	out, err := exec.Command(zsh, "-f", "-c", prog, "zsh", script, t.TempDir()).CombinedOutput()
	if err != nil {
		t.Fatalf("zsh: %v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "_roomwatch" {
		t.Errorf("zsh completion for roomwatch = %q, want _roomwatch", got)
	}
}

func TestCompletionRefusesUnknownShell(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: os.Getenv, lookup: os.LookupEnv}
	if code := run([]string{"completion", "tcsh"}, e); code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errb.String(), `unknown shell "tcsh"`) {
		t.Errorf("stderr %q", errb.String())
	}
}

func TestManPage(t *testing.T) {
	var b strings.Builder
	manPage(&b, allHelp(), "1.2.3", "2026-11-30")
	page := b.String()
	for _, want := range []string{
		`.TH ROOMWATCH 1 "2026-11-30" "roomwatch 1.2.3"`,
		`.SS "roomwatch pipe [\-c FILE]`,
		`.BI "\-\-room " string`,
		`/etc/roomwatch/roomwatch.yaml`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	for i, line := range strings.Split(page, "\n") {
		if strings.HasPrefix(line, "'") || (strings.HasPrefix(line, ".") && !manRequest(line)) {
			t.Errorf("line %d starts like a roff request but is text: %q", i+1, line)
		}
	}
	man, err := exec.LookPath("man")
	if err != nil {
		realtest.Missing(t, "man", "Debian package man-db")
	}
	p := filepath.Join(t.TempDir(), "roomwatch.1")
	if err := os.WriteFile(p, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(man, "-l", p)
	cmd.Env = append(os.Environ(), "MANPAGER=cat", "PAGER=cat", "MANWIDTH=100")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("man -l: %v: %s", err, out)
	}
	text := string(out)
	for _, want := range []string{"roomwatch - watch logs and tell the chat room", "roomwatch pipe [-c FILE]", "--match regex"} {
		if !strings.Contains(text, want) {
			t.Errorf("man -l output lacks %q:\n%s", want, text)
		}
	}
}

// manRequest reports whether a line is one of the requests manPage writes.
func manRequest(line string) bool {
	for _, r := range []string{".TH ", ".SH ", ".SS ", ".TP", ".B ", ".BI ", ".BR ", ".I ", ".RI ", ".PP"} {
		if strings.HasPrefix(line, r) {
			return true
		}
	}
	return false
}
