// Package diagram draws a flow: every menu with what the caller hears first, the permission it
// asks for, its sensitive and business-hours marks and navigation keys, and every way a call
// moves between menus, as Mermaid, Graphviz DOT or SVG.
//
// One [Diagram] serves `switchboard graph`, the console and the tests. It never shows what a
// caller types on a sensitive menu: the option keys of such a menu (extensions, PINs) are
// masked in every format.
package diagram
