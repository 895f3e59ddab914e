// Package pgpolicy keeps Switchboard's Casbin policy in PostgreSQL, so that every replica of a
// line serves one policy that an operator changes in one place.
//
// Rules live in the table of the Casbin pgx adapter (github.com/pckhoi/casbin-pgx-adapter/v3,
// which still speaks casbin/v2): casbin_rule(id, p_type, v0…v5), where id is the adapter's hash
// of the rule's fields, so a rule has the same id in every database and every replica. [Setup]
// adds a version counter and a trigger that bumps it and sends a NOTIFY on the channel
// switchboard_policy after every statement that changes the table — whoever makes the change,
// this package, the adapter in another Casbin program, or psql.
//
// A [Store] reads the whole policy with its version in one snapshot, and changes it under a lock,
// validating the result as a whole policy before it commits, so that a typo never reaches a
// replica. A [Source] is a Store as an App's framework.PolicySource: it names every rule by its
// id ("policy-db rule ca9803c5…"), tells the App of a change within a moment of its commit
// (LISTEN), polls the version in case a notification was lost, and keeps the last policy it read
// while the database is away.
package pgpolicy
