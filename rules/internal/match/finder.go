package match

import "regexp"

// Finder finds the submatch positions of one regex, as the regexp
// package's FindStringSubmatchIndex reports them, in time linear in the
// text: a regex of the form literal.*rest is matched without
// backtracking over the line (dotStar), others run on a backtracker over
// ASCII bytes; what neither can take goes to the regexp package. One
// Finder serves every goroutine.
type Finder struct {
	re *regexp.Regexp
	ds *dotStar     // the regex is literal.*rest, or nil
	bt *backtracker // otherwise, for ASCII text; nil if the program is too long
}

// NewFinder returns the Finder of re.
func NewFinder(re *regexp.Regexp) *Finder {
	f := &Finder{re: re}
	if f.ds = newDotStar(re.String()); f.ds == nil {
		f.bt = newBacktracker(re.String())
	}
	return f
}

// Find returns what re.FindStringSubmatchIndex(text) returns.
func (f *Finder) Find(text string) []int {
	loc, _ := f.findWork(text)
	return loc
}

// findWork is Find that also tells the work done, in units that each
// cost at most a constant time for a given regex: instructions the
// backtracker ran, bytes it cleared bits for, bytes handed to the regexp
// package (linear in them). The tests of linear time count it.
func (f *Finder) findWork(text string) (loc []int, work int) {
	if f.ds != nil {
		return f.ds.findWork(text)
	}
	if loc, ok, work := f.bt.findWork(text); ok {
		return loc, work
	}
	return f.re.FindStringSubmatchIndex(text), len(text)
}

// QuickReject reports whether Find tells a text without a match about as
// fast as an Automaton does: then there is no point asking one first.
func (f *Finder) QuickReject() bool { return f.ds != nil }
