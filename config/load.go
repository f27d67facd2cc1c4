package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Load reads the configuration file at path and parses it with Parse.
func Load(path string, opts Options) (*Config, error) {
	data, err := ReadRegular(path, MaxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(data, path, opts)
}

// Parse decodes a configuration strictly with Decode and checks it with
// Validate. The error, if any, is an Errors holding every problem found;
// the Config is then returned too (with its Warnings) but must not be run.
func Parse(data []byte, file string, opts Options) (*Config, error) {
	cfg, err := Decode(data, file)
	if !cfg.Decoded() {
		return cfg, err
	}
	errs, _ := err.(Errors)
	if err := Validate(cfg, opts); err != nil {
		errs = append(errs, err.(Errors)...)
	}
	if len(errs) > 0 {
		return cfg, SortErrors(errs)
	}
	return cfg, nil
}

// Decode decodes a configuration strictly and pulls in its include files,
// without checking what the values mean. file names it in error places and
// is the base for relative paths. The error, if any, is an Errors; the
// Config is returned even then, and Decoded reports whether it was read in
// full (a document too large to read is not).
func Decode(data []byte, file string) (*Config, error) {
	cfg := &Config{File: file, places: places{}, bad: map[Place]bool{}}
	errs := decodeFile(data, file, cfg, cfg.places)
	if slices.ContainsFunc(errs, func(e Error) bool { return e.Msg == errTooLarge }) {
		cfg.partial = true
		return cfg, errs
	}
	errs = append(errs, cfg.include()...)
	for _, e := range errs {
		cfg.bad[e.At] = true
	}
	if len(errs) > 0 {
		return cfg, SortErrors(errs)
	}
	return cfg, nil
}

// Decoded reports whether the whole document was read, so that checking
// it makes sense.
func (c *Config) Decoded() bool { return !c.partial }

// decodeFile decodes one YAML document into out (a pointer to a struct).
func decodeFile(data []byte, file string, out any, p places) Errors {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Errors{syntaxError(file, err)}
	}
	w := newWalker(file, p)
	v := reflect.ValueOf(out).Elem()
	if len(doc.Content) == 0 {
		w.places[out] = map[string]fieldPlace{}
		return nil
	}
	w.decode(doc.Content[0], v, "")
	if w.budget < 0 {
		// Decoding stopped part way: the rest would only be noise.
		return Errors{{At: Place{File: file, Line: 1, Col: 1}, Msg: errTooLarge}}
	}
	return w.errs
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns a YAML parser error into an Error; the parser tells
// the line (not for the first) but no column.
func syntaxError(file string, err error) Error {
	msg := err.Error()
	at := Place{File: file, Line: 1, Col: 1}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		at.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return Error{At: at, Msg: "yaml: " + msg}
}

// includeFile is the schema of a file named by `include`.
type includeFile struct {
	Rules []*RuleSpec `yaml:"rules"`
}

// include appends the rules of every file matched by the include globs,
// each glob's files in sorted order.
func (c *Config) include() Errors {
	var errs Errors
	for i, pattern := range c.Include {
		at := c.ValueAt(c, fmt.Sprintf("include[%d]", i), Place{File: c.File})
		files, err := filepath.Glob(c.Resolve(pattern))
		if err != nil {
			errs = append(errs, Error{At: at, Msg: fmt.Sprintf("include: bad pattern %q: %v", pattern, err)})
			continue
		}
		slices.Sort(files)
		for _, f := range files {
			errs = append(errs, c.includeOne(f, at)...)
		}
	}
	return errs
}

func (c *Config) includeOne(file string, at Place) Errors {
	data, err := ReadRegular(file, MaxConfigBytes)
	if err != nil {
		return Errors{{At: at, Msg: fmt.Sprintf("include: %v", err)}}
	}
	var inc includeFile
	errs := decodeFile(data, file, &inc, c.places)
	c.Rules = append(c.Rules, inc.Rules...)
	return errs
}

// Resolve makes a relative path relative to the config file's folder. "-"
// (standard input), absolute paths and configs without a file stay as
// they are.
func (c *Config) Resolve(path string) string {
	if path == "" || path == "-" || filepath.IsAbs(path) || c.File == "" {
		return path
	}
	return filepath.Join(filepath.Dir(c.File), path)
}

// ValueAt returns where key's value was written in the struct owner
// points to, or def when it was not written (or the config was not read
// from YAML).
func (c *Config) ValueAt(owner any, key string, def Place) Place {
	if p, ok := c.places[owner][key]; ok {
		return p.Value
	}
	return def
}

// KeyAt returns where key itself was written in owner, or def.
func (c *Config) KeyAt(owner any, key string, def Place) Place {
	if p, ok := c.places[owner][key]; ok {
		return p.Key
	}
	return def
}

// Failed reports whether key was written in owner with a value the
// decoder rejected.
func (c *Config) Failed(owner any, key string) bool {
	p, ok := c.places[owner][key]
	return ok && c.bad[p.Value]
}

// Written reports whether key was written in the struct owner points to.
func (c *Config) Written(owner any, key string) bool {
	_, ok := c.places[owner][key]
	return ok
}

// Rejected reports whether the decoder rejected the value written at at,
// so that a check need not report it a second time.
func (c *Config) Rejected(at Place) bool { return c.bad[at] }

// SortErrors orders errors by file, line and column and drops repeats
// (a problem in `defaults` may be found once per rule).
func SortErrors(es Errors) Errors {
	seen := make(map[Error]bool, len(es))
	es = slices.DeleteFunc(es, func(e Error) bool {
		dup := seen[e]
		seen[e] = true
		return dup
	})
	slices.SortStableFunc(es, func(a, b Error) int {
		if a.At.File != b.At.File {
			if a.At.File < b.At.File {
				return -1
			}
			return 1
		}
		if a.At.Line != b.At.Line {
			return a.At.Line - b.At.Line
		}
		return a.At.Col - b.At.Col
	})
	if len(es) > maxErrors {
		more := Error{At: es[maxErrors-1].At, Msg: fmt.Sprintf("and %d more problems", len(es)-maxErrors)}
		es = append(es[:maxErrors:maxErrors], more)
	}
	return es
}

// maxErrors is how many problems are reported at most; a file with more
// is far from being a config.
const maxErrors = 200
