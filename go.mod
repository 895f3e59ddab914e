module github.com/switchboard-ivr/switchboard

go 1.26
