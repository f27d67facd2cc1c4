package config

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// typeKeys are the keys each destination type takes besides `type`,
// `timeout`, `rate_limit` and `outbox_max_bytes`; a secret key also allows its <key>_file and <key>_env twins.
var typeKeys = map[string][]string{
	"hipchat":      {"url", "token", "from"},
	"slack":        {"webhook_url", "username"},
	"mattermost":   {"webhook_url", "username"},
	"discord":      {"webhook_url", "username"},
	"teams":        {"webhook_url"},
	"matrix":       {"url", "token"},
	"webhook":      {"url", "headers", "body_template", "content_type"},
	"alertmanager": {"url", "resolve_after"},
	"console":      {"output"},
	"email":        {"smtp", "username", "password", "from", "starttls", "tls"},
	"ntfy":         {"url", "token"},
	"telegram":     {"token", "api_url"},
	"googlechat":   {"webhook_url"},
}

// typeRequired are the keys (in any of their forms) each type needs.
var typeRequired = map[string][]string{
	"hipchat":      {"url", "token"},
	"slack":        {"webhook_url"},
	"mattermost":   {"webhook_url"},
	"discord":      {"webhook_url"},
	"teams":        {"webhook_url"},
	"matrix":       {"url", "token"},
	"webhook":      {"url"},
	"alertmanager": {"url"},
	"telegram":     {"token"},
	"googlechat":   {"webhook_url"},
}

// maxFromLen is HipChat's limit on the `from` label.
const maxFromLen = 64

// destinations checks every destination and reads its secrets.
func (c *checker) destinations() {
	for _, name := range slices.Sorted(maps.Keys(c.cfg.Destinations)) {
		d := c.cfg.Destinations[name]
		if d == nil {
			d = &Destination{At: Place{File: c.cfg.File}}
			c.cfg.Destinations[name] = d
		}
		d.Name = name
		c.destination(d, fmt.Sprintf("destination %q", name))
	}
}

func (c *checker) destination(d *Destination, label string) {
	if d.Type == "" {
		if c.cfg.Failed(d, "type") {
			return
		}
		c.errorf(d.At, label, "type is required")
		return
	}
	if typeKeys[d.Type] == nil {
		c.errorf(c.at(d, "type", d.At), label, "type: unknown type %q (want %s)%s", d.Type, OrList(Types), DidYouMean(d.Type, Types))
		return
	}
	c.allowedKeys(d, label)
	secrets := []struct {
		key   string
		value *Secret
		file  *string
		env   string
	}{
		{"url", &d.URL, &d.URLFile, d.URLEnv},
		{"token", &d.Token, &d.TokenFile, d.TokenEnv},
		{"webhook_url", &d.WebhookURL, &d.WebhookURLFile, d.WebhookURLEnv},
		{"password", &d.Password, &d.PasswordFile, d.PasswordEnv},
	}
	have := map[string]bool{}
	for _, s := range secrets {
		have[s.key] = c.secret(d, label, s.key, s.value, s.file, s.env)
	}
	for _, k := range typeRequired[d.Type] {
		if !have[k] {
			c.errorf(d.At, label, "%s is required for type %s (or %s_file or %s_env)", k, d.Type, k, k)
		}
	}
	c.checkURL(d, label, "url", d.URL)
	c.checkURL(d, label, "webhook_url", d.WebhookURL)
	c.destMisc(d, label)
	c.moreRooms(d, label)
}

// allowedKeys reports keys that the destination's type does not take.
func (c *checker) allowedKeys(d *Destination, label string) {
	allowed := []string{"type", "timeout"}
	for _, k := range typeKeys[d.Type] {
		allowed = append(allowed, k)
		if k == "url" || k == "token" || k == "webhook_url" || k == "password" {
			allowed = append(allowed, k+"_file", k+"_env")
		}
	}
	allowed = append(allowed, "rate_limit", "outbox_max_bytes")
	v := reflect.ValueOf(d).Elem()
	for key, i := range FieldIndex(v.Type()) {
		if slices.Contains(allowed, key) || !c.cfg.Written(d, key) && v.Field(i).IsZero() {
			continue
		}
		c.errorf(c.cfg.KeyAt(d, key, d.At), label, "key %q is not allowed for type %s (allowed: %s)",
			key, d.Type, strings.Join(allowed, ", "))
	}
}

