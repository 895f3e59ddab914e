// Package prompttext renders the text of a prompt from a call's variables: Go text/template with
// a fixed set of functions (money, digits, date) and nothing else.
package prompttext
