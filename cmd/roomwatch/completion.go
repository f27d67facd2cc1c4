package main

import (
	"fmt"
	"io"
	"strings"
)

// cmdCompletion is `roomwatch completion bash|zsh|fish`: a completion
// script for the shell, made from the commands' own --help.
func cmdCompletion(args []string, e *env) int {
	fs := newFlags("completion", "bash|zsh|fish", e)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "roomwatch completion: name one shell: bash, zsh or fish")
		return exitUsage
	}
	gen := map[string]func(io.Writer, []commandHelp){
		"bash": bashCompletion,
		"zsh":  zshCompletion,
		"fish": fishCompletion,
	}[fs.Arg(0)]
	if gen == nil {
		fmt.Fprintf(e.stderr, "roomwatch completion: unknown shell %q; want bash, zsh or fish\n", fs.Arg(0))
		return exitUsage
	}
	gen(e.stdout, allHelp())
	return exitOK
}

// topCommands returns the help of the commands themselves, not their
// subcommands.
func topCommands(hs []commandHelp) []commandHelp {
	var top []commandHelp
	for _, h := range hs {
		if !strings.Contains(h.name, " ") {
			top = append(top, h)
		}
	}
	return top
}

// flagsOf returns the flags of a command and of all its subcommands.
func flagsOf(hs []commandHelp, name string) []helpFlag {
	seen := map[string]bool{}
	var fs []helpFlag
	for _, h := range hs {
		if h.name != name && !strings.HasPrefix(h.name, name+" ") {
			continue
		}
		for _, f := range h.flags {
			if !seen[f.name] {
				seen[f.name] = true
				fs = append(fs, f)
			}
		}
	}
	return fs
}

func bashCompletion(w io.Writer, hs []commandHelp) {
	top := topCommands(hs)
	var names []string
	for _, h := range top {
		names = append(names, h.name)
	}
	fmt.Fprintf(w, "# bash completion for roomwatch; made by `roomwatch completion bash`.\n")
	fmt.Fprintf(w, "_roomwatch() {\n")
	fmt.Fprintf(w, "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} flags=\n")
	fmt.Fprintf(w, "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n")
	fmt.Fprintf(w, "\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n\t\treturn\n\tfi\n", strings.Join(append(names, "help"), " "))
	fmt.Fprintf(w, "\tcase ${COMP_WORDS[1]} in\n")
	for _, h := range top {
		var words []string
		for _, f := range flagsOf(hs, h.name) {
			words = append(words, f.dashes())
		}
		words = append(words, subcommands[h.name]...)
		if h.name == "completion" {
			words = append(words, "bash", "zsh", "fish")
		}
		fmt.Fprintf(w, "\t%s) flags='%s' ;;\n", h.name, strings.Join(words, " "))
	}
	fmt.Fprintf(w, "\thelp) flags='%s' ;;\n", strings.Join(names, " "))
	fmt.Fprintf(w, "\tesac\n\tcase $prev in\n")
	seen := map[string]bool{}
	for _, h := range top {
		for _, f := range flagsOf(hs, h.name) {
			if seen[f.name] {
				continue
			}
			seen[f.name] = true
			switch {
			case takesFile(f):
				fmt.Fprintf(w, "\t%s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", f.dashes())
			case flagValues(f) != nil:
				fmt.Fprintf(w, "\t%s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n", f.dashes(), strings.Join(flagValues(f), " "))
			}
		}
	}
	fmt.Fprintf(w, "\tesac\n")
	fmt.Fprintf(w, "\tif [[ $cur == -* || ${COMP_WORDS[1]} == help || ${COMP_WORDS[1]} == completion ]]; then\n")
	fmt.Fprintf(w, "\t\tCOMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n")
	fmt.Fprintf(w, "\telse\n\t\tCOMPREPLY=($(compgen -W \"$flags\" -f -- \"$cur\"))\n\tfi\n}\n")
	fmt.Fprintf(w, "complete -o filenames -F _roomwatch roomwatch\n")
}