// secret resolves one secret from its inline value, file or environment
// variable, and reports whether it was given. Only a secret written in a
// file earns the inline warning: one set from the command line is not.
func (c *checker) secret(d *Destination, label, key string, value *Secret, file *string, env string) bool {
	inline := *value != "" || c.cfg.Written(d, key)
	n := 0
	for _, set := range []bool{inline, *file != "", env != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		c.errorf(d.At, label, "at most one of %s & %s_file & %s_env must be configured", key, key, key)
		return true
	}
	switch {
	case *file != "":
		*file = c.cfg.Resolve(c.credentials(d, label, key, *file))
		c.secretFile(d, label, key, value, *file)
	case env != "":
		c.secretEnv(d, label, key, value, env)
	case c.cfg.Written(d, key) && c.inlineSecret(key, *value):
		c.warnf(c.at(d, key, d.At), label, "%s: secret written inline; use %s_file or %s_env", key, key, key)
	}
	return n == 1
}

func (c *checker) secretFile(d *Destination, label, key string, value *Secret, path string) {
	at := c.at(d, key+"_file", d.At)
	data, err := ReadRegular(path, MaxSecretBytes)
	if err != nil {
		c.errorf(at, label, "%s_file: %v", key, err)
		return
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if s == "" {
		c.errorf(at, label, "%s_file: %s is empty", key, path)
		return
	}
	*value = Secret(s)
}

func (c *checker) secretEnv(d *Destination, label, key string, value *Secret, env string) {
	at := c.at(d, key+"_env", d.At)
	s, ok := c.opts.LookupEnv(env)
	switch {
	case !ok:
		c.errorf(at, label, "%s_env: environment variable %s is not set", key, env)
	case s == "":
		c.errorf(at, label, "%s_env: environment variable %s is empty", key, env)
	default:
		*value = Secret(s)
	}
}

// inlineSecret reports whether an inline value holds a secret: tokens and
// webhook URLs always do, other URLs when they carry credentials.
func (c *checker) inlineSecret(key string, v Secret) bool {
	if key != "url" {
		return true
	}
	u, err := url.Parse(v.Reveal())
	if err != nil {
		return false
	}
	if u.User != nil {
		return true
	}
	for q := range u.Query() {
		if secretName(q) {
			return true
		}
	}
	return false
}

// secretName reports whether a header or query parameter name suggests
// that its value is a credential.
func secretName(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"auth", "token", "key", "secret", "pass", "cookie", "sig"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// checkURL checks that a resolved URL is an http(s) URL, without printing it.
func (c *checker) checkURL(d *Destination, label, key string, v Secret) {
	if v == "" {
		return
	}
	u, err := url.Parse(v.Reveal())
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return
	}
	at := c.at(d, key, c.at(d, key+"_file", c.at(d, key+"_env", d.At)))
	c.errorf(at, label, "%s: want an http or https URL", key)
}

// destMisc checks the keys that are not secrets.
func (c *checker) destMisc(d *Destination, label string) {
	if d.Timeout < 0 {
		c.errorf(c.at(d, "timeout", d.At), label, "timeout: must not be negative")
	}
	if d.ResolveAfter < 0 || d.ResolveAfter == 0 && c.cfg.Written(d, "resolve_after") {
		c.errorf(c.at(d, "resolve_after", d.At), label, "resolve_after: must be more than 0")
	}
	if d.OutboxMaxBytes < 0 {
		c.errorf(c.at(d, "outbox_max_bytes", d.At), label, "outbox_max_bytes: must not be negative")
	}
	if rl := d.RateLimit; rl != nil {
		for _, r := range []struct {
			key  string
			rate Rate
		}{{"per_room", rl.PerRoom}, {"per_destination", rl.PerDestination}} {
			if _, _, err := r.rate.Parse(); r.rate != "" && err != nil {
				c.errorf(c.at(rl, r.key, d.At), label, "rate_limit: %s: %v", r.key, err)
			}
		}
	}
	c.discordUsername(d, label)
	if d.Type == "hipchat" && utf8.RuneCountInString(d.From) > maxFromLen {
		c.errorf(c.at(d, "from", d.At), label, "from: longer than %d characters", maxFromLen)
	}
	for _, h := range slices.Sorted(maps.Keys(d.Headers)) {
		if secretName(h) {
			c.warnf(c.at(d, "headers", d.At), label, "headers: %s: secret written inline; keep this file private", h)
		}
	}
	if d.Type == "console" {
		switch d.Output {
		case "", "-":
			d.Output = "stdout"
		case "stdout", "stderr":
		default:
			d.Output = c.cfg.Resolve(d.Output)
		}
	}
}
