package config

import "strings"

// discordUsername checks a Discord webhook's username: Discord refuses
// (400 "Invalid Form Body") a name that contains "discord" or "clyde" in
// any case, so every digest would become a dead letter. It is an error
// at check instead.
func (c *checker) discordUsername(d *Destination, label string) {
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
