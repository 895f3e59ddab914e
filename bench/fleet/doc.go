// Package fleet holds the fleet test: three `switchboard serve` processes sharing one PostgreSQL
// policy and one Redis, driven on loopback through a policy change, a replay, a forged flood, and
// an outage of each server. Run it with bench/fleet.sh; it needs the servers .ci/services.sh runs.
package fleet
