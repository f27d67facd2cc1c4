package rules

import (
	"regexp"

	"github.com/roomwatch/roomwatch/config"
)

// matrixRoomRE is a Matrix room id (!opaque:server) or alias
// (#name:server); server is a host name, an IPv4 or [IPv6] address, and
// an optional port.
var matrixRoomRE = regexp.MustCompile(`^[!#][^:\s]+:([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$`)

// matrixRoom checks the room of a rule that sends to Matrix, which the
// homeserver would refuse on every message unless it is a room id or an
// alias: an error at check, not a dead letter at 3 a.m.
func (c *compiler) matrixRoom(r *Rule, s *config.RuleSpec, dest *config.Destination, label string) {
	if dest.Type != "matrix" || r.Room == "" || matrixRoomRE.MatchString(r.Room) {
		return
	}
	o, ol := c.origin(s, s.Room != "", label)
	c.errorf(c.at(o, "room", o.At), ol,
		"room %q: want a Matrix room id (!abc:example.org) or alias (#ops:example.org) for destination %q",
		r.Room, dest.Name)
}
