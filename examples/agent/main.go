// Command agent is a small AI voice agent for Twilio's ConversationRelay, the other end of a
// flow's agent step: it answers the caller's words with scripted replies and hands the call
// back to the menu with handoff data ({"reason":"transfer"} or {"reason":"menu"}).
//
// Its WebSocket is an open door unless the handshake is checked: anyone who finds the URL could
// otherwise talk to the agent (and spend its AI tokens). The server therefore verifies the
// handshake's X-Twilio-Signature with package principals before it accepts the upgrade — Twilio
// signs it over the wss:// URL, with no parameters — and refuses every other request with 403.
// Set AGENT_PUBLIC_URL to the wss:// (or https://) scheme and host Twilio connects to, so the URL
// is rebuilt as Twilio signed it behind a TLS proxy.
//
// Environment:
//
//	TWILIO_AUTH_TOKEN  Required: the account's auth token, which signatures are checked with.
//	AGENT_PUBLIC_URL   Optional but recommended: the scheme and host Twilio connects to, such as
//	                   wss://agent.example.com (the flow's relay URL without its path).
//	ADDR               Optional: the address to listen on; default 127.0.0.1:$PORT, this machine
//	                   only. ADDR=:8090 listens on every interface (a container, behind a proxy).
//	PORT               Optional: the port of the default ADDR; default 8090 (8080 is the IVR, 8081 the console).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Limits on one session, so that a caller (or a broken relay) cannot hold the server.
const (
	maxMessage     = 64 << 10         // bytes of one message from Twilio
	maxTurns       = 50               // prompts in one session; then the agent hands back
	sessionTimeout = 30 * time.Minute // the longest session
)

// Message is one ConversationRelay message, either way, with the fields this agent uses.
type Message struct {
	Type string `json:"type"`
	// From Twilio.
	CallSID          string            `json:"callSid,omitempty"`          // setup
	CustomParameters map[string]string `json:"customParameters,omitempty"` // setup: the flow's <Parameter>s
	VoicePrompt      string            `json:"voicePrompt,omitempty"`      // prompt: what the caller said
	Last             bool              `json:"last,omitempty"`             // prompt, text: the last part
	Digit            string            `json:"digit,omitempty"`            // dtmf
	Description      string            `json:"description,omitempty"`      // error
	// To Twilio.
	Token       string `json:"token,omitempty"`       // text: what to say
	HandoffData string `json:"handoffData,omitempty"` // end: JSON for the flow's on_end
}

// Reply is the agent's scripted answer to one prompt: what it says, and, when End is set, the
// reason it hands the call back with ("transfer", "menu").
type Reply struct {
	Say string
	End string
}

// script answers a prompt: a person or a transfer ends with "transfer", the menu with "menu",
// anything else gets help text. A real agent calls its model here.
func script(prompt string) Reply {
	p := strings.ToLower(prompt)
	switch {
	case strings.Contains(p, "person"), strings.Contains(p, "agent"), strings.Contains(p, "transfer"), strings.Contains(p, "human"):
		return Reply{Say: "Sure, I will transfer you to a person.", End: "transfer"}
	case strings.Contains(p, "menu"):
		return Reply{Say: "Taking you back to the menu.", End: "menu"}
	case strings.Contains(p, "bye"):
		return Reply{Say: "Goodbye.", End: "goodbye"}
	}
	return Reply{Say: "I can help with billing. Say person to talk to someone, or menu to go back."}
}

