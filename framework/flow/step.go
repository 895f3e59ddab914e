package flow

import (
	"reflect"
	"strconv"
)

// Step is what a node or a destination does after its prompts: exactly one of [*Gather],
// [Goto], [*Dial], [*Record], [*Enqueue], [Redirect], [Hangup], [*PIN], [*Agent] or [*Switch]. The set is sealed (only this
// package's types implement it), and each consumer — the loader's keys, the validator, the
// compiler, the graph — handles it in one type switch, so a new kind is one new case in each
// (see the package documentation's "Adding a kind of step").
type Step interface {
	// Kind returns the step's kind, whose name is the key that sets it in a flow file.
	Kind() Kind
	step()
}

// Goto goes to another node: the node name. It is served as a <Redirect> to that node's route,
// never its TwiML inline, so the authorizer checks the target's permission.
type Goto string

// Redirect hands the call to TwiML outside the flow (an absolute http or https URL) or to a path
// on this server, such as a route the program adds with App.Voice.
type Redirect string

// Hangup ends the call. In YAML it is `hangup: true`.
type Hangup struct{}

// Kind names a kind of [Step].
type Kind uint8

// The kinds of step, in the order the validator names them when a node sets two.
const (
	KindGather Kind = iota
	KindGoto
	KindDial
	KindRecord
	KindEnqueue
	KindRedirect
	KindHangup
	KindPIN
	KindAgent
	KindSwitch
	numKinds
)

// kinds is the one list of step kinds: the key that sets each in a flow file, what the loader
// decodes that key's value into, and whether only a menu may take it.
var kinds = [numKinds]struct {
	key      string
	decode   reflect.Type               // the Go type of the key's value in YAML
	menuOnly bool                       // only a node may take it: it owns one of the node's routes
	step     func(v reflect.Value) Step // the step a decoded, non-zero value sets; nil: the value is the step
}{
	KindGather:   {key: "gather", decode: reflect.TypeFor[*Gather](), menuOnly: true},
	KindGoto:     {key: "goto", decode: reflect.TypeFor[Goto]()},
	KindDial:     {key: "dial", decode: reflect.TypeFor[*Dial]()},
	KindRecord:   {key: "record", decode: reflect.TypeFor[*Record]()},
	KindEnqueue:  {key: "enqueue", decode: reflect.TypeFor[*Enqueue]()},
	KindRedirect: {key: "redirect", decode: reflect.TypeFor[Redirect]()},
	KindHangup:   {key: "hangup", decode: reflect.TypeFor[bool](), step: func(reflect.Value) Step { return Hangup{} }},
	KindPIN:      {key: "pin", decode: reflect.TypeFor[*PIN](), menuOnly: true},
	KindAgent:    {key: "agent", decode: reflect.TypeFor[*Agent](), menuOnly: true},
	KindSwitch:   {key: "switch", decode: reflect.TypeFor[*Switch](), menuOnly: true},
}

// Kinds returns every kind of step, in order.
func Kinds() []Kind {
	out := make([]Kind, numKinds)
	for k := range numKinds {
		out[k] = k
	}
	return out
}

// String returns the key that sets the kind in a flow file: "gather", "goto", "dial"….
func (k Kind) String() string {
	if k >= numKinds {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kinds[k].key
}

// MenuOnly reports whether only a node may take the kind, not a destination (an option, an
// error flow…): it owns one of its node's routes, as a gather owns name/gather.
func (k Kind) MenuOnly() bool { return k < numKinds && kinds[k].menuOnly }

// kindNamed returns the kind whose key is key.
func kindNamed(key string) (Kind, bool) {
	for k := range numKinds {
		if kinds[k].key == key {
			return k, true
		}
	}
	return 0, false
}

func (*Gather) Kind() Kind  { return KindGather }
func (Goto) Kind() Kind     { return KindGoto }
func (*Dial) Kind() Kind    { return KindDial }
func (*Record) Kind() Kind  { return KindRecord }
func (*Enqueue) Kind() Kind { return KindEnqueue }
func (Redirect) Kind() Kind { return KindRedirect }
func (Hangup) Kind() Kind   { return KindHangup }
func (*PIN) Kind() Kind     { return KindPIN }
func (*Agent) Kind() Kind   { return KindAgent }
func (*Switch) Kind() Kind  { return KindSwitch }

func (*Gather) step()  {}
func (Goto) step()     {}
func (*Dial) step()    {}
func (*Record) step()  {}
func (*Enqueue) step() {}
func (Redirect) step() {}
func (Hangup) step()   {}
func (*PIN) step()     {}
func (*Agent) step()   {}
func (*Switch) step()  {}
