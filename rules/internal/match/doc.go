// Package match is roomwatch's regex engine: what runs a rule set's
// regexes over a line, faster than running each with the regexp package
// and with the same results.
//
//   - Prefilter: one pass over a line finds the rules whose regexes can
//     match it, from the literals a match cannot do without.
//   - Automaton: does a regex match an ASCII line, one table lookup per
//     byte.
//   - Finder: where a regex matches, with its groups, as
//     FindStringSubmatchIndex of the regexp package reports it.
//
// Every one of them runs in time linear in the length of the line, times
// a factor bounded by the size of the regex, as the regexp package
// guarantees: a crafted line cannot stall matching. Where a fast path
// cannot promise that for a line, it hands the line to one that can (the
// regexp package, or a backtracker that never tries an instruction at a
// position twice). The regexp package is the reference: the
// differential tests and fuzz targets beside the code hold every path to
// its answers.
package match
