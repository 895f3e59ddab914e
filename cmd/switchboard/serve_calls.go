package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/switchboard-ivr/switchboard/dialallow"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/outbound"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Environment of POST /calls, documented in the README's "Dynamic calls" section.
const (
	envAccountSID = "TWILIO_ACCOUNT_SID"
	envAPIKey     = "TWILIO_API_KEY"
	envAPISecret  = "TWILIO_API_SECRET"
	envCallerID   = "TWILIO_CALLER_ID"
	envDialAllow  = "SWITCHBOARD_DIAL_ALLOW"
	envTwilioAPI  = "SWITCHBOARD_TWILIO_API_URL"
)

// callsConfig is what POST /calls needs: an account to place calls with, the number they come
// from, and the destinations they may reach.
type callsConfig struct {
	accountSID, apiKey, apiSecret, authToken string
	callerID, apiURL                         string
	dialAllow                                defaultedList
}

func (c *callsConfig) register(fs *flag.FlagSet, getenv func(string) string) {
	c.accountSID = getenv(envAccountSID)
	c.apiKey = getenv(envAPIKey)
	c.apiSecret = getenv(envAPISecret)
	c.authToken = getenv(envToken)
	if v := getenv(envDialAllow); v != "" {
		c.dialAllow.values = strings.Split(v, ",")
	}
	fs.StringVar(&c.callerID, "caller-id", getenv(envCallerID), "the E.164 Twilio `number` calls started by POST /calls come from ["+envCallerID+"]")
	fs.Var(&c.dialAllow, "dial-allow", "destination `pattern` POST /calls may call (+1, +44, +1555XXXXXXX); repeatable; premium-rate prefixes are refused unless listed ["+envDialAllow+", comma-separated]")
	fs.StringVar(&c.apiURL, "twilio-api-url", getenv(envTwilioAPI), "base `URL` replacing https://api.twilio.com, for a stand-in REST server ["+envTwilioAPI+"]")
}

// mount registers POST /calls on app when an account is configured, and says why not otherwise.
// rates, when not nil, holds the rate limits every replica shares (--state-redis).
func (c *callsConfig) mount(app *framework.App, cfg serveConfig, rates outbound.RateStore, log *slog.Logger) error {
	if c.accountSID == "" {
		log.Info("POST /calls is off: set " + envAccountSID + ", " + envCallerID + " and " + envToken + " (or " + envAPIKey + " and " + envAPISecret + ") to start outbound calls")
		return nil
	}
	if cfg.publicURL == "" {
		return errors.New(envAccountSID + " is set, so POST /calls starts calls, but --public-url is empty: Twilio needs the URL it fetches the menu from")
	}
	var patterns []string
	for _, p := range c.dialAllow.values {
		if p = strings.TrimSpace(p); p != "" {
			patterns = append(patterns, p)
		}
	}
	allow, err := dialallow.Parse(patterns)
	if err != nil {
		return fmt.Errorf("--dial-allow: %w", err)
	}
	_, err = outbound.Register(app, &outbound.Options{
		AccountSID: c.accountSID,
		AuthToken:  principals.NewSecret(c.authToken),
		APIKey:     c.apiKey,
		APISecret:  principals.NewSecret(c.apiSecret),
		From:       c.callerID,
		PublicURL:  cfg.publicURL,
		Allow:      allow,
		BaseURL:    c.apiURL,
		Shared:     rates,
		Logger:     log,
		LogNumbers: cfg.logNumbers,
	})
	if err != nil {
		return err
	}
	allowed := "any number but premium-rate prefixes"
	if allow.Restricted() {
		allowed = allow.String()
	}
	limits := "in this process"
	if rates != nil {
		limits = "shared in Redis"
	}
	log.Info("POST /calls starts outbound calls into the flow's start menu and entries", "caller_id", principals.MaskNumber(c.callerID),
		"dial_allow", allowed+" (and the flow's dial_allow)", "rate_limits", limits)
	return nil
}
