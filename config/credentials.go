package config

import "strings"

// credentialsVar is the one environment variable a *_file path may name:
// systemd sets it to the folder holding the unit's LoadCredential= files,
// a folder whose path is known only when the service runs.
const credentialsVar = "CREDENTIALS_DIRECTORY"

// credentials expands $CREDENTIALS_DIRECTORY and ${CREDENTIALS_DIRECTORY}
// in the path of a secret file. No other variable is expanded: a path is
// otherwise taken as written.
func (c *checker) credentials(d *Destination, label, key, path string) string {
	if !strings.Contains(path, "$"+credentialsVar) && !strings.Contains(path, "${"+credentialsVar+"}") {
		return path
	}
	dir, ok := c.opts.LookupEnv(credentialsVar)
	if !ok || dir == "" {
		at := c.at(d, key+"_file", d.At)
		c.errorf(at, label, "%s_file: $%s is not set (systemd sets it for a unit with LoadCredential=)", key, credentialsVar)
		if c.cfg.bad != nil {
			c.cfg.bad[at] = true // reading the unexpanded path would only fail again
		}
		return path
	}
	path = strings.ReplaceAll(path, "${"+credentialsVar+"}", dir)
	return strings.ReplaceAll(path, "$"+credentialsVar, dir)
}
