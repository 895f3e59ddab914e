package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestServeReadsEveryFlagFromTheEnvironmentAndAFlagWins(t *testing.T) {
	vars := map[string]string{
		envFlow: "env.yaml", envPolicy: "env.csv", envModel: "env.conf", envKeys: "env.keys",
		envAddr: ":9000", envPublicURL: "https://env.example.com", envTrusted: "10.0.0.0/8, 192.168.1.1",
		envLogFormat: "json", envLogLevel: "warn", envLogNumbers: "true", envBodyLimit: "1024",
		envAuthLimit: "-1", envReplay: "true", envToken: "primary", envToken2: "secondary",
	}
	cfg, err := parseServe(nil, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{cfg.flow, cfg.policy, cfg.model, cfg.keys, cfg.addr, cfg.publicURL, cfg.logFormat}
	want := []string{"env.yaml", "env.csv", "env.conf", "env.keys", ":9000", "https://env.example.com", "json"}
	if !slices.Equal(got, want) {
		t.Errorf("from the environment: %q, want %q", got, want)
	}
	if !slices.Equal(cfg.trusted, []string{"10.0.0.0/8", "192.168.1.1"}) || !slices.Equal(cfg.tokens, []string{"primary", "secondary"}) {
		t.Errorf("trusted %q, tokens %q", cfg.trusted, cfg.tokens)
	}
	if !cfg.logNumbers || cfg.bodyLimit != 1024 || cfg.failedAuthLimit != -1 || !cfg.replay || !cfg.validate {
		t.Errorf("numbers %v, body limit %d, auth limit %v, replay %v, validate %v", cfg.logNumbers, cfg.bodyLimit, cfg.failedAuthLimit, cfg.replay, cfg.validate)
	}

	cfg, err = parseServe([]string{"--flow", "flag.yaml", "--addr", "127.0.0.1:7000", "--body-limit", "2048", "--trusted-proxy", "172.16.0.0/12"}, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.flow != "flag.yaml" || cfg.addr != "127.0.0.1:7000" || cfg.bodyLimit != 2048 || cfg.policy != "env.csv" {
		t.Errorf("flags should win over their variables and leave the others: %+v", cfg)
	}
	if !slices.Equal(cfg.trusted, []string{"172.16.0.0/12"}) {
		t.Errorf("--trusted-proxy should replace %s: %q", envTrusted, cfg.trusted)
	}
	cfg, err = parseServe([]string{"--trusted-proxy", "172.16.0.0/12", "--trusted-proxy", "::1"}, env(vars), io.Discard)
	if err != nil || !slices.Equal(cfg.trusted, []string{"172.16.0.0/12", "::1"}) {
		t.Errorf("two --trusted-proxy flags: %q, %v", cfg.trusted, err)
	}
}

func TestServeRefusesABadValueInTheEnvironment(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"BodyLimitNotANumber", map[string]string{envBodyLimit: "64K"}, envBodyLimit},
		{"BodyLimitZero", map[string]string{envBodyLimit: "0"}, envBodyLimit},
		{"AuthLimitNotANumber", map[string]string{envAuthLimit: "lots"}, envAuthLimit},
		{"UnknownLogFormat", map[string]string{envLogFormat: "xml"}, "--log-format"},
		{"SignatureSwitchMisspelt", map[string]string{envValidate: "flase"}, envValidate},
		{"SignatureSwitchUnknownWord", map[string]string{envValidate: "disabled"}, envValidate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServe(nil, env(tt.vars), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseServe = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func TestTurningSignatureChecksOffTakesAnExplicitFalse(t *testing.T) {
	for value, validate := range map[string]bool{"": true, "false": false, "0": false, "no": false, "off": false, "Off": false,
		"true": true, "yes": true, "on": true} {
		cfg, err := parseServe(nil, env(map[string]string{envValidate: value}), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.validate != validate {
			t.Errorf("%s=%q: validate %v, want %v", envValidate, value, cfg.validate, validate)
		}
	}
}
