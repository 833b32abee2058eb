package probe

import "testing"

func TestDescribeOAuthBearerChallenge(t *testing.T) {
	got := DescribeOAuthBearerChallenge([]byte(`{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}`))
	want := "status invalid_token · scope example_scope · openid-configuration https://example.com/.well-known/openid-configuration"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := DescribeOAuthBearerChallenge([]byte("not json")); got != "not json" {
		t.Errorf("non-JSON: %q", got)
	}
}

func FuzzDescribeOAuthBearerChallenge(f *testing.F) {
	f.Add([]byte(`{"status":"invalid_token","schemes":"bearer","scope":"s"}`))
	f.Add([]byte(`{"status":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := DescribeOAuthBearerChallenge(b)
		if len(s) > 4*len(b)+200 {
			t.Fatalf("grew from %d to %d bytes", len(b), len(s))
		}
	})
}
