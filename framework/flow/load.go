package flow

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/switchboard-ivr/switchboard/internal/didyoumean"
	"github.com/switchboard-ivr/switchboard/internal/yamldoc"
)

// Options configure Parse, Load and Validate. A nil *Options is valid.
type Options struct {
	// Grants reports whether any line of the authorization policy grants permission to anybody.
	// Optional; when nil, permissions are not checked. A node whose permission is never granted
	// loads with a warning: nobody could reach it.
	Grants func(permission string) bool
	// Open reports whether the policy lets every caller, whoever they are, use permission on
	// route (a menu's route, such as /ivr/welcome): some line grants it to everybody and no
	// line denies it to anybody, so a refused caller sent there cannot be refused again.
	// Optional; when nil, any menu may refuse a caller, and a forbidden or unauthenticated
	// flow may not lead back into a refusal at all (see the package documentation). Compile,
	// which checks a flow without a policy, counts every menu as one that may refuse, unless
	// CompileOptions.Validated says the flow was validated (with this hook) already.
	Open func(route, permission string) bool
	// Secrets reports whether the PIN secrets file holds a PIN named name. Optional; when nil,
	// a pin node's secret is not checked. With it, a pin node whose secret the file lacks is an
	// error: no caller could ever pass it.
	Secrets func(name string) bool
	// Env looks up the environment variables a backend's url names (url: ${BANK_URL}).
	// Optional; os.Getenv.
	Env func(name string) string
}

// Load reads and parses the flow file at path. See [Parse].
func Load(path string, opts *Options) (*Flow, Problems) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error() // the position already names the file
		}
		return nil, Problems{{Pos: Pos{File: path}, Message: "cannot read the flow file: " + msg}}
	}
	return Parse(path, data, opts)
}

// Parse decodes a YAML flow file and validates it, returning every problem at once, each with its
// file:line:col and YAML field path. The flow is nil when some problem is an error (see
// [Problems.Err]); warnings alone leave it usable. filename is only used in positions.
func Parse(filename string, data []byte, opts *Options) (*Flow, Problems) {
	root, probs := parseYAML(filename, data)
	if root == nil {
		return nil, probs
	}
	l := &loader{file: filename, pos: &positions{val: map[string]Pos{}, key: map[string]Pos{}}, lang: defaultLanguageIn(root)}
	var f Flow
	l.decode(root, reflect.ValueOf(&f).Elem(), "", 0)
	f.pos = l.pos
	l.backendURLs(&f, opts)
	if len(l.probs) > 0 {
		// Report what validation finds too, so that a typo in one key does not hide a wrong
		// number elsewhere; but a value that did not decode was left unset, and what validation
		// says at, under or above its path would only be noise. When a whole menu (or all of
		// them) did not decode, every reference to it would be noise too: report the decoding
		// problems alone.
		probs = l.probs
		if !l.menusIntact() {
			sortProblems(probs)
			return nil, probs
		}
		for _, p := range f.Validate(opts) {
			if !l.related(p.Path) {
				probs = append(probs, p)
			}
		}
		sortProblems(probs)
		return nil, probs
	}
	probs = f.Validate(opts)
	if probs.Err() != nil {
		return nil, probs
	}
	return &f, probs
}

// parseYAML parses data into its single document's root node.
func parseYAML(filename string, data []byte) (*yaml.Node, Problems) {
	root, err := yamldoc.Parse(data, "flow file")
	if err != nil {
		return nil, Problems{{Pos: Pos{File: filename, Line: err.Line, Col: err.Col}, Message: err.Message}}
	}
	return root, nil
}

// positions remembers where each field path was in the file: val for a value, key for a map key.
type positions struct {
	val map[string]Pos
	key map[string]Pos
}

// at returns the position of path's value, or of its nearest recorded ancestor.
func (ps *positions) at(path string) Pos {
	if ps == nil {
		return Pos{}
	}
	for {
		if p, ok := ps.val[path]; ok {
			return p
		}
		if path == "" {
			return Pos{}
		}
		path = parentPath(path)
	}
}

// atKey returns the position of the map key that ends path, or of its value.
func (ps *positions) atKey(path string) Pos {
	if ps != nil {
		if p, ok := ps.key[path]; ok {
			return p
		}
	}
	return ps.at(path)
}

