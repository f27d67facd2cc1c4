package rules

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules/internal/match"
	"github.com/roomwatch/roomwatch/tailer"
)

// Action says what a matching rule does with the line.
type Action int

const (
	// ActionNotify sends the line to the rule's room (through a digest).
	ActionNotify Action = iota
	// ActionDrop suppresses the line: later rules never see it.
	ActionDrop
)

// Rule is one compiled rule, with every field resolved against `defaults`.
type Rule struct {
	Name        string
	At          config.Place
	Action      Action
	Continue    bool
	Destination *config.Destination // nil for drop rules
	Room        string
	Color       string
	Format      string // text | html
	Notify      bool
	Mention     string
	GroupBy     []string
	Threshold   config.Threshold // Count 0: no threshold
	Wait        time.Duration
	Interval    time.Duration
	MaxLines    int

	match    *regexp.Regexp
	unless   *regexp.Regexp
	names    []string // capture names of match, by group index ("" if unnamed)
	caps     bool     // matching extracts the named groups: the template or group_by uses them
	template *template.Template
	plain    bool // template is DefaultTemplate: a line renders as itself, escaped
	digest   *template.Template
	// digestDefault is the format ("text" or "html") whose default
	// digest_template the rule uses, which defaultDigest renders without
	// text/template; "" for a digest_template of its own.
	digestDefault string
	escape        func(string) string
	host          string
}

// Regexp returns the rule's match pattern.
func (r *Rule) Regexp() *regexp.Regexp { return r.match }

// Unless returns the rule's veto pattern, or nil.
func (r *Rule) Unless() *regexp.Regexp { return r.unless }

// Match is one line matched by one rule that notifies.
type Match struct {
	Rule *Rule
	Line tailer.Line
	// Captures holds the named capture groups (empty for those that did not
	// take part in the match) when the rule's template uses them; otherwise
	// it is nil, and Rule.Captures computes them. Values are the raw log
	// text, not escaped.
	Captures map[string]string
	// Text is the line rendered by the rule's template, with every value
	// from the log escaped for the rule's destination and format.
	Text string
	// Group holds the values of the rule's group_by captures, in order.
	Group []string
}

// Set is a compiled, ordered list of rules. It is safe for concurrent use.
type Set struct {
	rules []*Rule

	once   sync.Once        // builds pre and runs on first use
	pre    *match.Prefilter // picks the rules that can match a line
	runs   []runner         // by rule: how its regexes run
	direct bool             // match with neither the prefilter nor runs (the reference, in tests)
}

// runner is how one rule's regexes run: the automata that answer "does
// it match" fast where they can, and what finds the match positions when
// the rule needs them (Rule.caps).
type runner struct {
	match, unless *match.Automaton // nil where the regexp package answers alone
	find          *match.Finder    // finds the groups (Rule.caps), or nil
}

// maxSetDFACells bounds the tables of all the automata of one rule set
// (4 MiB): past it, the remaining rules keep to the regexp package, so a
// config of many large regexes costs no more memory than that. A
// variable for tests.
var maxSetDFACells = 1 << 20

// prepare builds the prefilter and the runners. The automata are built
// on every CPU and kept in rule order while they fit the set's budget:
// what a rule gets does not depend on how the work was shared.
func (s *Set) prepare() {
	var wg sync.WaitGroup
	wg.Go(func() {
		exprs := make([]string, len(s.rules))
		for i, r := range s.rules {
			if r.match != nil {
				exprs[i] = r.match.String()
			}
		}
		s.pre = match.NewPrefilter(exprs)
	})
	s.runs = make([]runner, len(s.rules))
	var exprs []*regexp.Regexp
	var slots []**match.Automaton // where the automaton of exprs[i] goes
	for i, r := range s.rules {
		for _, x := range []struct {
			re   *regexp.Regexp
			slot **match.Automaton
		}{{r.match, &s.runs[i].match}, {r.unless, &s.runs[i].unless}} {
			if x.re != nil {
				exprs, slots = append(exprs, x.re), append(slots, x.slot)
			}
		}
		if r.caps {
			s.runs[i].find = match.NewFinder(r.match)
		}
	}
	// Workers build the automata, taking the regexes in order; this
	// goroutine keeps them in that order while they fit the budget, as
	// building them one by one would, and drops the others at once.
	built := make([]*match.Automaton, len(exprs))
	ready := make([]chan struct{}, len(exprs))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	var taken atomic.Int64
	var spent atomic.Bool // the budget is used up: what remains gets none
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(taken.Add(1) - 1)
				if i >= len(exprs) {
					return
				}
				if !spent.Load() {
					built[i] = match.NewAutomaton(exprs[i].String(), maxSetDFACells)
				}
				close(ready[i])
			}
		})
	}
	budget := maxSetDFACells
	for i, slot := range slots {
		<-ready[i]
		if d := built[i]; d.Cells() <= budget {
			*slot = d
			budget -= d.Cells()
		}
		built[i] = nil
		if budget <= 0 {
			spent.Store(true)
		}
	}
	wg.Wait()
}

