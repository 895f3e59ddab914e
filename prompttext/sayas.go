package prompttext

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/switchboard-ivr/switchboard/twiml"
)

// sayas marks a value for SSML's <say-as>: {{ sayas "telephone" .callback }}, or for a date
// {{ sayas "date" "mdy" .due }}. The interpret-as value and the format are string constants,
// checked at Parse against the values Twilio lists (twiml.ParseInterpretAs, ParseDateFormat).
//
// The boundary of a <say-as> part is never written into the text: while [Template.Parts]
// renders, sayas records the part and the byte offset of the text where it stands, and returns
// nothing. The text and every value stay data that twiml escapes, so no value, however it is
// spelled, can open, close or forge a part. Outside Parts (in [Template.Render]) sayas returns the
// value alone, as a voice that ignores SSML would read it.
func sayasPlain(args ...string) (string, error) {
	if len(args) < 2 {
		return "", errors.New("sayas: give how to read the value, then the value")
	}
	return args[len(args)-1], nil
}

// partsRecorder collects a render's parts; its method is the template's sayas while Parts runs.
type partsRecorder struct {
	out   *limited
	parts []twiml.SayPart
	last  int // how much of out is already in parts
}

func (r *partsRecorder) sayas(args ...string) (string, error) {
	v, err := sayasPlain(args...)
	if err != nil {
		return "", err
	}
	p := twiml.SayPart{Text: v, As: twiml.InterpretAs(args[0])}
	if len(args) == 3 {
		p.Format = twiml.DateFormat(args[1])
	}
	if v == "" { // nothing to read: no element (twiml refuses an empty part)
		return "", nil
	}
	if err := r.out.count(len(v)); err != nil {
		return "", err
	}
	r.flush()
	r.parts = append(r.parts, p)
	return "", nil
}

// flush adds the text written since the last part as a plain part.
func (r *partsRecorder) flush() {
	if s := r.out.b.String()[r.last:]; s != "" {
		r.parts = append(r.parts, twiml.SayPart{Text: s})
	}
	r.last = r.out.b.Len()
}

// SaysAs reports whether the text uses sayas: its <say-as> parts are heard only with a voice
// that reads SSML (Amazon Polly or Google).
func (t *Template) SaysAs() bool { return t.sayas }

// Parts executes the template over vars, as [Template.Render] does, and returns the result as
// the parts of a <Say>: plain text, and a <say-as> part for each sayas. A text without sayas is
// one plain part (none when it renders empty). The bound MaxText counts every part's text.
func (t *Template) Parts(vars map[string]string) ([]twiml.SayPart, error) {
	if !t.sayas {
		s, err := t.Render(vars)
		if err != nil || s == "" {
			return nil, err
		}
		return []twiml.SayPart{{Text: s}}, nil
	}
	c, err := t.t.Clone() // a clone per render: its sayas writes to this render's parts only
	if err != nil {
		return nil, err
	}
	r := &partsRecorder{out: &limited{b: &strings.Builder{}}}
	c.Funcs(template.FuncMap{"sayas": r.sayas})
	if err := c.Execute(r.out, vars); err != nil {
		return nil, err
	}
	r.flush()
	return r.parts, nil
}

// checkSayas checks every sayas in the tree: it is the whole of its action (so its place in the
// text is where the action prints), with a constant interpret-as value Twilio lists, a constant
// format exactly when it reads a date, then the value. It reports whether the text uses sayas.
func checkSayas(root *parse.ListNode) (bool, error) {
	used := false
	var errs []error
	var walk func(n parse.Node, whole bool)
	walk = func(n parse.Node, whole bool) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c, false)
			}
		case *parse.ActionNode:
			p := n.Pipe
			walk(p, len(p.Decl) == 0 && len(p.Cmds) == 1)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, cmd := range n.Cmds {
				for i, a := range cmd.Args {
					if id, ok := a.(*parse.IdentifierNode); ok && id.Ident == "sayas" {
						used = true
						if i != 0 || !whole {
							errs = append(errs, errors.New(`sayas must be an action of its own, as in {{ sayas "telephone" .number }}`))
							continue
						}
						if err := checkSayasArgs(cmd.Args[1:]); err != nil {
							errs = append(errs, err)
						}
						continue
					}
					if p, ok := a.(*parse.PipeNode); ok {
						walk(p, false)
					}
				}
			}
		case *parse.IfNode:
			walk(n.Pipe, false)
			walk(n.List, false)
			walk(n.ElseList, false)
		case *parse.RangeNode:
			walk(n.Pipe, false)
			walk(n.List, false)
			walk(n.ElseList, false)
		case *parse.WithNode:
			walk(n.Pipe, false)
			walk(n.List, false)
			walk(n.ElseList, false)
		}
	}
	walk(root, false)
	return used, errors.Join(errs...)
}

func checkSayasArgs(args []parse.Node) error {
	if len(args) != 2 && len(args) != 3 {
		return errors.New(`sayas takes how to read the value and the value, as in {{ sayas "telephone" .number }}, or for a date its format too, as in {{ sayas "date" "mdy" .due }}`)
	}
	how, ok := args[0].(*parse.StringNode)
	if !ok {
		return errors.New(`sayas: how to read the value must be a quoted word, as in "telephone"`)
	}
	as, ok := twiml.ParseInterpretAs(how.Text)
	if !ok {
		return fmt.Errorf("sayas: %q is not a way Twilio reads a value; use one of %s", how.Text, strings.Join(twiml.InterpretAsValues(), ", "))
	}
	switch {
	case as == twiml.AsDate && len(args) != 3:
		return fmt.Errorf(`sayas "date" needs the date's format before the value, one of %s, as in {{ sayas "date" "mdy" .due }}`, strings.Join(twiml.DateFormatValues(), ", "))
	case as != twiml.AsDate && len(args) == 3:
		return fmt.Errorf("sayas %q takes no format (only \"date\" does)", how.Text)
	case len(args) == 3:
		f, ok := args[1].(*parse.StringNode)
		if !ok {
			return errors.New(`sayas "date": the format must be a quoted word, as in "mdy"`)
		}
		if _, ok := twiml.ParseDateFormat(f.Text); !ok {
			return fmt.Errorf("sayas \"date\": %q is not a date format Twilio lists; use one of %s", f.Text, strings.Join(twiml.DateFormatValues(), ", "))
		}
	}
	return nil
}
