package twiml

import (
	"strconv"
	"unicode/utf8"
)

// This file holds the low-level writers every verb uses: escaping, attributes and element tags.
// They append to a byte slice and never allocate beyond growing it.

// replacement is U+FFFD, written in place of every character XML 1.0 cannot carry.
const replacement = "\uFFFD"

// escaper says how to write each byte of a string in one context. plain marks the ASCII bytes
// that are copied as they are, so the common case is one table load per byte; repl holds what
// the other ASCII bytes are written as. Bytes from 0x80 up are decoded as UTF-8.
type escaper struct {
	plain [256]bool
	repl  [utf8.RuneSelf]string
}

// textEscaper and attrEscaper escape element content and attribute values. Text keeps tab and LF
// literal; CR is written as a reference because parsers turn a raw CR into LF. Attribute values
// also escape quotes, and tab, LF and CR, which a parser would otherwise normalize to spaces.
// The C0 controls XML 1.0 forbids become U+FFFD in both.
var textEscaper, attrEscaper escaper

func init() {
	var text [utf8.RuneSelf]string
	for b := range 0x20 {
		if b != '\t' && b != '\n' && b != '\r' {
			text[b] = replacement
		}
	}
	text['&'] = "&amp;"
	text['<'] = "&lt;"
	text['>'] = "&gt;" // so "]]>" never appears in text
	text['\r'] = "&#xD;"
	attr := text
	attr['"'] = "&quot;"
	attr['\''] = "&apos;"
	attr['\t'] = "&#x9;"
	attr['\n'] = "&#xA;"
	textEscaper.repl, attrEscaper.repl = text, attr
	for b := range utf8.RuneSelf {
		textEscaper.plain[b] = text[b] == ""
		attrEscaper.plain[b] = attr[b] == ""
	}
}

// appendEscaped appends s to dst escaped by e, replacing invalid UTF-8 and the characters XML 1.0
// cannot carry with U+FFFD. Runs of plain bytes are copied in one append.
func appendEscaped(dst []byte, s string, e *escaper) []byte {
	last := 0
	for i := 0; i < len(s); {
		if e.plain[s[i]] {
			i++
			continue
		}
		var repl string
		width := 1
		if b := s[i]; b < utf8.RuneSelf {
			repl = e.repl[b]
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			if (r != utf8.RuneError || n == 3) && r != 0xFFFE && r != 0xFFFF {
				i += n // a valid character (n == 3 with RuneError is a literal U+FFFD)
				continue
			}
			repl, width = replacement, n // invalid UTF-8 (surrogates included) or a non-character
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, repl...)
		i += width
		last = i
	}
	return append(dst, s[last:]...)
}

// appendText appends s as element content.
func appendText(dst []byte, s string) []byte { return appendEscaped(dst, s, &textEscaper) }

// appendAttr appends ` name="value"`, or nothing when value is empty. name is passed with its
// leading space, equals sign and opening quote, as in ` action="`.
func appendAttr(dst []byte, name, value string) []byte {
	if value == "" {
		return dst
	}
	dst = append(dst, name...)
	dst = appendEscaped(dst, value, &attrEscaper)
	return append(dst, '"')
}

// appendIntAttr appends ` name="n"`, or nothing when n is 0.
func appendIntAttr(dst []byte, name string, n int) []byte {
	if n == 0 {
		return dst
	}
	dst = append(dst, name...)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '"')
}

// appendBoolAttr appends ` name="value"` when set is true. value is "true" or "false".
func appendBoolAttr(dst []byte, name, value string, set bool) []byte {
	if !set {
		return dst
	}
	dst = append(dst, name...)
	dst = append(dst, value...)
	return append(dst, '"')
}

// appendTextElement closes the start tag already written, then appends text and the end tag
// </name>; with no text, it closes the element as empty ("/>") instead.
func appendTextElement(dst []byte, name, text string) []byte {
	if text == "" {
		return append(dst, '/', '>')
	}
	dst = append(dst, '>')
	dst = appendText(dst, text)
	return appendEndTag(dst, name)
}

// appendEndTag appends </name>.
func appendEndTag(dst []byte, name string) []byte {
	dst = append(dst, '<', '/')
	dst = append(dst, name...)
	return append(dst, '>')
}

// AppendText appends s escaped as element content, exactly as a verb's text is written: for a
// caller that splices text into TwiML rendered earlier (a flow's prompt variables).
func AppendText(dst []byte, s string) []byte { return appendText(dst, s) }
