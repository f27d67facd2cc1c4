package rules

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Options are what loading needs from outside the file.
type Options struct {
	// Escape returns the function that neutralises log text for a
	// destination type and a format ("text"|"html"). Nil, or a nil result:
	// html format -> html.EscapeString, text -> unchanged.
	Escape func(destType, format string) func(string) string
	// Host is the value of {{.host}} in templates; "" -> Hostname().
	Host string
	// LookupEnv reads the environment for *_env secrets; nil -> os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Load reads the configuration file at path and parses it with Parse.
func Load(path string, opts Options) (*Config, error) {
	data, err := ReadRegular(path, MaxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(data, path, opts)
}

// Parse decodes a configuration strictly, pulls in its include files and
// compiles it. file names it in error places and is the base for relative
// paths. The error, if any, is an Errors holding every problem found; the
// Config is then returned too (with its Warnings) but must not be run.
func Parse(data []byte, file string, opts Options) (*Config, error) {
	cfg := &Config{File: file, places: places{}, bad: map[Place]bool{}}
	errs := decodeFile(data, file, cfg, cfg.places)
	if slices.ContainsFunc(errs, func(e Error) bool { return e.Msg == errTooLarge }) {
		return cfg, errs
	}
	errs = append(errs, cfg.include()...)
	for _, e := range errs {
		cfg.bad[e.At] = true
	}
	if err := Compile(cfg, opts); err != nil {
		errs = append(errs, err.(Errors)...)
	}
	if len(errs) > 0 {
		return cfg, sortErrors(errs)
	}
	return cfg, nil
}

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
		at := c.placeOf(c, fmt.Sprintf("include[%d]", i), Place{File: c.File})
		files, err := filepath.Glob(c.resolve(pattern))
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

// resolve makes a relative path relative to the config file's folder. "-"
// (standard input), absolute paths and configs without a file stay as
// they are.
func (c *Config) resolve(path string) string {
	if path == "" || path == "-" || filepath.IsAbs(path) || c.File == "" {
		return path
	}
	return filepath.Join(filepath.Dir(c.File), path)
}

// placeOf returns where key's value was written in the struct owner
// points to, or def when it was not written (or the config was not read
// from YAML).
func (c *Config) placeOf(owner any, key string, def Place) Place {
	if p, ok := c.places[owner][key]; ok {
		return p.Value
	}
	return def
}

// keyPlace returns where key itself was written in owner, or def.
func (c *Config) keyPlace(owner any, key string, def Place) Place {
	if p, ok := c.places[owner][key]; ok {
		return p.Key
	}
	return def
}

// failed reports whether key was written in owner with a value the
// decoder rejected.
func (c *Config) failed(owner any, key string) bool {
	p, ok := c.places[owner][key]
	return ok && c.bad[p.Value]
}

// written reports whether key was written in the struct owner points to.
func (c *Config) written(owner any, key string) bool {
	_, ok := c.places[owner][key]
	return ok
}

// sortErrors orders errors by file, line and column and drops repeats
// (a problem in `defaults` may be found once per rule).
func sortErrors(es Errors) Errors {
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
