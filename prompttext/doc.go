// Package prompttext renders the text of a prompt from a call's variables: Go text/template with
// a fixed set of functions (money, digits, date, sayas) and nothing else. [Template.Parts] returns
// the text as the parts of a <Say>, sayas's values as SSML <say-as> parts (package twiml).
package prompttext
