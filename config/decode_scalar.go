package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"regexp/syntax"
	"time"

	"go.yaml.in/yaml/v3"
)

// scalar decodes strings, booleans and integers.
func (w *walker) scalar(n *yaml.Node, v reflect.Value, label string) {
	if isNull(n) {
		v.SetZero()
		return
	}
	want := map[reflect.Kind]string{reflect.String: "a string", reflect.Bool: "true or false"}[v.Kind()]
	if want == "" {
		want = "an integer"
	}
	if n.Kind != yaml.ScalarNode {
		w.errorf(n, label, "want %s, got %s", want, describe(n))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
		return
	case reflect.Bool:
		if n.Tag == "!!bool" && n.Decode(v.Addr().Interface()) == nil {
			return
		}
	case reflect.Int, reflect.Int64:
		if n.Tag == "!!int" && n.Decode(v.Addr().Interface()) == nil {
			return
		}
	}
	w.errorf(n, label, "want %s, got %s", want, describe(n))
}

func (w *walker) duration(n *yaml.Node, v reflect.Value, label string) {
	if isNull(n) {
		return
	}
	if n.Kind == yaml.ScalarNode {
		d, err := time.ParseDuration(n.Value)
		if err == nil {
			v.SetInt(int64(d))
			return
		}
	}
	w.errorf(n, label, "want a duration like 30s or 5m, got %s", describe(n))
}

func (w *walker) regexp(n *yaml.Node, v reflect.Value, label string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode {
		w.errorf(n, label, "want a regular expression, got %s", describe(n))
		return
	}
	re, err := regexp.Compile(n.Value)
	if err != nil {
		w.errorf(n, label, "%s", regexpProblem(n.Value, err))
		return
	}
	v.Set(reflect.ValueOf(Regexp{re}))
}

// regexpProblem shortens a regexp error to what is wrong and, when that is
// only a part of the pattern, which part.
func regexpProblem(pattern string, err error) string {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return err.Error()
	}
	if se.Expr == "" || se.Expr == pattern {
		return se.Code.String()
	}
	return fmt.Sprintf("%s: `%s`", se.Code, se.Expr)
}
