package framework

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/switchboard-ivr/switchboard/internal/buildinfo"
	"github.com/switchboard-ivr/switchboard/principals"
)

func TestReadyzSaysWhichBuildAnswers(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, nil)
	w := send(app, httptest.NewRequest(http.MethodGet, testHost+"/readyz", nil))
	var ready struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ready); err != nil || ready.Version == "" || ready.Version != buildinfo.Read().Version {
		t.Errorf("/readyz version %q, want %q: %s (%v)", ready.Version, buildinfo.Read().Version, w.Body, err)
	}
}
