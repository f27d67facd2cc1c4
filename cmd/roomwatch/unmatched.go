package main

import (
	"fmt"
	"os"
	"strconv"
)

// defaultUnmatched is how many unmatched lines `test --unmatched` prints
// when it is given no number.
const defaultUnmatched = 20

// unmatchedFlag is --unmatched [N]: alone it means 20 lines, and takes a
// number as its value (--unmatched=50) or as the next argument
// (--unmatched 50).
type unmatchedFlag struct {
	n    int
	bare bool // given without a value: the next argument may be N
}

func (u *unmatchedFlag) String() string   { return "" }
func (u *unmatchedFlag) IsBoolFlag() bool { return true }

func (u *unmatchedFlag) Set(v string) error {
	if v == "true" {
		u.n, u.bare = defaultUnmatched, true
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("want a number of lines, got %q", v)
	}
	u.n, u.bare = n, false
	return nil
}

// takeCount takes N from the arguments after a bare --unmatched, when the
// first is a number and no file of that name exists, and returns the rest.
func (u *unmatchedFlag) takeCount(args []string) []string {
	if !u.bare || len(args) == 0 {
		return args
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 {
		return args
	}
	if _, err := os.Stat(args[0]); err == nil {
		return args
	}
	u.n = n
	return args[1:]
}
