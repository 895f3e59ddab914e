package main

import "testing"

func TestListenAddrIsLoopbackUnlessADDRSaysOtherwise(t *testing.T) {
	tests := []struct {
		name       string
		addr, port string
		want       string
	}{
		{"nothing set", "", "", "127.0.0.1:8090"},
		{"a port", "", "9090", "127.0.0.1:9090"},
		{"every interface", ":8080", "9090", ":8080"},
		{"an address", "10.0.0.5:80", "", "10.0.0.5:80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"ADDR": tt.addr, "PORT": tt.port}
			if got := listenAddr(func(k string) string { return env[k] }); got != tt.want {
				t.Errorf("listenAddr = %q, want %q", got, tt.want)
			}
		})
	}
}