// maxStackRules is how many rules a candidate bitset on the stack holds;
// larger sets take theirs from candPool.
const maxStackRules = 512

var candPool = sync.Pool{New: func() any { return new([]uint64) }}

// Rules returns the rules in order.
func (s *Set) Rules() []*Rule { return s.rules }

// Match runs the rules over one line in order and appends a Match for each
// notifying rule that matches, until a rule matches without `continue` or
// a drop rule matches. It returns the extended slice.
func (s *Set) Match(line tailer.Line, dst []Match) []Match {
	dst, _ = s.MatchAll(line, dst)
	return dst
}

// MatchAll is Match that also returns the drop rule that suppressed the
// line, or nil, so that the rule tester can count drops.
//
// Only the rules that the prefilter finds possible for the line run, in
// order; the result is the same as running every rule.
func (s *Set) MatchAll(line tailer.Line, dst []Match) ([]Match, *Rule) {
	if s.direct {
		return s.matchEvery(line, dst)
	}
	s.once.Do(s.prepare)
	var small [maxStackRules / 64]uint64
	cand, pooled := s.candBuf(small[:])
	if pooled != nil {
		defer candPool.Put(pooled)
	}
	s.pre.Candidates(line.Text, cand)
	return s.matchCandidates(line, cand, dst)
}

// LineResult is where MatchLines put the matches of one line: they end
// at To in the slice it returns, and start where those of the line
// before end (for the first line, at the length of the dst it was
// given). Drop is the drop rule that suppressed the line, or nil.
type LineResult struct {
	To   int
	Drop *Rule
}

// MatchLines is MatchAll for each line in turn: it appends every line's
// matches to dst and its LineResult to res. It scans two lines at a
// time for the prefilter, which is quicker than one by one: the table
// lookups of one line wait on each other, those of two do not.
func (s *Set) MatchLines(lines []tailer.Line, dst []Match, res []LineResult) ([]Match, []LineResult) {
	if s.direct {
		for _, l := range lines {
			var drop *Rule
			dst, drop = s.matchEvery(l, dst)
			res = append(res, LineResult{To: len(dst), Drop: drop})
		}
		return dst, res
	}
	s.once.Do(s.prepare)
	var smallA, smallB [maxStackRules / 64]uint64
	ca, pooledA := s.candBuf(smallA[:])
	cb, pooledB := s.candBuf(smallB[:])
	if pooledA != nil {
		defer candPool.Put(pooledA)
		defer candPool.Put(pooledB)
	}
	for i := 0; i < len(lines); i += 2 {
		var drop *Rule
		if i+1 == len(lines) {
			s.pre.Candidates(lines[i].Text, ca)
			dst, drop = s.matchCandidates(lines[i], ca, dst)
			res = append(res, LineResult{To: len(dst), Drop: drop})
			break
		}
		s.pre.CandidatesPair(lines[i].Text, lines[i+1].Text, ca, cb)
		dst, drop = s.matchCandidates(lines[i], ca, dst)
		res = append(res, LineResult{To: len(dst), Drop: drop})
		dst, drop = s.matchCandidates(lines[i+1], cb, dst)
		res = append(res, LineResult{To: len(dst), Drop: drop})
	}
	return dst, res
}

// candBuf returns a candidate bitset for the set: small when it is long
// enough, else one from candPool (pooled), to be put back.
func (s *Set) candBuf(small []uint64) (cand []uint64, pooled *[]uint64) {
	words := s.pre.Words()
	if words <= len(small) {
		return small[:words], nil
	}
	pc := candPool.Get().(*[]uint64)
	if len(*pc) < words {
		*pc = make([]uint64, words)
	}
	return (*pc)[:words], pc
}

// matchCandidates runs the candidate rules of cand over line, in order,
// taking them out of cand.
func (s *Set) matchCandidates(line tailer.Line, cand []uint64, dst []Match) ([]Match, *Rule) {
	for i := match.Next(cand); i >= 0; i = match.Next(cand) {
		var done bool
		var drop *Rule
		if dst, drop, done = s.rules[i].applyWith(line, dst, &s.runs[i]); done {
			return dst, drop
		}
	}
	return dst, nil
}

