package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the nodes one document may expand to through aliases, so
// a "billion laughs" file is an error, not a hang.
const maxNodes = 1 << 18

var errTooLarge = fmt.Sprintf("document too large (aliases expand it to more than %d nodes)", maxNodes)

// fieldPlace is where one key of a mapping and its value were written.
type fieldPlace struct {
	Key, Value Place
}

// places maps a decoded struct (by pointer) to the positions of its keys,
// so that semantic checks can point at the exact value they reject.
type places map[any]map[string]fieldPlace

var (
	placeType    = reflect.TypeFor[Place]()
	durationType = reflect.TypeFor[Duration]()
	regexpType   = reflect.TypeFor[Regexp]()
)

// walker decodes a yaml.Node tree into Go values by their `yaml` tags,
// strictly: every unknown key, wrong type and duplicate key is reported
// with its line and column, and decoding goes on to find the rest.
type walker struct {
	file   string
	errs   Errors
	places places
	budget int
}

func newWalker(file string, p places) *walker {
	return &walker{file: file, places: p, budget: maxNodes}
}

func (w *walker) at(n *yaml.Node) Place { return Place{File: w.file, Line: n.Line, Col: n.Column} }

func (w *walker) errorf(n *yaml.Node, label, format string, args ...any) {
	w.errs = append(w.errs, Error{At: w.at(n), Msg: Join(label, fmt.Sprintf(format, args...))})
}

// Join prefixes msg with label, the path of keys that leads to it.
func Join(label, msg string) string {
	if label == "" {
		return msg
	}
	return label + ": " + msg
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// decode fills v from n; label names the value in messages.
func (w *walker) decode(n *yaml.Node, v reflect.Value, label string) {
	if w.budget--; w.budget < 0 {
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch v.Type() {
	case durationType:
		w.duration(n, v, label)
		return
	case regexpType:
		w.regexp(n, v, label)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		w.decode(n, v.Elem(), label)
	case reflect.Struct:
		w.decodeStruct(n, v, label)
	case reflect.Map:
		w.decodeMap(n, v, label)
	case reflect.Slice:
		w.decodeSlice(n, v, label)
	default:
		w.scalar(n, v, label)
	}
}

// FieldIndex maps the yaml keys of a struct type to field indexes.
func FieldIndex(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		m[name] = i
	}
	return m
}

func (w *walker) decodeStruct(n *yaml.Node, v reflect.Value, label string) {
	if f, ok := v.Type().FieldByName("At"); ok && f.Type == placeType {
		v.FieldByIndex(f.Index).Set(reflect.ValueOf(w.at(n)))
	}
	ps := map[string]fieldPlace{}
	if v.CanAddr() {
		w.places[v.Addr().Interface()] = ps
	}
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		w.errorf(n, label, "want a mapping, got %s", describe(n))
		return
	}
	fields := FieldIndex(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if !w.key(k, label, seen) {
			continue
		}
		idx, ok := fields[k.Value]
		if !ok {
			w.errorf(k, label, "unknown key %q%s", k.Value, DidYouMean(k.Value, keysOf(fields)))
			continue
		}
		ps[k.Value] = fieldPlace{Key: w.at(k), Value: w.at(val)}
		if val.Kind == yaml.SequenceNode {
			for j, e := range val.Content {
				ps[fmt.Sprintf("%s[%d]", k.Value, j)] = fieldPlace{Key: w.at(e), Value: w.at(e)}
			}
		}
		w.decode(val, v.Field(idx), Join(label, k.Value))
	}
}

// key checks that a mapping key is a string seen once.
func (w *walker) key(k *yaml.Node, label string, seen map[string]*yaml.Node) bool {
	if k.Kind != yaml.ScalarNode {
		w.errorf(k, label, "want a string key, got %s", describe(k))
		return false
	}
	if first, ok := seen[k.Value]; ok {
		w.errorf(k, label, "duplicate key %q (first at line %d)", k.Value, first.Line)
		return false
	}
	seen[k.Value] = k
	return true
}

func (w *walker) decodeMap(n *yaml.Node, v reflect.Value, label string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		w.errorf(n, label, "want a mapping, got %s", describe(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if !w.key(k, label, seen) {
			continue
		}
		e := newElem(v.Type().Elem())
		w.decode(val, e.elem, entryLabel(label, k.Value))
		v.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e.v)
	}
}

// entryLabel names one entry of a mapping: `destination "ops"`.
func entryLabel(label, key string) string {
	if label == "destinations" {
		return fmt.Sprintf("destination %q", key)
	}
	return Join(label, key)
}

// elem is a fresh value for a map or list entry. Entries that are pointers
// to structs are always allocated, even for a null node, so that an empty
// entry still carries its place and is reported by the checks.
type elem struct{ v, elem reflect.Value }

func newElem(t reflect.Type) elem {
	v := reflect.New(t).Elem()
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		v.Set(reflect.New(t.Elem()))
		return elem{v: v, elem: v.Elem()}
	}
	return elem{v: v, elem: v}
}

func (w *walker) decodeSlice(n *yaml.Node, v reflect.Value, label string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		w.errorf(n, label, "want a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, c := range n.Content {
		e := newElem(v.Type().Elem())
		w.decode(c, e.elem, itemLabel(label, i, c))
		s = reflect.Append(s, e.v)
	}
	v.Set(s)
}

// itemLabel names one list item: `rule "disk-full"` for a rule with a
// name, else `rules[2]` (0-based, counted within its file).
func itemLabel(label string, i int, n *yaml.Node) string {
	if label == "rules" {
		if name := mappingValue(n, "name"); name != nil && name.Kind == yaml.ScalarNode && name.Value != "" {
			return fmt.Sprintf("rule %q", name.Value)
		}
	}
	return fmt.Sprintf("%s[%d]", label, i)
}

// mappingValue returns the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keysOf returns the keys of a fieldIndex.
func keysOf(fields map[string]int) []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the nearest key wins, the first of equals
	return keys
}
