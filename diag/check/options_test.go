package check

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestOptionsConfig: the overrides build the check a profile would, and
// mistakes name the flag at fault.
func TestOptionsConfig(t *testing.T) {
	env := map[string]string{"PW": "secret"}
	o := Options{
		Args: []string{"pop3s://pop.example.com"},
		Overrides: Overrides{User: "scan@example.com", PasswordEnv: "PW", Mechanisms: " plain, login ,",
			Timeout: 10 * time.Second, PhaseTimeout: time.Minute},
		Getenv: func(k string) string { return env[k] },
	}
	cfg, err := o.Config()
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.POP3Only || cfg.POP3 == nil || cfg.POP3.Port != 995 || cfg.POP3.Security != report.SecurityTLS || cfg.POP3.Password != "secret" || cfg.POP3.AuthMethod != report.AuthBasic {
		t.Errorf("pop3 %+v", cfg.POP3)
	}
	if pc := cfg.Probe; strings.Join(pc.Mechanisms, ",") != "PLAIN,LOGIN" || !pc.AsDevice || pc.PhaseTimeout != pc.Timeout || pc.PasswordSource != "env PW" {
		t.Errorf("probe %+v", pc)
	}

	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Args: []string{"h:587"}, Overrides: Overrides{Security: "ssl"}}, `--security "ssl"`},
		{Options{Args: []string{"h"}, Overrides: Overrides{TokenEnv: "NOPE"}}, "--token-env NOPE"},
		{Options{Args: []string{"h"}, Overrides: Overrides{User: "u", MaxTLS: "1.4"}}, `--max-tls "1.4"`},
		{Options{Args: []string{"h"}, Overrides: Overrides{User: "u", ConnectTo: "x"}}, `--connect-to "x"`},
		{Options{Args: []string{"h"}, Overrides: Overrides{AuthMethod: "basic"}}, "no authentication address"},
		{Options{Args: []string{"a", "b"}}, "unexpected arguments: b"},
		{Options{}, "nothing to probe"},
	} {
		if _, err := c.o.Config(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.o.Overrides, err, c.want)
		}
	}
	_, err = Options{Args: []string{"h:70000"}}.Config()
	if err == nil {
		t.Fatal("port 70000 accepted")
	}
	var he *HintError
	if _, err := (Options{Args: []string{"h"}, Overrides: Overrides{Port: 70000}}).Config(); !errors.As(err, &he) || he.Hint == "" {
		t.Errorf("port out of range: %v, want a hint", err)
	}
}