// Handler serves ConversationRelay sessions. Only a handshake whose Twilio signature verifies is
// upgraded; any other request gets 403 and no WebSocket.
type Handler struct {
	Twilio *principals.TwilioPolicy // Required: checks the handshake's signature.
	Log    *slog.Logger             // Required.
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, ok, err := h.Twilio.Authenticate(r)
	if !ok || !hasTwilio(id) {
		h.Log.Warn("handshake refused", "remote", r.RemoteAddr, "path", r.URL.Path, "reason", errString(err))
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		h.Log.Warn("upgrade failed", "error", err)
		return
	}
	c.SetReadLimit(maxMessage)
	ctx, cancel := context.WithTimeout(r.Context(), sessionTimeout)
	defer cancel()
	if err := h.session(ctx, c); err != nil {
		h.Log.Info("session ended", "reason", err)
		c.Close(websocket.StatusInternalError, "session error")
		return
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// session runs one conversation: setup, then prompts answered until the script ends it.
func (h Handler) session(ctx context.Context, c *websocket.Conn) error {
	var callSID, menu string
	for turn := 0; ; {
		var m Message
		if err := readJSON(ctx, c, &m); err != nil {
			return err
		}
		switch m.Type {
		case "setup":
			callSID, menu = m.CallSID, m.CustomParameters["switchboard_menu"]
			h.Log.Info("session", "call", callSID, "menu", menu, "topic", m.CustomParameters["topic"])
		case "prompt":
			if !m.Last {
				continue // partial prompts: wait for the whole utterance
			}
			turn++
			rep := script(m.VoicePrompt)
			if turn >= maxTurns && rep.End == "" {
				rep = Reply{Say: "Let me take you back to the menu.", End: "menu"}
			}
			if err := writeJSON(ctx, c, Message{Type: "text", Token: rep.Say, Last: true}); err != nil {
				return err
			}
			if rep.End != "" {
				data, _ := json.Marshal(map[string]string{"reason": rep.End, "menu": menu})
				return writeJSON(ctx, c, Message{Type: "end", HandoffData: string(data)})
			}
		case "error":
			return errors.New("relay error: " + m.Description)
		}
	}
}

func readJSON(ctx context.Context, c *websocket.Conn, v any) error {
	typ, b, err := c.Read(ctx)
	if err != nil {
		return err
	}
	if typ != websocket.MessageText {
		return errors.New("binary message on a ConversationRelay socket")
	}
	return json.Unmarshal(b, v)
}

func writeJSON(ctx context.Context, c *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Write(ctx, websocket.MessageText, b)
}

func hasTwilio(id principals.Identity) bool {
	for _, p := range id.Principals {
		if p == principals.Twilio {
			return true
		}
	}
	return false
}

func errString(err error) string {
	if err == nil {
		return "not vouched for"
	}
	return err.Error()
}

// newHandler builds the handler from the environment.
func newHandler(getenv func(string) string, log *slog.Logger) (Handler, error) {
	token := getenv("TWILIO_AUTH_TOKEN")
	if token == "" {
		return Handler{}, errors.New("TWILIO_AUTH_TOKEN is required: the handshake's signature is checked with it")
	}
	tw, err := principals.NewTwilio(principals.TwilioOptions{
		Tokens:    []principals.Secret{principals.NewSecret(token)},
		PublicURL: httpsURL(getenv("AGENT_PUBLIC_URL")),
	})
	if err != nil {
		return Handler{}, err
	}
	return Handler{Twilio: tw, Log: log}, nil
}

// httpsURL turns a wss:// public URL into the https:// form principals takes (it checks a
// handshake over the wss:// URL itself).
func httpsURL(u string) string {
	if rest, ok := strings.CutPrefix(u, "wss://"); ok {
		return "https://" + rest
	}
	if rest, ok := strings.CutPrefix(u, "ws://"); ok {
		return "http://" + rest
	}
	return u
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// listenAddr is ADDR, or loopback on PORT: an example run to try it out is reachable from this
// machine only, until ADDR says otherwise.
func listenAddr(getenv func(string) string) string {
	return or(getenv("ADDR"), "127.0.0.1:"+or(getenv("PORT"), "8090"))
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, log); err != nil {
		log.Error("agent", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, log *slog.Logger) error {
	h, err := newHandler(getenv, log)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /relay", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", listenAddr(getenv))
	if err != nil {
		return err
	}
	log.Info("agent listening", "addr", ln.Addr().String(), "path", "/relay")
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
