// Package flowtest runs a flow's test files: calls placed in this process (see package sandbox),
// each with what it must, and must never, hear and do.
//
// A test file is YAML:
//
//	flow: menu.yaml          # the flow under test, relative to this file (see Options.Flow)
//	policy: policy.csv       # optional: the built-in policy.csv
//	model: model.conf        # optional: the built-in model.conf
//	at: "2026-11-23T10:00:00-05:00"   # optional: the clock of business hours for every call
//	backends: {bank: bank.json}       # optional: answer every fetch from the flow's backend bank
//	                                  # with the JSON object in bank.json, or fail for a backend
//	                                  # that fails (on_error); a backend not stubbed fails too
//	calls:
//	  - name: billing by keypad           # required, unique in the file
//	    from: "+15555550142"              # optional: the caller's number (the default shown)
//	    to: "+15555550160"                # optional: the called number (the default shown)
//	    press: ["2", "1"]                 # or say: [billing], or answers: [{press: "2"}, {say: billing}, silence, hangup]
//	    at: "2026-12-06T12:00:00-05:00"   # optional: this call's clock
//	    dial_status: no-answer            # optional: what a Dial's action hears (completed)
//	    agent_end: {reason: transfer}     # optional: the handoff data an agent session ends with
//	    agent_failed: true                # optional: agent sessions fail (on_error)
//	    path: /ivr/reminder               # optional: the route the call starts at (the flow's start)
//	    direction: outbound-api           # optional: inbound (the default) or outbound-api
//	    forged: true                      # optional: sign with a wrong token, as a forger would
//	    expect:
//	      - say: For billing              # in order: heard after what the previous one matched
//	      - dial: "+15555550112"
//	      - no_record: true               # never, anywhere in the call
//	      - node: support                 # where the call was when it ended
//
// Expectations on events are met in order, each after the event the previous one matched:
// say, play, pause, dial, record, enqueue, redirect, hangup and reject. A value in slashes, such as
// say: "/press [0-9]/", is a regular expression; otherwise say, play and redirect match a part
// of the text and dial and enqueue the whole number or queue name; true matches any. Each has a
// never form, no_say, no_dial and so on, which no event of the call may match. The call as a
// whole: node (the node of the last request the flow answered), visit and no_visit (a node some
// request reached), error (the kind of error flow heard, as flow.ErrorKind names it, such as
// forbidden or denied; or true for any) and no_error, and end (how the call ended, as a part of the text
// such as "hung up").
//
// A call without at (its own or the file's) runs on the real clock: through a menu with business
// hours, its outcome depends on when it runs.
//
// Every mistake in a test file is reported, all at once, as "file:line:col: path: message".
package flowtest
