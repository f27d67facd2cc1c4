package sender

import (
	"hash/fnv"
	"strings"
)

// Colors are HipChat's colours other than random, in the order random
// picks from.
var Colors = []string{"yellow", "green", "red", "purple", "gray"}

// Color returns the HipChat colour c stands for: lower case, "grey" spelt
// "gray", yellow (HipChat's default) when empty or unknown, and for
// "random" one of Colors picked by seed (the digest's id), so a retried
// digest keeps its colour.
func Color(c, seed string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	switch c {
	case "grey":
		return "gray"
	case "random":
		h := fnv.New32a()
		_, _ = h.Write([]byte(seed))
		return Colors[h.Sum32()%uint32(len(Colors))]
	}
	for _, k := range Colors {
		if c == k {
			return c
		}
	}
	return "yellow"
}

// Summary returns the first non-empty line of a plain-text message, for
// titles, previews and alert summaries.
func Summary(msg string) string {
	for line := range strings.Lines(msg) {
		if s := strings.TrimSpace(line); s != "" {
			return s
		}
	}
	return ""
}