// matchEvery is MatchAll without the prefilter: every rule runs.
func (s *Set) matchEvery(line tailer.Line, dst []Match) ([]Match, *Rule) {
	for _, r := range s.rules {
		var done bool
		var drop *Rule
		if dst, drop, done = r.apply(line, dst); done {
			return dst, drop
		}
	}
	return dst, nil
}

// apply runs one rule over the line. It appends the Match of a notifying
// rule, returns the rule itself if it drops the line, and reports whether
// later rules are done with the line.
func (r *Rule) apply(line tailer.Line, dst []Match) ([]Match, *Rule, bool) {
	return r.applyWith(line, dst, &runner{})
}

// hasNamed reports whether a regex's group names include a named one.
func hasNamed(names []string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return n != "" })
}

// Captures returns the named groups of the rule's match on text, with ""
// for a group that took no part, or nil if the rule does not match.
func (r *Rule) Captures(text string) map[string]string {
	loc := r.match.FindStringSubmatchIndex(text)
	if loc == nil {
		return nil
	}
	return r.captures(text, loc)
}

func (r *Rule) captures(text string, loc []int) map[string]string {
	caps := make(map[string]string, len(r.names))
	for i, name := range r.names {
		if name == "" {
			continue
		}
		if loc[2*i] >= 0 {
			caps[name] = text[loc[2*i]:loc[2*i+1]]
		} else if _, ok := caps[name]; !ok {
			caps[name] = ""
		}
	}
	return caps
}

// applyWith is apply, run as run says: without captures it only asks
// whether the regexes match, which is cheaper, and an automaton answers
// that where it can.
func (r *Rule) applyWith(line tailer.Line, dst []Match, run *runner) ([]Match, *Rule, bool) {
	var matched, known bool
	if run.find == nil || !run.find.QuickReject() {
		matched, known = run.match.Match(line.Text)
	}
	if known && !matched {
		return dst, nil, false
	}
	var loc []int
	switch {
	case r.caps && run.find != nil:
		loc = run.find.Find(line.Text)
	case r.caps:
		loc = r.match.FindStringSubmatchIndex(line.Text)
	case known || r.match.MatchString(line.Text):
		loc = []int{}
	}
	if loc == nil {
		return dst, nil, false
	}
	if r.unless != nil {
		vetoed, known := run.unless.Match(line.Text)
		if !known {
			vetoed = r.unless.MatchString(line.Text)
		}
		if vetoed {
			return dst, nil, false
		}
	}
	if r.Action == ActionDrop {
		return dst, r, true
	}
	return append(dst, r.newMatch(line, loc)), nil, !r.Continue
}

func (r *Rule) newMatch(line tailer.Line, loc []int) Match {
	m := Match{Rule: r, Line: line}
	if len(loc) > 0 && !r.plain {
		m.Captures = r.captures(line.Text, loc)
	}
	if len(r.GroupBy) > 0 {
		m.Group = make([]string, len(r.GroupBy))
		for i, g := range r.GroupBy {
			m.Group[i] = r.capture(line.Text, loc, g)
		}
	}
	m.Text = r.RenderLine(line, m.Captures)
	return m
}

// capture returns the named group name of a match at loc, as captures
// has it: the last group of that name that took part, or "".
func (r *Rule) capture(text string, loc []int, name string) string {
	v := ""
	for i, n := range r.names {
		if n == name && 2*i+1 < len(loc) && loc[2*i] >= 0 {
			v = text[loc[2*i]:loc[2*i+1]]
		}
	}
	return v
}

// RenderLine renders one matched line through the rule's template. A
// template that fails at run time falls back to the escaped line, so a
// match is never lost to a template error.
func (r *Rule) RenderLine(line tailer.Line, captures map[string]string) string {
	if r.plain {
		return r.escape(line.Shown())
	}
	data := make(map[string]any, len(captures)+9)
	for k, v := range captures {
		data[k] = r.escape(v)
	}
	data["line"] = r.escape(line.Shown())
	data["rule"] = r.Name
	data["file"] = r.escape(line.File)
	data["host"] = r.host
	data["time"] = line.Time.Round(0) // Round(0): no monotonic reading when printed
	journalData(data, line.Journal, r.escape)
	var b bytes.Buffer
	if err := execute(r.template, &b, data); err != nil {
		if errors.Is(err, ErrTemplateBudget) {
			return BudgetExceeded + " " + r.escape(line.Shown())
		}
		return r.escape(line.Shown())
	}
	return b.String()
}

