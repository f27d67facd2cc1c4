package rules

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/template/parse"
	"time"

	ttemplate "text/template"
)

// Budget of one rendering of a template: a template is config, but one
// like {{range 100000000000}}{{end}} or nested ranges would otherwise run
// for hours (at check, at load, on a reload, and for every line matched),
// and one that doubles a string in a loop would take all memory.
const (
	// TemplateTime bounds the time of one rendering.
	TemplateTime = 100 * time.Millisecond
	// TemplateOutput bounds the bytes one rendering writes, and the
	// length of any string a template function makes.
	TemplateOutput = 1 << 20
	// templateSteps bounds the range iterations and template calls of one
	// rendering, whatever the clock says.
	templateSteps = 10_000_000
)

// TemplatesCheckTime bounds the time checking all the templates of one
// config takes (at check, at load, on a reload), however many rules it
// has: each rendering has TemplateTime, and all of them together this.
const TemplatesCheckTime = 5 * time.Second

// ErrTemplateBudget is the error of a rendering over its budget.
var ErrTemplateBudget = fmt.Errorf("template exceeded its budget (%s, %d bytes of output, %d steps)",
	TemplateTime, TemplateOutput, templateSteps)

// BudgetExceeded is what a rendering over its budget shows instead.
const BudgetExceeded = "(template exceeded its budget)"

// budgetFunc is the function the budget check calls; instrument puts a
// call to it at the start of every range body and every template.
const budgetFunc = "roomwatchBudget"

// budgetNode is the action {{roomwatchBudget}}, parsed once.
var budgetNode = sync.OnceValue(func() parse.Node {
	t := ttemplate.Must(ttemplate.New("budget").Funcs(ttemplate.FuncMap{budgetFunc: func() string { return "" }}).
		Parse("{{" + budgetFunc + "}}"))
	return t.Tree.Root.Nodes[0]
})

// instrument puts a budget check at the start of every template of t and
// of every range body in them: all unbounded work in a template is a
// range or a template call, so every step of it passes a check.
func instrument(t *ttemplate.Template) {
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			instrumentList(tt.Tree.Root)
		}
	}
}

func instrumentList(l *parse.ListNode) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.RangeNode:
			instrumentList(n.List)
			instrumentList(n.ElseList)
		case *parse.IfNode:
			instrumentList(n.List)
			instrumentList(n.ElseList)
		case *parse.WithNode:
			instrumentList(n.List)
			instrumentList(n.ElseList)
		case *parse.ListNode:
			instrumentList(n)
		}
	}
	l.Nodes = append([]parse.Node{budgetNode()}, l.Nodes...)
}

// budgetRun is one rendering's budget: a clone of the template whose
// budget function counts this rendering's steps.
type budgetRun struct {
	t        *ttemplate.Template
	steps    int
	deadline time.Time
}

func (b *budgetRun) step() (string, error) {
	b.steps++
	if b.steps > templateSteps || b.steps%256 == 0 && time.Now().After(b.deadline) {
		return "", ErrTemplateBudget
	}
	return "", nil
}

// runs holds, per template, clones ready for a rendering: a template is
// shared by every goroutine that renders, the count of steps is not.
var runs sync.Map // *template.Template -> *sync.Pool of *budgetRun

// execute renders t with data into w within the budget; over it, the
// error is ErrTemplateBudget.
func execute(t *ttemplate.Template, w io.Writer, data any) error {
	return executeUntil(t, w, data, time.Now().Add(TemplateTime))
}