// parentPath strips the last segment of a field path: a.b["c"] → a.b, a.b → a, a → "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		// Find the "[" that opens the last segment, skipping a quoted key.
		if strings.HasSuffix(path, `"]`) {
			for i := len(path) - 3; i >= 1; i-- {
				if path[i] == '"' && path[i-1] == '[' {
					if s, err := strconv.Unquote(path[i : len(path)-1]); err == nil && strconv.Quote(s) == path[i:len(path)-1] {
						return path[:i-1]
					}
				}
			}
			return ""
		}
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// isIdentifier reports whether key matches [A-Za-z_][A-Za-z0-9_]*.
func isIdentifier(key string) bool {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return key != ""
}

// joinKey appends a map key or struct field to a path: .name when it reads as an identifier,
// ["key"] otherwise.
func joinKey(path, key string) string {
	if isIdentifier(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func joinIndex(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// loader decodes a yaml.Node tree into the flow structs by hand (not with yaml.Node.Decode) so
// that it can report every unknown key, wrong type and duplicate at once with its line and
// column, and remember where each field was for the validator's problems.
type loader struct {
	file       string
	probs      Problems
	pos        *positions
	aliasSteps int                 // values decoded through an alias
	expanding  map[*yaml.Node]bool // anchors being decoded, to refuse an alias inside its anchor
	unset      []string            // paths of values that could not be decoded
	lang       string              // the flow's default language: its text in a translated string goes to the string
}

// defaultLanguageIn returns the default language a flow file names, languages.default or else
// defaults.language, read before the file is decoded so that a translated prompt anywhere can
// put that language's text in [Prompt.Say].
func defaultLanguageIn(root *yaml.Node) string {
	lookup := func(n *yaml.Node, key string) *yaml.Node {
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	for _, at := range [][2]string{{"languages", "default"}, {"defaults", "language"}} {
		if v := lookup(lookup(root, at[0]), at[1]); v != nil && v.Kind == yaml.ScalarNode && languageRe.MatchString(v.Value) {
			return v.Value
		}
	}
	return ""
}

// Limits on alias expansion ("billion laughs"): aliases may share a prompt or an action many
// times over, but not multiply a document without bound.
const (
	maxAliasDepth = 32
	maxAliasSteps = 100_000
)

// problem records a value at path that could not be decoded, and so was left unset.
func (l *loader) problem(p Pos, path, format string, args ...any) {
	l.unset = append(l.unset, path)
	l.keyProblem(p, path, format, args...)
}

// keyProblem records a problem with a key (unknown, duplicate) that leaves the values around it
// decoded.
func (l *loader) keyProblem(p Pos, path, format string, args ...any) {
	l.probs = append(l.probs, Problem{Pos: p, Path: path, Message: fmt.Sprintf(format, args...)})
}

// menusIntact reports whether every menu decoded as a mapping, so that references between menus
// can still be checked.
func (l *loader) menusIntact() bool {
	for _, u := range l.unset {
		if u == "" || wholeMenu.MatchString(u) {
			return false
		}
	}
	return true
}

// wholeMenu matches the path of all the menus or of one: menus, menus.sales, menus["es/main"].
var wholeMenu = regexp.MustCompile(`^menus(\.[^.\[]+|\["(?:[^"\\]|\\.)*"\])?$`)

// related reports whether path is at, under or above a path left unset by a decoding problem.
func (l *loader) related(path string) bool {
	within := func(a, b string) bool { // a is b or below it
		return a == b || b == "" || strings.HasPrefix(a, b) && (a[len(b)] == '.' || a[len(b)] == '[')
	}
	for _, u := range l.unset {
		if within(path, u) || within(u, path) {
			return true
		}
	}
	return false
}

func (l *loader) at(n *yaml.Node) Pos { return Pos{File: l.file, Line: n.Line, Col: n.Column} }

var (
	typePrompts = reflect.TypeFor[Prompts]()
	typePrompt  = reflect.TypeFor[Prompt]()
	typeAction  = reflect.TypeFor[Action]()
	typeDial    = reflect.TypeFor[Dial]()
	typeNode    = reflect.TypeFor[Node]()
	typeStep    = reflect.TypeFor[Step]()
)

// shorthand names the key a plain string sets, for the types that accept one.
func shorthand(t reflect.Type) string {
	switch t {
	case typePrompt:
		return "say"
	case typeAction:
		return "goto"
	case typeDial:
		return "number"
	}
	return ""
}

// decode decodes n into v, recording where it was under path. It follows aliases (within the
// limits above), then decodes by v's kind.
func (l *loader) decode(n *yaml.Node, v reflect.Value, path string, depth int) {
	n, depth, ok := l.resolve(n, path, depth)
	if !ok {
		return
	}
	if n.Anchor != "" {
		if l.expanding == nil {
			l.expanding = map[*yaml.Node]bool{}
		}
		l.expanding[n] = true
		defer delete(l.expanding, n)
	}
	l.pos.val[path] = l.at(n)
	if yamldoc.IsNull(n) && v.Kind() != reflect.String {
		return // leave the zero value: absent
	}
	switch v.Kind() {
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		l.decode(n, e.Elem(), path, depth)
		v.Set(e)
	case reflect.Struct:
		l.decodeStruct(n, v, path, depth)
	case reflect.Map:
		l.decodeMap(n, v, path, depth)
	case reflect.Slice:
		l.decodeSlice(n, v, path, depth)
	default:
		l.decodeScalar(n, v, path)
	}
}

// resolve follows n's aliases to the node they name, refusing one nested too deeply, one inside
// its own anchor, and any once the document has expanded past maxAliasSteps values.
func (l *loader) resolve(n *yaml.Node, path string, depth int) (*yaml.Node, int, bool) {
	if n.Kind == yaml.AliasNode {
		alias := n
		for n.Kind == yaml.AliasNode {
			if depth++; depth > maxAliasDepth || n.Alias == nil {
				l.problem(l.at(alias), path, "aliases nest too deeply")
				return nil, depth, false
			}
			n = n.Alias
		}
		if l.expanding[n] {
			l.problem(l.at(alias), path, "alias *%s refers to a value that contains it", alias.Value)
			return nil, depth, false
		}
	}
	if depth > 0 {
		if l.aliasSteps++; l.aliasSteps > maxAliasSteps {
			if l.aliasSteps == maxAliasSteps+1 {
				l.problem(l.at(n), path, "aliases expand the document to more than %d values", maxAliasSteps)
			}
			return nil, depth, false
		}
	}
	return n, depth, true
}

// decodeStruct decodes a mapping (or a plain string, for the types with a shorthand) into a
// struct, reporting unknown keys with a suggestion. The keys of step kinds set the struct's
// Step field (see decodeStep).
func (l *loader) decodeStruct(n *yaml.Node, v reflect.Value, path string, depth int) {
	var pairs []pair
	if f := shorthand(v.Type()); f != "" && n.Kind == yaml.ScalarNode {
		pairs = []pair{{&yaml.Node{Kind: yaml.ScalarNode, Value: f}, n}} // a key at no position
	} else if n.Kind != yaml.MappingNode {
		l.problem(l.at(n), path, "must be a mapping, got %s", yamldoc.Describe(n))
		return
	} else {
		pairs = l.pairs(n, path, depth)
	}
	info := structOf(v.Type())
	if v.Type() == typePrompt && n.Kind == yaml.MappingNode && isLanguageMap(pairs, info) {
		// {en-US: Hello, es-MX: Hola} where a prompt goes: a say by language.
		pairs = []pair{{&yaml.Node{Kind: yaml.ScalarNode, Value: "say"}, n}}
	}
	var steps []pair
	for _, p := range pairs {
		if _, isStep := kindNamed(p.key.Value); isStep && info.step != nil {
			steps = append(steps, p)
			continue
		}
		idx, ok := info.fields[p.key.Value]
		if !ok {
			l.keyProblem(l.at(p.key), path, "unknown key %q%s", p.key.Value, suggest(p.key.Value, info))
			continue
		}
		sub := l.key(path, p.key)
		if t, ok := info.translations[p.key.Value]; ok {
			if val, _, ok := l.resolve(p.val, sub, depth); ok && val.Kind == yaml.MappingNode {
				l.pos.val[sub] = l.at(val)
				l.decodeTranslations(val, v.FieldByIndex(idx), v.FieldByIndex(t), sub, depth)
				continue
			}
		}
		l.decode(p.val, v.FieldByIndex(idx), sub, depth)
	}
	if len(steps) > 0 {
		l.decodeStep(steps, v.FieldByIndex(info.step), path, depth, v.Type() == typeNode)
	}
}

// isLanguageMap reports whether a mapping stands for the text of one say in several languages:
// none of its keys is a field of the struct it stands for, and one at least is a language tag
// (en-US, es-MX, fr). A key beside them that is no tag ({en-US: …, es-mx: …}) is then reported
// as a misspelt tag, not the whole mapping as a prompt of unknown keys.
func isLanguageMap(pairs []pair, info *structInfo) bool {
	tag := false
	for _, p := range pairs {
		if _, field := info.fields[p.key.Value]; field {
			return false
		}
		tag = tag || languageRe.MatchString(p.key.Value)
	}
	return tag
}

// tagHint suggests the language tag a misspelt one stands for: es-mx, es_MX and ES-mx are es-MX.
func tagHint(s string) string {
	lang, region, ok := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	t := strings.ToLower(lang)
	if ok {
		t += "-" + strings.ToUpper(region)
	}
	if t == s || !languageRe.MatchString(t) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", t)
}

// decodeTranslations decodes a mapping of language tag → text into a translatable string: the
// default language's text into text, the others into translations. Which tags the flow declares
// is the validator's to check.
func (l *loader) decodeTranslations(n *yaml.Node, text, translations reflect.Value, path string, depth int) {
	m := map[string]string{}
	for _, p := range l.pairs(n, path, depth) {
		sub := l.key(path, p.key)
		if !languageRe.MatchString(p.key.Value) {
			l.problem(l.at(p.key), sub, "must be a language tag such as en-US, es-MX or fr (a translated text maps each language to its text); got %q%s", yamldoc.Clip(p.key.Value, valueRunes), tagHint(p.key.Value))
			continue
		}
		var s string
		l.decode(p.val, reflect.ValueOf(&s).Elem(), sub, depth)
		if p.key.Value == l.lang {
			text.SetString(s)
			continue
		}
		m[p.key.Value] = s
	}
	if len(m) > 0 {
		translations.Set(reflect.ValueOf(m))
	}
}

// key records where the key that ends path+key is, and returns that path.
func (l *loader) key(path string, key *yaml.Node) string {
	sub := joinKey(path, key.Value)
	if key.Line > 0 {
		l.pos.key[sub] = l.at(key)
	}
	return sub
}

// decodeStep decodes the keys of step kinds (goto: …, dial: …) found in one mapping into the
// Step field v. A node or an action does one thing: a second kind is a problem, reported at the
// later key in the order of the kinds.
func (l *loader) decodeStep(keys []pair, v reflect.Value, path string, depth int, menu bool) {
	type found struct {
		kind Kind
		path string
		step Step
	}
	set := make([]found, 0, 2) // one step, or a problem with two
	for _, p := range keys {
		kind, _ := kindNamed(p.key.Value)
		k := &kinds[kind]
		sub := l.key(path, p.key)
		val := reflect.New(k.decode).Elem()
		l.decode(p.val, val, sub, depth)
		if val.IsZero() {
			continue // goto: "", hangup: false, dial: ~ set nothing
		}
		s, _ := val.Interface().(Step)
		if k.step != nil {
			s = k.step(val)
		}
		set = append(set, found{kind, sub, s})
	}
	if len(set) == 0 {
		return
	}
	slices.SortStableFunc(set, func(a, b found) int { return int(a.kind) - int(b.kind) })
	if len(set) > 1 {
		// Only the first is kept: check the fields of the others here, or their mistakes
		// would surface only once this one is fixed.
		for _, extra := range set[1:] {
			l.probs = append(l.probs, fieldProblems(&Action{Do: extra.step}, path, l.pos)...)
		}
		what := "an action"
		if menu {
			what = "a menu"
		}
		l.keyProblem(l.pos.at(set[1].path), set[1].path, "%s does one thing after say, but this one sets both %s and %s", what, set[0].kind, set[1].kind)
	}
	v.Set(reflect.ValueOf(set[0].step))
}

func (l *loader) decodeMap(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind != yaml.MappingNode {
		l.problem(l.at(n), path, "must be a mapping, got %s", yamldoc.Describe(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	for _, p := range l.pairs(n, path, depth) {
		e := reflect.New(v.Type().Elem()).Elem()
		l.decode(p.val, e, l.key(path, p.key), depth)
		m.SetMapIndex(reflect.ValueOf(p.key.Value).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

// decodeSlice decodes a list; a single prompt stands for a list of one.
func (l *loader) decodeSlice(n *yaml.Node, v reflect.Value, path string, depth int) {
	items := n.Content
	if n.Kind != yaml.SequenceNode {
		if v.Type() != typePrompts {
			l.problem(l.at(n), path, "must be a list, got %s", yamldoc.Describe(n))
			return
		}
		items = []*yaml.Node{n} // one prompt
	}
	s := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, item := range items {
		l.decode(item, s.Index(i), joinIndex(path, i), depth)
	}
	v.Set(s)
}

// decodeScalar decodes a string, a whole number or a boolean, refusing YAML of another type.
func (l *loader) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			l.problem(l.at(n), path, "must be a string, got %s", yamldoc.Describe(n))
			return
		}
		if !yamldoc.IsNull(n) {
			v.SetString(n.Value)
		}
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			l.problem(l.at(n), path, "must be a whole number, got %s", yamldoc.Describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			l.problem(l.at(n), path, "must be true or false, got %s", yamldoc.Describe(n))
			return
		}
		v.SetBool(b)
	default:
		panic("flow: no decoder for " + v.Type().String()) // a bug in this package's types
	}
}

type pair struct{ key, val *yaml.Node }

// pairs returns a mapping's key/value pairs, reporting non-string and duplicate keys, with the
// keys of "<<" merges that the mapping does not set itself.
func (l *loader) pairs(n *yaml.Node, path string, depth int) []pair {
	var out, merged []pair
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.problem(l.at(k), path, "keys must be strings, got %s", yamldoc.Describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, l.mergePairs(val, path, depth)...)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			l.keyProblem(l.at(k), path, "duplicate key %q (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, val})
	}
	for _, p := range merged {
		if _, set := seen[p.key.Value]; !set && p.key.Kind == yaml.ScalarNode {
			seen[p.key.Value] = p.key
			out = append(out, p)
		}
	}
	return out
}

// mergePairs returns the pairs a "<<" value brings in: an aliased mapping or a list of them.
func (l *loader) mergePairs(n *yaml.Node, path string, depth int) []pair {
	var out []pair
	srcs := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		srcs = n.Content
	}
	for _, s := range srcs {
		d := depth
		for s.Kind == yaml.AliasNode && s.Alias != nil && d < maxAliasDepth {
			s, d = s.Alias, d+1
		}
		if s.Kind != yaml.MappingNode {
			l.problem(l.at(s), path, "<< must merge a mapping, got %s", yamldoc.Describe(s))
			continue
		}
		for i := 0; i+1 < len(s.Content); i += 2 {
			out = append(out, pair{s.Content[i], s.Content[i+1]})
		}
	}
	return out
}

// valueRunes bounds how much of a value that decoded, and only broke a rule, a problem quotes
// (a value that did not decode is quoted up to yamldoc.DescribeRunes).
const valueRunes = 40

// structInfo is what the loader knows of a struct type: its fields by YAML name, through
// inline embedded structs, and its Step field.
type structInfo struct {
	fields       map[string][]int // yaml name → field index path
	step         []int            // the Step field's index path; nil when the type takes no step
	translations map[string][]int // yaml name of a translatable string → its translations' index path
}

var structInfos sync.Map // reflect.Type → *structInfo

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

func structOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string][]int{}, translations: map[string][]int{}}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			idx := append(slices.Clone(prefix), i)
			switch {
			case f.Type == typeStep:
				si.step = idx
			case f.Anonymous && f.Type.Kind() == reflect.Struct && yamlName(f) == "":
				walk(f.Type, idx)
			case f.Tag.Get("translates") != "":
				si.translations[f.Tag.Get("translates")] = idx
			case yamlName(f) != "":
				if _, shadowed := si.fields[yamlName(f)]; !shadowed { // Node.Language over its Action's
					si.fields[yamlName(f)] = idx
				}
			}
		}
	}
	walk(t, nil)
	structInfos.Store(t, si)
	return si
}

// suggest returns ` (did you mean "x"?)` for a key within two edits of a known one.
func suggest(key string, si *structInfo) string {
	names := slices.Collect(maps.Keys(si.fields))
	if si.step != nil {
		for _, k := range Kinds() {
			names = append(names, k.String())
		}
	}
	slices.Sort(names)
	return didyoumean.Hint(key, names)
}

// sortProblems orders problems by position; those without one keep their order, last.
func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if (a.Pos.Line == 0) != (b.Pos.Line == 0) {
			if a.Pos.Line == 0 {
				return 1
			}
			return -1
		}
		if c := strings.Compare(a.Pos.File, b.Pos.File); c != 0 {
			return c
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
}
