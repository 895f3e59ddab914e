module github.com/switchboard-ivr/switchboard

go 1.26

require github.com/twilio/twilio-go v1.31.0

require github.com/beevik/etree v1.1.0 // indirect
