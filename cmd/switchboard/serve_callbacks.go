package main

import (
	"errors"
	"flag"
	"log/slog"

	"github.com/switchboard-ivr/switchboard/backend"
	"github.com/switchboard-ivr/switchboard/callbacks"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
)

const (
	envCallbacks  = "SWITCHBOARD_CALLBACKS"
	envBackendKey = "SWITCHBOARD_BACKEND_KEY"
)

// callbacksConfig says what becomes of Twilio's callbacks: "" (no /callbacks routes), "log", or
// the URL of the backend they are delivered to, signed with the backend key.
type callbacksConfig struct {
	to  string
	key string
}

func (c *callbacksConfig) register(fs *flag.FlagSet, getenv func(string) string) {
	c.key = getenv(envBackendKey)
	fs.StringVar(&c.to, "callbacks", getenv(envCallbacks), "serve /callbacks/{status,recording,transcription}: `log` them, or deliver them to a backend URL, signed with "+envBackendKey+" ["+envCallbacks+"]")
}

// mount registers the callback routes when asked to, and returns the receiver to Run, or nil.
func (c *callbacksConfig) mount(app *framework.App, logNumbers bool, log *slog.Logger) (*callbacks.Receiver, error) {
	if c.to == "" {
		if cb := app.Flow().Callbacks(); cb.Status || cb.Recording || cb.Transcription {
			log.Warn("the flow asks Twilio for callbacks (its callbacks: section) but --callbacks is empty: /callbacks/* is not served and Twilio's reports are refused; set --callbacks log, or a backend URL")
		}
		return nil, nil
	}
	opts := &callbacks.Options{Logger: log, LogNumbers: logNumbers}
	if c.to != "log" {
		if c.key == "" {
			return nil, errors.New("--callbacks names a backend URL but " + envBackendKey + " is empty: set the key deliveries are signed with (openssl rand -hex 32), shared with the backend")
		}
		b, err := backend.New(backend.Options{URL: c.to, Key: principals.NewSecret(c.key)})
		if err != nil {
			return nil, err
		}
		opts.Deliver = b
	}
	rc := callbacks.New(opts)
	if err := rc.Register(app); err != nil {
		return nil, err
	}
	log.Info("callbacks served at /callbacks/*", "deliver_to", c.to)
	return rc, nil
}
