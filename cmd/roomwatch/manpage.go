package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// cmdMan is `roomwatch man`: the manual page roomwatch(1) in roff, made
// from the commands' own --help. `roomwatch man | man -l -` reads it.
func cmdMan(args []string, e *env) int {
	fs := newFlags("man", "", e)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	ver, _, _ := buildInfo()
	manPage(e.stdout, allHelp(), ver, manDate(e.getenv("SOURCE_DATE_EPOCH")))
	return exitOK
}

// manDate is the page's date: SOURCE_DATE_EPOCH when set (reproducible
// builds), else today.
func manDate(epoch string) string {
	t := time.Now()
	if s, err := strconv.ParseInt(epoch, 10, 64); err == nil {
		t = time.Unix(s, 0)
	}
	return t.UTC().Format("2006-01-02")
}

func manPage(w io.Writer, hs []commandHelp, version, date string) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p(`.TH ROOMWATCH 1 "%s" "roomwatch %s" "User Commands"`, date, roff(version))
	p(`.SH NAME`)
	p(`roomwatch \- watch logs and tell the chat room`)
	p(`.SH SYNOPSIS`)
	p(`.B roomwatch`)
	p(`.I command`)
	p(`.RI [ flags ]`)
	p(`.RI [ arguments ]`)
	p(`.SH DESCRIPTION`)
	p(`%s`, roff("roomwatch tails log files, the systemd journal or standard input, matches every line "+
		"against YAML regex rules, and each rule says which chat room hears about it, in which colour, "+
		"with which message template. Bursts are debounced into one digest message, never a flood, and "+
		"nothing is dropped without being counted. Notifications go to HipChat (API v2), Slack, "+
		"Mattermost, Discord, Microsoft Teams, Matrix, Alertmanager, a webhook and more."))
	p(`.PP`)
	p(`%s`, roff("Flags go before the other arguments. Every command takes --help; "+
		"\"roomwatch help COMMAND\" prints the same."))
	p(`.SH COMMANDS`)
	for _, h := range hs {
		p(`.SS "%s"`, roff("roomwatch "+strings.TrimPrefix(h.synopsis, "roomwatch ")))
		if !strings.Contains(h.name, " ") {
			p(`%s`, roff(h.summary))
		}
		for _, f := range h.flags {
			p(`.TP`)
			if f.arg != "" {
				p(`.BI "%s " %s`, roff(f.dashes()), roff(f.arg))
			} else {
				p(`.B %s`, roff(f.dashes()))
			}
			p(`%s`, roff(f.usage))
		}
	}
	p(`.SH FILES`)
	for _, f := range [][2]string{
		{"/etc/roomwatch/roomwatch.yaml", "the configuration (-c changes it)"},
		{"/etc/roomwatch/rules.d/*.yaml", "rule packs, pulled in with include:"},
		{"/var/lib/roomwatch", "state_dir under the service unit: read positions (positions.json) and the outbox"},
		{"/lib/systemd/system/roomwatch.service", "the service unit"},
	} {
		p(`.TP`)
		p(`.I %s`, roff(f[0]))
		p(`%s`, roff(f[1]))
	}
	p(`.SH ENVIRONMENT`)
	p(`.TP`)
	p(`.B ROOMWATCH_TOKEN`)
	p(`%s`, roff("the token for send, pipe and exec without -c"))
	p(`.TP`)
	p(`.B CREDENTIALS_DIRECTORY`)
	p(`%s`, roff("replaces ${CREDENTIALS_DIRECTORY} in *_file paths (systemd LoadCredential=)"))
	p(`.SH EXIT STATUS`)
	p(`%s`, roff("0 success; 1 something failed while running (a delivery, an input) or check found "+
		"problems; 2 bad flags or a config that does not load. exec exits with its command's status."))
	p(`.SH SEE ALSO`)
	p(`.BR journalctl (1),`)
	p(`.BR systemd.exec (5),`)
	p(`.BR systemctl (1)`)
	p(`.PP`)
	p(`%s`, roff("/usr/share/doc/roomwatch/ and the README of the source for the configuration reference."))
}

// roff escapes text for a roff line: backslashes, hyphens that must stay
// hyphens, and a leading dot or quote that would start a request.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