// DigestData is what a digest_template sees.
type DigestData struct {
	Count int
	First time.Time
	Last  time.Time
	Rule  string
	Room  string
	Host  string
	Group map[string]string
	Lines []DigestLine
	More  int
	// Folded is how many group_by keys an overflow digest stands for (0
	// for an ordinary digest): past the rule's cap on open keys, matches
	// of new keys share one digest.
	Folded int
}

// DigestLine is one distinct line shown in a digest.
type DigestLine struct {
	// Text is the line as rendered and escaped; where lines of one shape
	// differed, the parts that varied show their values:
	// "from {1.1.1.1, 203.0.113.5 ×5} port 22".
	Text  string `json:"text"`
	Count int    `json:"count"`
	// Values has one entry per part that varied, in the order of the
	// line; empty when every line was the same.
	Values []DigestField `json:"values,omitempty"`
}

// DigestField is one part of a digest line (a number, an address, an id,
// a quoted string) whose value varied among the lines it stands for.
type DigestField struct {
	Values []DigestValue `json:"values"`           // the first distinct values seen, at most five
	Others int           `json:"others,omitempty"` // lines whose value is not listed
}

// DigestValue is one value a varying part took, and on how many lines.
type DigestValue struct {
	Text  string `json:"text"` // escaped like the line
	Count int    `json:"count"`
}

// RenderDigest renders a whole digest message through the rule's
// digest_template. An empty Rule, Room or Host takes the rule's own. A
// rule without a compiled digest template (one built directly, as in
// tests) gets a plain rendering: a count header, the lines, then "+N more".
func (r *Rule) RenderDigest(d DigestData) (string, error) {
	if r.digest == nil {
		return plainDigest(d, r.escape), nil
	}
	if r.digestDefault != "" {
		return r.defaultDigest(d), nil
	}
	lines := make([]map[string]any, len(d.Lines))
	for i, l := range d.Lines {
		lines[i] = LineData(l)
	}
	group := make(map[string]string, len(d.Group))
	for k, v := range d.Group {
		group[k] = r.escape(v)
	}
	data := map[string]any{
		"count": d.Count, "first": d.First.Round(0), "last": d.Last.Round(0), "rule": cmp.Or(d.Rule, r.Name),
		"room": cmp.Or(d.Room, r.Room), "host": cmp.Or(d.Host, r.host), "group": group,
		"lines": lines, "more": d.More, "folded": d.Folded,
	}
	var b bytes.Buffer
	if err := execute(r.digest, &b, data); err != nil {
		if errors.Is(err, ErrTemplateBudget) {
			return BudgetExceeded + "\n" + plainDigest(d, r.escape), nil
		}
		return "", err
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// plainDigest renders a digest without a template. escape may be nil.
func plainDigest(d DigestData, escape func(string) string) string {
	if escape == nil {
		escape = func(s string) string { return s }
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d × %s", d.Count, d.Rule)
	if d.Host != "" {
		fmt.Fprintf(&b, " on %s", d.Host)
	}
	keys := make([]string, 0, len(d.Group))
	for k := range d.Group {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if d.Group[k] != "" {
			fmt.Fprintf(&b, " %s=%s", k, escape(d.Group[k]))
		}
	}
	if d.Folded > 0 {
		fmt.Fprintf(&b, " (%d keys folded)", d.Folded)
	}
	for _, l := range d.Lines {
		b.WriteString("\n")
		if l.Count > 1 {
			fmt.Fprintf(&b, "(×%d) ", l.Count)
		}
		b.WriteString(l.Text)
	}
	if d.More > 0 {
		fmt.Fprintf(&b, "\n+%d more", d.More)
	}
	return b.String()
}

// Hostname returns the host name used in templates.
func Hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "localhost"
	}
	return h
}

// LineData is what a template sees of one digest line: .text, .count and
// .values.
func LineData(l DigestLine) map[string]any {
	return map[string]any{"text": l.Text, "count": l.Count, "values": fieldData(l.Values)}
}

// fieldData is what a template sees of a line's varying parts: a list,
// each with .values (each with .text and .count) and .others.
func fieldData(fs []DigestField) []map[string]any {
	out := make([]map[string]any, len(fs))
	for i, f := range fs {
		vs := make([]map[string]any, len(f.Values))
		for j, v := range f.Values {
			vs[j] = map[string]any{"text": v.Text, "count": v.Count}
		}
		out[i] = map[string]any{"values": vs, "others": f.Others}
	}
	return out
}
