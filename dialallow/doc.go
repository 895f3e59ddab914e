// Package dialallow decides which phone numbers a flow's dials and outbound calls may reach: a
// destination allowlist with premium-rate prefixes refused unless listed (toll-fraud limits).
package dialallow