func zshCompletion(w io.Writer, hs []commandHelp) {
	top := topCommands(hs)
	fmt.Fprintf(w, "#compdef roomwatch\n# zsh completion for roomwatch; made by `roomwatch completion zsh`.\n\n")
	fmt.Fprintf(w, "_roomwatch() {\n\tlocal -a commands\n\tcommands=(\n")
	for _, h := range top {
		fmt.Fprintf(w, "\t\t%s\n", zshQuote(h.name+":"+h.summary))
	}
	fmt.Fprintf(w, "\t\t'help:show the help of a command'\n\t)\n")
	fmt.Fprintf(w, "\tif (( CURRENT == 2 )); then\n\t\t_describe 'command' commands\n\t\treturn\n\tfi\n")
	fmt.Fprintf(w, "\tcase $words[2] in\n")
	for _, h := range top {
		fmt.Fprintf(w, "\t%s)\n\t\t_arguments", h.name)
		for _, f := range flagsOf(hs, h.name) {
			spec := f.dashes() + "[" + zshBracket(f.usage) + "]"
			switch {
			case takesFile(f):
				spec += ":" + f.arg + ":_files"
			case flagValues(f) != nil:
				spec += ":" + f.arg + ":(" + strings.Join(flagValues(f), " ") + ")"
			case f.arg != "":
				spec += ":" + f.arg + ": "
			}
			fmt.Fprintf(w, " \\\n\t\t\t%s", zshQuote(spec))
		}
		switch {
		case subcommands[h.name] != nil:
			fmt.Fprintf(w, " \\\n\t\t\t%s", zshQuote("2:subcommand:("+strings.Join(subcommands[h.name], " ")+")"))
		case h.name == "completion":
			fmt.Fprintf(w, " \\\n\t\t\t'2:shell:(bash zsh fish)'")
		}
		fmt.Fprintf(w, " \\\n\t\t\t'*:file:_files'\n\t\t;;\n")
	}
	fmt.Fprintf(w, "\thelp)\n\t\t_describe 'command' commands\n\t\t;;\n\tesac\n}\n\n")
	fmt.Fprintf(w, "if [ \"$funcstack[1]\" = \"_roomwatch\" ]; then\n\t_roomwatch \"$@\"\nelse\n\tcompdef _roomwatch roomwatch\nfi\n")
}

func fishCompletion(w io.Writer, hs []commandHelp) {
	top := topCommands(hs)
	var names []string
	for _, h := range top {
		names = append(names, h.name)
	}
	all := strings.Join(append(names, "help"), " ")
	fmt.Fprintf(w, "# fish completion for roomwatch; made by `roomwatch completion fish`.\n")
	fmt.Fprintf(w, "complete -c roomwatch -f\n")
	for _, h := range top {
		fmt.Fprintf(w, "complete -c roomwatch -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n", all, h.name, fishQuote(h.summary))
	}
	fmt.Fprintf(w, "complete -c roomwatch -n 'not __fish_seen_subcommand_from %s' -a help -d 'show the help of a command'\n", all)
	fmt.Fprintf(w, "complete -c roomwatch -n '__fish_seen_subcommand_from help' -a '%s'\n", strings.Join(names, " "))
	fmt.Fprintf(w, "complete -c roomwatch -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	for _, h := range top {
		cond := fmt.Sprintf("-n '__fish_seen_subcommand_from %s'", h.name)
		if subs := subcommands[h.name]; subs != nil {
			fmt.Fprintf(w, "complete -c roomwatch %s -a '%s'\n", cond, strings.Join(subs, " "))
		}
		for _, f := range flagsOf(hs, h.name) {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			switch {
			case takesFile(f):
				opt += " -r -F"
			case flagValues(f) != nil:
				opt += " -x -a '" + strings.Join(flagValues(f), " ") + "'"
			case f.arg != "":
				opt += " -x"
			}
			fmt.Fprintf(w, "complete -c roomwatch %s %s -d %s\n", cond, opt, fishQuote(f.usage))
		}
	}
}

// zshQuote quotes s in single quotes for zsh.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// zshBracket makes a flag's description safe inside _arguments' [...].
func zshBracket(s string) string {
	return strings.NewReplacer("[", "(", "]", ")", ":", " ", "\\", "").Replace(s)
}

// fishQuote quotes s in single quotes for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
