package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

// env names of what `serve` reads about signatures beyond the auth tokens.
const (
	envAllowedHosts = "SWITCHBOARD_ALLOWED_HOSTS"
	envBasicAuth    = "SWITCHBOARD_BASIC_AUTH"
	envSharedKeys   = "TWILIO_WEBHOOK_SHARED_KEYS"
)

// sigConfig is what `serve` reads about signatures beyond the auth tokens: the hosts a signed
// URL may name, the webhook shared keys, and the Basic credentials file.
type sigConfig struct {
	allowed    defaultedList
	sharedKeys string // "name=secret,name=secret", from the environment only: secrets stay out of ps
	basicAuth  string
}

// register adds the flags to fs, with their defaults from the environment.
func (c *sigConfig) register(fs *flag.FlagSet, getenv func(string) string) {
	if v := getenv(envAllowedHosts); v != "" {
		c.allowed.values = strings.Split(v, ",")
	}
	fs.Var(&c.allowed, "allowed-host", "`host` (name or address, optional :port) a signed URL may name when --public-url is not set; repeatable ["+envAllowedHosts+", comma-separated]")
	fs.StringVar(&c.basicAuth, "basic-auth", getenv(envBasicAuth), "Basic credentials `file` for webhook URLs with user:password@ (the keys file's format, mode 600) ["+envBasicAuth+"]")
	c.sharedKeys = getenv(envSharedKeys)
}

// hosts returns the allowed hosts, trimmed, without empty entries.
func (c *sigConfig) hosts() []string {
	var out []string
	for _, h := range c.allowed.values {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// shared parses TWILIO_WEBHOOK_SHARED_KEYS: comma-separated name=secret pairs, the name as
// X-Twilio-Webhooks-Signature-Settings gives it.
func (c *sigConfig) shared() (map[string]principals.Secret, error) {
	if strings.TrimSpace(c.sharedKeys) == "" {
		return nil, nil
	}
	keys := map[string]principals.Secret{}
	for i, pair := range strings.Split(c.sharedKeys, ",") {
		name, secret, ok := strings.Cut(strings.TrimSpace(pair), "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok || name == "" || secret == "":
			return nil, fmt.Errorf("%s: entry %d is not name=secret", envSharedKeys, i+1)
		case !keys[name].IsZero():
			return nil, fmt.Errorf("%s: the key %q is listed twice", envSharedKeys, name)
		}
		keys[name] = principals.NewSecret(secret)
	}
	return keys, nil
}

// unboundWarning is what `serve` says when a real token is set but nothing binds a signature to
// this server: any request Twilio signed for another app of the account would verify here.
func (c *sigConfig) unboundWarning(realToken bool, publicURL string) string {
	if !realToken || publicURL != "" || len(c.hosts()) > 0 {
		return ""
	}
	return "SIGNATURES ARE NOT BOUND TO THIS SERVER: " + envToken + " is set but neither --public-url nor --allowed-host is, so the host a signature is checked against is whatever the request's Host header says, and a request Twilio signed for another app of the same account (a staging server) is accepted here. Set --public-url, or --allowed-host for each host Twilio calls."
}
