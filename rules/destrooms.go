package rules

import (
	"regexp"
	"strings"
)

// What a destination would refuse on every message, checked before the
// first one is sent: a dead letter at 3 a.m. becomes an error at `check`.

// discordUsername checks a Discord webhook's username: Discord refuses
// (400 "Invalid Form Body") a name that contains "discord" or "clyde" in
// any case, so every digest would fail.
func (c *compiler) discordUsername(d *Destination, label string) {
	if d.Type != "discord" {
		return
	}
	name := strings.ToLower(d.Username)
	for _, banned := range []string{"discord", "clyde"} {
		if strings.Contains(name, banned) {
			c.errorf(c.at(d, "username", d.At), label,
				"username %q: Discord refuses a webhook username containing %q", d.Username, banned)
			return
		}
	}
}

// matrixRoomRE is a Matrix room id (!opaque:server) or alias
// (#name:server); server is a host name, an IPv4 or [IPv6] address, and
// an optional port.
var matrixRoomRE = regexp.MustCompile(`^[!#][^:\s]+:([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$`)

// matrixRoom checks the room of a rule that sends to Matrix.
func (c *compiler) matrixRoom(r *Rule, s *RuleSpec, dest *Destination, label string) {
	if dest.Type != "matrix" || r.Room == "" || matrixRoomRE.MatchString(r.Room) {
		return
	}
	o, ol := c.origin(s, s.Room != "", label)
	c.errorf(c.at(o, "room", o.At), ol,
		"room %q: want a Matrix room id (!abc:example.org) or alias (#ops:example.org) for destination %q",
		r.Room, dest.Name)
}
