// Package diagram draws a flow: every menu with what the caller hears first, the permission it
// asks for, its sensitive and business-hours marks and navigation keys, and every way a call
// moves between menus, as Mermaid or Graphviz DOT.
//
// One [Diagram] serves `switchboard graph`, the console and the tests. Nothing here lays a
// diagram out: Graphviz (`dot`, or the console's copy of it that runs in the browser) turns the
// DOT into a picture, so no process that links this package carries a layout engine. It never shows what a
// caller types on a sensitive menu: the option keys of such a menu (extensions, PINs) are
// masked in every format.
package diagram
