package prompttext

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// MaxText bounds a rendered prompt, in bytes.
const MaxText = 4096

// Template is a parsed prompt text such as "Your balance is {{ money .balance }}.". Rendering
// returns plain text; the TwiML renderer (package twiml) escapes it for XML.
type Template struct {
	t     *template.Template
	vars  []string
	sayas bool // the text uses sayas: Parts renders through a clone
}

// funcs is the whole function set a prompt may use.
var funcs = template.FuncMap{
	"money":  money,
	"digits": digits,
	"date":   date,
	"sayas":  sayasPlain,
}

// undefinedFunc matches text/template's error for a bare word that names no function.
var undefinedFunc = regexp.MustCompile(`function "([A-Za-z_][A-Za-z0-9_]*)" not defined`)

// Parse parses text. A text with no action is still a Template; [Template.Static] reports it.
func Parse(name, text string) (*Template, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		// {{ balance }} for {{ .balance }} is the usual slip: text/template reads a bare word
		// as a function, and says only that no such function exists.
		if m := undefinedFunc.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("%w (a variable is written with a dot: {{ .%s }})", err, m[1])
		}
		return nil, err
	}
	sayas := false
	for _, tt := range t.Templates() { // {{ define }} blocks too
		if tt.Tree == nil {
			continue
		}
		used, err := checkSayas(tt.Tree.Root)
		if err != nil {
			return nil, err
		}
		sayas = sayas || used
	}
	return &Template{t: t, vars: fieldsOf(text), sayas: sayas}, nil
}

// Static reports whether text uses no template action, so it can be pre-rendered as is.
func Static(text string) bool { return !strings.Contains(text, "{{") }

// Vars returns the variables the text names (.name), in order of first use.
func (t *Template) Vars() []string { return t.vars }

// Render executes the template over vars, a sayas giving its value alone ([Template.Parts] keeps
// it apart). A variable the text uses but vars lacks is an error,
// and so is a result over MaxText bytes.
func (t *Template) Render(vars map[string]string) (string, error) {
	var b strings.Builder
	if err := t.t.Execute(&limited{b: &b}, vars); err != nil {
		return "", err
	}
	return b.String(), nil
}

// limited is the writer a render writes to: it refuses to grow past MaxText bytes, counting the
// text of <say-as> parts kept out of b (extra) too.
type limited struct {
	b     *strings.Builder
	extra int
}

func (l *limited) Write(p []byte) (int, error) {
	if err := l.check(len(p)); err != nil {
		return 0, err
	}
	return l.b.Write(p)
}

func (l *limited) check(n int) error {
	if l.b.Len()+l.extra+n > MaxText {
		return fmt.Errorf("prompttext: the prompt renders to over %d bytes", MaxText)
	}
	return nil
}

// count adds n bytes written elsewhere.
func (l *limited) count(n int) error {
	if err := l.check(n); err != nil {
		return err
	}
	l.extra += n
	return nil
}

// fieldsOf finds the .name fields in text's actions.
func fieldsOf(text string) []string {
	var out []string
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			return out
		}
		text = text[i+2:]
		j := strings.Index(text, "}}")
		if j < 0 {
			return out
		}
		action := text[:j]
		text = text[j+2:]
		for k := 0; k < len(action); k++ {
			if action[k] != '.' {
				continue
			}
			e := k + 1
			for e < len(action) && (action[e] == '_' || action[e] >= 'a' && action[e] <= 'z' || action[e] >= 'A' && action[e] <= 'Z' || action[e] >= '0' && action[e] <= '9') {
				e++
			}
			if name := action[k+1 : e]; name != "" && !contains(out, name) {
				out = append(out, name)
			}
			k = e
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// money writes an amount as dollars and cents for speech: "42.1" → "$42.10", "-3" → "minus $3.00".
func money(v string) (string, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return "", errors.New("money: the value is not a number") // never the value: it may be sensitive, and errors are logged
	}
	if f < 0 {
		return "minus $" + strconv.FormatFloat(-f, 'f', 2, 64), nil
	}
	return "$" + strconv.FormatFloat(f, 'f', 2, 64), nil
}

// digits spaces out digits so they are read one by one: "4021" → "4 0 2 1".
func digits(v string) string {
	var b strings.Builder
	for _, r := range v {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// date writes a YYYY-MM-DD date for speech: "2026-12-25" → "December 25, 2026".
func date(v string) (string, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(v))
	if err != nil {
		return "", errors.New("date: the value is not a date such as 2026-12-25")
	}
	return t.Format("January 2, 2006"), nil
}

// Use is one variable a function formats: {{ money .balance }} or {{ .balance | money }} is
// Use{Func: "money", Var: "balance"}.
type Use struct{ Func, Var string }

// Uses returns every variable the text passes to one of the functions (money, digits, date, sayas),
// in order, so that a caller that knows the variables' types can refuse {{ money .name }}
// before a call hears it.
func (t *Template) Uses() []Use {
	var out []Use
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			prev := ""
			for _, cmd := range n.Cmds {
				fn, field := "", ""
				for i, a := range cmd.Args {
					switch a := a.(type) {
					case *parse.IdentifierNode:
						if i == 0 {
							fn = a.Ident
						}
					case *parse.FieldNode:
						if len(a.Ident) == 1 {
							field = a.Ident[0]
						}
					case *parse.PipeNode:
						walk(a)
					}
				}
				if fn != "" && field == "" {
					field = prev // {{ .x | money }}: the previous command's value
				}
				if fn != "" && field != "" {
					out = append(out, Use{Func: fn, Var: field})
				}
				prev = ""
				if fn == "" {
					prev = field
				}
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(t.t.Tree.Root)
	return out
}
