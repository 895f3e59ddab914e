// Package outbound starts outbound calls into a flow's menus through Twilio's REST API: the
// handler behind POST /calls, for `switchboard serve` and for programs built on the framework.
package outbound
