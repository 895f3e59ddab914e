package flow

import (
	"reflect"
	"slices"
	"strings"

	"github.com/switchboard-ivr/switchboard/internal/didyoumean"
)

// LanguageParam is the query parameter that names a call's language in the URLs a flow with
// [Languages.Others] renders (/ivr/welcome/gather?i=0&n=0&l=es-MX). Twilio signs it with the
// URL, and the server seals it into the call's state token with the rest of the query, so a
// request names the language its call is in. A request without one is in the language
// [Languages.ByCalled] gives its Called number (the same on every request of a call), else
// [Languages.Default]: a call that stays in that language carries no language, and no state.
// A call that chose the default language on a by_called number names it (l=en-US).
const LanguageParam = "l"

// language is one rendering of a flow: a language, and how its URLs name it.
type language struct {
	idx   int    // the rendering's index: 0 is the default language, named by no URL
	tag   string // "" in a flow of one language that names none
	param string // LanguageParam=tag, appended to every URL; "" for rendering 0
	voice voice  // the voice and language prompts start from
	dflt  bool   // the flow's default language (rendering 0, or the one URLs name explicitly)
	multi bool   // the flow has several languages
}

// languagesOf returns the renderings of f: its default language (its URLs name no language),
// then each of languages.others (their URLs name them), then, when languages.by_called sends
// some calls elsewhere, the default language once more with URLs that name it, for those calls
// when they choose it. A flow without languages.others has one rendering.
func languagesOf(f *Flow) []language {
	def := f.Defaults.Language
	if f.Languages.Default != "" {
		def = f.Languages.Default
	}
	tags := []string{def}
	for _, t := range f.Languages.Others {
		if t != def && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	out := make([]language, len(tags))
	for i, t := range tags {
		v := voice{voice: f.Defaults.Voice, language: t}
		if i > 0 {
			v.voice = "" // the default language's voice would read the words wrong
		}
		if vv := f.Defaults.Voices[t]; vv != "" {
			v.voice = vv
		}
		out[i] = language{idx: i, tag: t, voice: v, dflt: i == 0, multi: len(tags) > 1}
		if i > 0 {
			out[i].param = LanguageParam + "=" + t
		}
	}
	if len(tags) > 1 && len(f.Languages.ByCalled) > 0 {
		named := out[0]
		named.idx, named.param = len(out), LanguageParam+"="+def
		out = append(out, named)
	}
	return out
}

// langTable picks a request's rendering among a compiled flow's.
type langTable struct {
	tags     []string       // the languages, the default first; rendering i < len(tags) speaks tags[i]
	named    int            // the rendering whose URLs name the default language; 0 when none
	byCalled map[string]int // called number → rendering; bounded by the flow file
}

// index returns the rendering of a request: the language the query's l= names when it is one of
// the flow's, else the called number's, else the default (0).
func (lt *langTable) index(query, called string) int {
	if lt == nil {
		return 0
	}
	if v := queryValue(query, LanguageParam); v != "" {
		if v == lt.tags[0] {
			return lt.named
		}
		for i, t := range lt.tags {
			if t == v {
				return i
			}
		}
	}
	if called == "" || len(lt.byCalled) == 0 {
		return 0
	}
	if i, ok := lt.byCalled[called]; ok {
		return i
	}
	return 0
}

// Language returns the language tag this rendering of the flow speaks ("" in a flow of one
// language that names none).
func (c *Compiled) Language() string { return c.lang }

// Languages returns the languages the flow speaks, the default first: one element ("" when the
// flow names none) unless it declares languages.others.
func (c *Compiled) Languages() []string {
	if c.lt == nil {
		return c.one
	}
	return c.lt.tags
}

// CallLanguage returns which rendering of the flow a request speaks, for [Compiled.InLanguage]:
// the language its query names ([LanguageParam]), else the one languages.by_called gives the
// number it called (the Called form field), else the default (0).
func (c *Compiled) CallLanguage(query, called string) int { return c.lt.index(query, called) }

// InLanguage returns the flow as rendered for a [Compiled.CallLanguage] index: its error flows
// ([Compiled.ErrorFlow]) speak that language, and their URLs carry it. Routes answer in the
// language of each request themselves. An index out of range is the default rendering.
func (c *Compiled) InLanguage(i int) *Compiled {
	if i <= 0 || i >= len(c.alt) {
		return c
	}
	return c.alt[i]
}

// say returns the text of a translatable string in the language nc renders, and the voice to
// speak it in: a missing translation is the default language's text in the default language's
// voice, never words read by another language's voice.
func (nc *nodeCompiler) say(text string, translations map[string]string) (string, voice) {
	if nc.lang.dflt {
		return text, nc.voice
	}
	if t := translations[nc.lang.tag]; t != "" {
		return t, nc.voice
	}
	return text, nc.c.langs[0].voice
}

// link returns the URL the TwiML names for a path (with its query) of this flow: under the URL
// prefix, with the language nc renders in.
func (nc *nodeCompiler) link(path string) string {
	u := nc.c.url(path)
	if nc.lang.param == "" {
		return u
	}
	if strings.IndexByte(u, '?') >= 0 {
		return u + "&" + nc.lang.param
	}
	return u + "?" + nc.lang.param
}

// inLanguage returns a copy of nc that renders in the language tagged tag, in that language's
// voice, sharing nc's dial and record sites; done copies the sites found back into nc. A switch
// to the default language picks the rendering whose URLs name it, when there is one, so that the
// choice outlasts a by_called number's language.
func (nc *nodeCompiler) inLanguage(tag string) (sw *nodeCompiler, done func()) {
	for i := len(nc.c.langs) - 1; i >= 0; i-- {
		l := &nc.c.langs[i]
		if l.tag != tag {
			continue
		}
		if l == nc.lang {
			break
		}
		cp := *nc
		cp.lang, cp.voice = l, l.voice
		return &cp, func() { nc.dials, nc.records, nc.sites = cp.dials, cp.records, cp.sites }
	}
	return nc, func() {}
}

// Built-in texts by language (the primary subtag of a tag): what a flow that sets none says.
// A language without its own hears English.
type builtinKey uint8

const (
	textInvalid builtinKey = iota
	textNoInput
	textGoodbye
	textPINPrompt
	textPINWrong
	textErrors      // then one per ErrorKind
	numBuiltinTexts = textErrors + builtinKey(numErrorKinds)
)

var builtinTexts = map[string]*[numBuiltinTexts]string{
	"en": {
		textInvalid: "Sorry, that is not a valid choice.", textNoInput: "Sorry, we did not get your choice.",
		textGoodbye: "Goodbye.", textPINPrompt: "Please enter your PIN, then press pound.", textPINWrong: "That PIN is not correct.",
		textErrors + builtinKey(Unauthenticated): "We're sorry, we could not verify this call.",
		textErrors + builtinKey(Forbidden):       "We're sorry, this line is not available to you.",
		textErrors + builtinKey(NotFound):        "We're sorry, that option is not available.",
		textErrors + builtinKey(Internal):        "We're sorry, something went wrong.",
		textErrors + builtinKey(Denied):          "This call cannot be completed.",
	},
	"es": {
		textInvalid: "Lo sentimos, esa opción no es válida.", textNoInput: "Lo sentimos, no recibimos su opción.",
		textGoodbye: "Adiós.", textPINPrompt: "Por favor, marque su PIN y luego la tecla de número.", textPINWrong: "Ese PIN no es correcto.",
		textErrors + builtinKey(Unauthenticated): "Lo sentimos, no pudimos verificar esta llamada.",
		textErrors + builtinKey(Forbidden):       "Lo sentimos, esta línea no está disponible para usted.",
		textErrors + builtinKey(NotFound):        "Lo sentimos, esa opción no está disponible.",
		textErrors + builtinKey(Internal):        "Lo sentimos, algo salió mal.",
		textErrors + builtinKey(Denied):          "No se puede completar esta llamada.",
	},
	"fr": {
		textInvalid: "Désolé, ce choix n'est pas valide.", textNoInput: "Désolé, nous n'avons pas reçu votre choix.",
		textGoodbye: "Au revoir.", textPINPrompt: "Veuillez entrer votre NIP, puis le carré.", textPINWrong: "Ce NIP n'est pas correct.",
		textErrors + builtinKey(Unauthenticated): "Désolé, nous n'avons pas pu vérifier cet appel.",
		textErrors + builtinKey(Forbidden):       "Désolé, cette ligne ne vous est pas accessible.",
		textErrors + builtinKey(NotFound):        "Désolé, cette option n'est pas disponible.",
		textErrors + builtinKey(Internal):        "Désolé, une erreur s'est produite.",
		textErrors + builtinKey(Denied):          "Cet appel ne peut pas être complété.",
	},
}

// builtinPrompt returns a built-in text as a prompt: English, translated into every language of the
// flow that has the text.
func (c *compiler) builtinPrompt(k builtinKey) Prompt {
	p := Prompt{Say: builtinText(k, c.langs[0].tag)}
	for _, l := range c.langs[1:] {
		if p.Translations == nil {
			p.Translations = map[string]string{}
		}
		p.Translations[l.tag] = builtinText(k, l.tag)
	}
	return p
}

// builtinText returns a built-in text in the language tagged tag, or in English.
func builtinText(k builtinKey, tag string) string {
	primary, _, _ := strings.Cut(tag, "-")
	if t, ok := builtinTexts[primary]; ok {
		return t[k]
	}
	return builtinTexts["en"][k]
}

// languages checks a flow's languages, and every translated text and language switch against
// them: a translation into an undeclared language, or a say with no text in the default
// language, is an error; a say without a translation into one of languages.others is a warning
// (those callers hear the default language's text).
func (c *checker) languages() {
	f := c.f
	ls := f.Languages
	langs := languagesOf(f)
	if n := len(langs); n > 1 && langs[n-1].dflt {
		langs = langs[:n-1] // the default's second rendering is no language of its own
	}
	def := langs[0].tag
	if ls.Default == "" && (len(ls.Others) > 0 || len(ls.ByCalled) > 0) {
		c.errorf("languages", "languages needs default: the language every call starts in and every prompt has")
	}
	if ls.Default != "" && f.Defaults.Language != "" && f.Defaults.Language != ls.Default {
		c.errorf(joinKey("defaults", "language"), "is %s but languages.default is %s: leave defaults.language out", f.Defaults.Language, ls.Default)
	}
	seen := map[string]bool{ls.Default: true}
	for i, t := range ls.Others {
		if seen[t] && t != "" {
			c.errorf(joinIndex(joinKey("languages", "others"), i), "%s is listed twice (or is the default)", t)
		}
		seen[t] = true
	}
	declared := func(t string) bool { return slices.ContainsFunc(langs, func(l language) bool { return l.tag == t }) }
	known := func(t string) string { // what to say of tag t, which the flow does not declare
		tags := make([]string, 0, len(langs))
		for _, l := range langs {
			if l.tag != "" {
				tags = append(tags, l.tag)
			}
		}
		if len(tags) == 0 {
			return "the flow declares none: add languages: {default: en-US, others: [es-MX]}"
		}
		hint := strings.TrimSuffix(strings.TrimPrefix(didyoumean.Hint(t, tags), " ("), ")") // did you mean "es-MX"?
		if hint != "" {
			hint += " "
		}
		return hint + "the flow's languages are " + strings.Join(tags, ", ")
	}
	for _, num := range sortedKeys(ls.ByCalled) {
		if t := ls.ByCalled[num]; languageRe.MatchString(t) && !declared(t) {
			c.errorf(joinKey(joinKey("languages", "by_called"), num), "%s is not among the flow's languages (%s)", t, known(t))
		}
	}
	for _, t := range sortedKeys(f.Defaults.Voices) {
		if languageRe.MatchString(t) && !declared(t) {
			c.keyErrorf(joinKey(joinKey("defaults", "voices"), t), "%s is not among the flow's languages (%s)", t, known(t))
		}
	}
	for _, name := range sortedKeys(f.Menus) {
		if n := f.Menus[name]; n != nil && n.SetLanguage != "" {
			c.errorf(joinKey("menus", name), "a menu's own body cannot switch the call's language; switch in a destination, such as an option: {language: %s, goto: %s}", n.SetLanguage, name)
		}
	}
	switched := map[string]string{} // the path of a destination that switches language → that language
	walkFlow(reflect.ValueOf(f).Elem(), "", func(path string, v reflect.Value) {
		switch x := v.Addr().Interface().(type) {
		case *Prompt:
			if x.Say == "" && len(x.Translations) == 0 {
				return
			}
			if to, ok := switched[parentPath(parentPath(path))]; ok && x.Language == "" {
				// Said after the switch: only the new language's text is ever heard.
				if x.Translations[to] == "" && (to != def || x.Say == "") && declared(to) {
					c.errorf(joinKey(path, "say"), "has no %s text: this destination switches the call to %s before it speaks", to, to)
				}
				for _, t := range sortedKeys(x.Translations) {
					if !declared(t) {
						c.keyErrorf(joinKey(joinKey(path, "say"), t), "%s is not among the flow's languages (%s)", t, known(t))
					}
				}
				return
			}
			c.translated(joinKey(path, "say"), x.Say, x.Translations, x.Language != "", langs, declared, known)
		case *Agent:
			if x.Welcome != "" || len(x.WelcomeTranslations) > 0 {
				c.translated(joinKey(path, "welcome"), x.Welcome, x.WelcomeTranslations, x.Language != "", langs, declared, known)
			}
			// A voice or provider by language needs no entry for every language (the others
			// keep the agent's own), only declared ones.
			for _, by := range []struct {
				field string
				tr    map[string]string
			}{{"voice", x.VoiceTranslations}, {"tts_provider", x.ProviderTranslations}} {
				for _, t := range sortedKeys(by.tr) {
					if !declared(t) {
						c.keyErrorf(joinKey(joinKey(path, by.field), t), "%s is not among the flow's languages (%s)", t, known(t))
					}
				}
			}
		case *Action:
			if t := x.SetLanguage; t != "" && languageRe.MatchString(t) && !declared(t) {
				c.errorf(joinKey(path, "language"), "%s is not among the flow's languages (%s)", t, known(t))
			} else if t != "" {
				switched[path] = t
			}
		}
	})
}

// translated checks one translatable text at path.
func (c *checker) translated(path, text string, tr map[string]string, pinned bool, langs []language, declared func(string) bool, known func(string) string) {
	def := langs[0].tag
	if def == "" && text == "" {
		// A flow that names no language at all: one problem, not one more for each tag.
		c.errorf(path, "a say by language needs the flow's languages: add languages: {default: …, others: […]}")
		return
	}
	for _, t := range sortedKeys(tr) {
		switch {
		case t == def && def != "":
			c.keyErrorf(joinKey(path, t), "%s is the default language, whose text is the say itself", t)
		case !declared(t):
			c.keyErrorf(joinKey(path, t), "%s is not among the flow's languages (%s)", t, known(t))
		}
	}
	if text == "" {
		c.errorf(path, "has no %s text: every say needs the default language's, which callers hear when their language has none", def)
		return
	}
	if pinned || len(langs) < 2 {
		return
	}
	var missing []string
	for _, l := range langs[1:] {
		if tr[l.tag] == "" {
			missing = append(missing, l.tag)
		}
	}
	if len(missing) > 0 {
		c.warnf(path, "no %s translation: callers in %s hear the %s text", strings.Join(missing, ", "), strings.Join(missing, ", "), def)
	}
}

// walkFlow calls visit with every struct value under v that can be addressed, and its field
// path: menus, their steps (under the step's key), destinations, prompts, error flows.
func walkFlow(v reflect.Value, path string, visit func(path string, v reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkFlow(v.Elem(), path, visit)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if s, ok := v.Interface().(Step); ok {
			e := v.Elem()
			if e.Kind() == reflect.Pointer {
				walkFlow(e, joinKey(path, s.Kind().String()), visit)
			}
		}
	case reflect.Struct:
		if v.CanAddr() {
			visit(path, v)
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			switch {
			case f.Type == typeStep:
				walkFlow(v.Field(i), path, visit)
			case f.Anonymous && yamlName(f) == "":
				walkFlow(v.Field(i), path, visit)
			case yamlName(f) != "":
				walkFlow(v.Field(i), joinKey(path, yamlName(f)), visit)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkFlow(v.Index(i), joinIndex(path, i), visit)
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			e := v.MapIndex(k)
			if e.Kind() == reflect.Struct { // a map value cannot be addressed: walk a copy
				cp := reflect.New(e.Type()).Elem()
				cp.Set(e)
				e = cp
			}
			walkFlow(e, joinKey(path, k.String()), visit)
		}
	}
}
