// Package authz decides whether any of a request's effective principals holds a permission on a
// route, over a Casbin model and policy, and says which policy line decided.
//
// # Semantics
//
// A request is a principal set, a route (the Echo route pattern the framework registered, such as
// "/ivr/welcome") and a permission ("view", "call", "admin", "metrics", or any verb a route
// declares). A policy line "p, subject, route pattern, permission, allow|deny" matches the
// request when:
//
//   - its subject is one of the principals, or a group one of them belongs to through "g, member,
//     group" lines, followed transitively;
//   - its route pattern matches the route with Casbin's keyMatch2 rules ("/ivr/*" matches every
//     path under /ivr/, ":name" matches one path segment);
//   - its permission is the one asked for, or "*", which means every permission.
//
// The request is allowed when some matching line allows and no matching line denies. A deny wins
// wherever it stands in the file: this differs on purpose from Pyramid's ACLs, where the first
// matching entry decides, so that a blocklist line cannot be defeated by an allow written above
// it. With no matching line the request is denied.
//
// # Policies are values
//
// An [Authorizer] never changes after [New] or [Load] return it; reloading a policy means building
// a new one and swapping a pointer. Each Authorizer caches its decisions, keyed by the route, the
// permission and only those principals the policy mentions: a principal no line names (a fresh
// caller:+E164 number) cannot change a decision, so it does not make the cache miss.
package authz
