package pgpolicy

import (
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxadapter "github.com/pckhoi/casbin-pgx-adapter/v3"
)

// This is the only file that imports Casbin or its adapter: the adapter owns the table, its ids,
// and every write to it.

// adapter writes rules through the Casbin pgx adapter.
type adapter struct{ a *pgxadapter.Adapter }

// newAdapter wraps the pool in the adapter; with create, the adapter creates its table when it
// is missing.
func newAdapter(pool *pgxpool.Pool, timeout time.Duration, create bool) (*adapter, error) {
	opts := []pgxadapter.Option{pgxadapter.WithConnectionPool(pool), pgxadapter.WithTimeout(timeout)}
	if !create {
		opts = append(opts, pgxadapter.WithSkipTableCreate())
	}
	a, err := pgxadapter.NewAdapter(nil, opts...)
	if err != nil {
		return nil, err
	}
	return &adapter{a: a}, nil
}

// add stores rules of one type, in one transaction.
func (d *adapter) add(ptype string, rules [][]string) error {
	return d.a.AddPolicies("", ptype, rules)
}

// remove deletes rules of one type, in one transaction.
func (d *adapter) remove(ptype string, rules [][]string) error {
	return d.a.RemovePolicies("", ptype, rules)
}

// replace makes rules the whole policy, in one transaction (the adapter's SavePolicy deletes
// every row and copies the new ones in).
func (d *adapter) replace(rules []Rule) error {
	m := model.Model{"p": model.AssertionMap{"p": &model.Assertion{}}, "g": model.AssertionMap{"g": &model.Assertion{}}}
	for _, r := range rules {
		m[r.Type][r.Type].Policy = append(m[r.Type][r.Type].Policy, r.Fields)
	}
	return d.a.SavePolicy(m)
}