func executeUntil(t *ttemplate.Template, w io.Writer, data any, deadline time.Time) error {
	p, ok := runs.Load(t)
	if !ok {
		p, _ = runs.LoadOrStore(t, &sync.Pool{New: func() any {
			b := &budgetRun{}
			b.t = ttemplate.Must(t.Clone()).Funcs(ttemplate.FuncMap{budgetFunc: b.step})
			return b
		}})
	}
	pool := p.(*sync.Pool)
	b := pool.Get().(*budgetRun)
	defer pool.Put(b)
	b.steps, b.deadline = 0, deadline
	err := b.t.Execute(&limitWriter{w: w, left: TemplateOutput}, data)
	if errors.Is(err, ErrTemplateBudget) {
		return ErrTemplateBudget
	}
	return err
}

// limitWriter fails a write past left bytes, which stops the rendering.
type limitWriter struct {
	w    io.Writer
	left int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.left {
		return 0, ErrTemplateBudget
	}
	l.left -= len(p)
	return l.w.Write(p)
}

// capped wraps a string function so that neither its input nor its
// result can pass TemplateOutput: a loop that feeds a function its own
// result cannot take all memory before the output limit is reached.
func capped(f func(string) string) func(string) (string, error) {
	return func(s string) (string, error) {
		if len(s) > TemplateOutput {
			return "", ErrTemplateBudget
		}
		out := f(s)
		if len(out) > TemplateOutput {
			return "", ErrTemplateBudget
		}
		return out, nil
	}
}

// cappedFormat wraps fmt.Sprintf, Sprint and Sprintln: a format's width
// and precision are limited and so is the result.
func cappedFormat(f func(args ...any) string) func(args ...any) (string, error) {
	return func(args ...any) (string, error) {
		n := 0
		for _, a := range args {
			if s, ok := a.(string); ok {
				n += len(s)
			}
		}
		if n > TemplateOutput {
			return "", ErrTemplateBudget
		}
		out := f(args...)
		if len(out) > TemplateOutput {
			return "", ErrTemplateBudget
		}
		return out, nil
	}
}

// safePrintf is printf with widths and precisions of at most 4 digits and
// no '*' (a width taken from an argument), so that a format cannot ask
// for a gigabyte of padding.
func safePrintf(format string, args ...any) (string, error) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		digits := 0
		for i++; i < len(format) && strings.IndexByte("+-# 0123456789.[]*", format[i]) >= 0; i++ {
			switch c := format[i]; {
			case c == '*':
				return "", errors.New("printf: '*' widths are not allowed in templates")
			case c >= '0' && c <= '9':
				if digits++; digits > 4 {
					return "", errors.New("printf: widths and precisions above 9999 are not allowed in templates")
				}
			default:
				digits = 0
			}
		}
	}
	return cappedFormat(func(a ...any) string { return fmt.Sprintf(format, a...) })(args...)
}

// budgetFuncs replace the built-in functions that make strings, and
// check the ones of funcs.
var budgetFuncs = ttemplate.FuncMap{
	budgetFunc: func() string { return "" }, // a rendering's clone counts; see execute
	"printf":   safePrintf,
	"print":    cappedFormat(fmt.Sprint),
	"println":  cappedFormat(fmt.Sprintln),
	"html":     cappedFormat(ttemplate.HTMLEscaper),
	"js":       cappedFormat(ttemplate.JSEscaper),
	"urlquery": cappedFormat(ttemplate.URLQueryEscaper),
	"upper":    capped(strings.ToUpper),
	"lower":    capped(strings.ToLower),
	"trim":     capped(strings.TrimSpace),
}

// execute runs a template on sample data for the check, within the
// budget of one rendering and what is left of the config's.
func (c *compiler) execute(t *ttemplate.Template, data any) error {
	now := time.Now()
	if c.templatesUntil.IsZero() {
		c.templatesUntil = now.Add(TemplatesCheckTime)
	}
	if !now.Before(c.templatesUntil) {
		return fmt.Errorf("not checked: the templates before it used up the %s that checking a config's templates may take", TemplatesCheckTime)
	}
	until := now.Add(TemplateTime)
	if c.templatesUntil.Before(until) {
		until = c.templatesUntil
	}
	return executeUntil(t, io.Discard, data, until)
}
