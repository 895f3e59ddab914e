package principals

import (
	"net/textproto"
	"testing"
)

// TestHotPathHeaderNamesAreCanonical guards the direct r.Header[name] lookups: a name that is
// not canonical would never match what net/http stores.
func TestHotPathHeaderNamesAreCanonical(t *testing.T) {
	for _, name := range []string{signatureHeader, signatureSettingsHeader, authorizationHeader, contentTypeHeader, forwardedProtoHeader, forwardedHostHeader} {
		if c := textproto.CanonicalMIMEHeaderKey(name); c != name {
			t.Errorf("header name %q is not canonical (%q)", name, c)
		}
	}
}
